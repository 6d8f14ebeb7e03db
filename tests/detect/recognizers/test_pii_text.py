"""Contextual PII: emails, phones, IPs, addresses, dates of birth."""

from collections.abc import Callable

import pytest

from pipeline.detect.base import Recognizer
from pipeline.detect.recognizers.pii.date_of_birth import DateOfBirthRecognizer
from pipeline.detect.recognizers.pii.email import EmailAddressRecognizer
from pipeline.detect.recognizers.pii.ip_address import IpAddressRecognizer
from pipeline.detect.recognizers.pii.location import LocationRecognizer
from pipeline.detect.recognizers.pii.phone import PhoneNumberRecognizer

Spans = Callable[..., list[str]]

CASES: list[tuple[Recognizer, str, list[str]]] = [
    (EmailAddressRecognizer(), "mail jane.o'neil+x@mail.co.uk.", ["neil+x@mail.co.uk"]),
    (EmailAddressRecognizer(), "write to a.b@corp-mail.io today", ["a.b@corp-mail.io"]),
    (EmailAddressRecognizer(), "Draft a reply to jane.doe@example.org", ["jane.doe@example.org"]),
    (EmailAddressRecognizer(), "cc ops@mail.example.com and qa@corp.test, x@team.example",
     ["ops@mail.example.com", "qa@corp.test", "x@team.example"]),
    (EmailAddressRecognizer(), "git clone git@github.com:org/repo.git", []),
    (EmailAddressRecognizer(), "npm i @scope/pkg@1.2.3", []),
    (PhoneNumberRecognizer(), "call me at (415) 555-2671", ["(415) 555-2671"]),
    (PhoneNumberRecognizer(), "WhatsApp +44 7700 900123 please", ["+44 7700 900123"]),
    (PhoneNumberRecognizer(), "Tél : 01 42 68 53 00", ["01 42 68 53 00"]),
    (PhoneNumberRecognizer(), "Telefon 030 1234567", ["030 1234567"]),
    (PhoneNumberRecognizer(), "Jane Roe (555) 123-4567", ["(555) 123-4567"]),  # fictional range
    (PhoneNumberRecognizer(), "Jane Roe, 555-010-0199", ["555-010-0199"]),
    (PhoneNumberRecognizer(), "PO 7422-494-743", []),
    (PhoneNumberRecognizer(), "timestamp 2024-08-06 16:32", []),
    (PhoneNumberRecognizer(), "id 4155552671", []),  # bare digits without a phone word
    (IpAddressRecognizer(), "SRC=10.1.2.3 DST=192.168.0.7", ["10.1.2.3", "192.168.0.7"]),
    (IpAddressRecognizer(), "from 2001:db8:85a3::8a2e:370:7334 at 08:53:42",
     ["2001:db8:85a3::8a2e:370:7334"]),
    (IpAddressRecognizer(), "version 1.2.3.4", []),
    (IpAddressRecognizer(), "pip install foo==1.2.3.4", []),
    (IpAddressRecognizer(), "mac 00:1a:2b:3c:4d:5e", []),
    (IpAddressRecognizer(), "bind 0.0.0.0", []),
    (LocationRecognizer(), "ship to 742 Evergreen Terrace, Springfield, OR 97477",
     ["742 Evergreen Terrace", "Springfield, OR 97477"]),
    (LocationRecognizer(), "Anschrift: Lindenstraße 12, 10115 Berlin",
     ["Lindenstraße 12", "10115 Berlin"]),
    (LocationRecognizer(), "j'habite 8 rue de la Paix, 75002 Paris",
     ["8 rue de la Paix", "75002 Paris"]),
    (LocationRecognizer(), "vivo en Calle Mayor 5, 28013 Madrid",
     ["Calle Mayor 5", "28013 Madrid"]),
    (LocationRecognizer(), "We opened an office in Paris", []),
    (DateOfBirthRecognizer(), "DOB: 1984-03-12", ["1984-03-12"]),
    (DateOfBirthRecognizer(), "born on March 3, 1975 in Ohio", ["March 3, 1975"]),
    (DateOfBirthRecognizer(), "née le 19/12/1981", ["19/12/1981"]),
    (DateOfBirthRecognizer(), "geboren am 3. März 1985", ["3. März 1985"]),
    (DateOfBirthRecognizer(), "fecha de nacimiento: 12 de mayo de 1990", ["12 de mayo de 1990"]),
    (DateOfBirthRecognizer(), "release planned for 2024-03-12", []),
]


@pytest.mark.parametrize(("recognizer", "text", "expected"), CASES)
def test_contextual_pii(
    recognizer: Recognizer, text: str, expected: list[str], spans: Spans
) -> None:
    """Shapes are validated and context decides; versions, ids and dates elsewhere stay clean."""
    assert spans(recognizer, text) == expected
