"""Validated numeric PII: cards, SSNs, IBANs, national ids, bank accounts."""

from collections.abc import Callable

import pytest

from pipeline.detect.base import Recognizer
from pipeline.detect.recognizers.pii.bank_account import UsBankNumberRecognizer
from pipeline.detect.recognizers.pii.credit_card import PaymentCardRecognizer
from pipeline.detect.recognizers.pii.iban import IbanCodeRecognizer
from pipeline.detect.recognizers.pii.national_id import FrenchNirRecognizer, SpanishDniRecognizer
from pipeline.detect.recognizers.pii.ssn import UsSocialSecurityRecognizer

Spans = Callable[..., list[str]]

CASES: list[tuple[Recognizer, str, list[str]]] = [
    (PaymentCardRecognizer(), "card 4111111111111111 exp 12/29", ["4111111111111111"]),
    (PaymentCardRecognizer(), "card 5500-0000-0000-0004", ["5500-0000-0000-0004"]),
    (PaymentCardRecognizer(), "amex 3782 822463 10005", ["3782 822463 10005"]),
    (PaymentCardRecognizer(), "card 4111111111111112", []),  # fails Luhn
    (PaymentCardRecognizer(), "loyalty 8000 0000 0000 0002", []),  # not a card network
    (PaymentCardRecognizer(), "tracking 9400 1000 0000 0000 0000 00", []),
    (PaymentCardRecognizer(), "ISBN 978-3-16-148410-0", []),
    (UsSocialSecurityRecognizer(), "SSN: 536-22-1234", ["536-22-1234"]),
    (UsSocialSecurityRecognizer(), "social security 536 22 1234", ["536 22 1234"]),
    (UsSocialSecurityRecognizer(), "ssn=536221234", ["536221234"]),
    (UsSocialSecurityRecognizer(), "order 536221234", []),  # plain nine digits without context
    (UsSocialSecurityRecognizer(), "SSN 666-12-3456", []),  # invalid area
    (UsSocialSecurityRecognizer(), "SSN 078-05-1120", ["078-05-1120"]),  # samples count
    (IbanCodeRecognizer(), "IBAN DE89370400440532013000.", ["DE89370400440532013000"]),
    (IbanCodeRecognizer(), "GB82 WEST 1234 5698 7654 32 EUR", ["GB82 WEST 1234 5698 7654 32"]),
    (IbanCodeRecognizer(), "DE89370400440532013001", []),  # bad check digits
    (SpanishDniRecognizer(), "DNI 12345678Z", ["12345678Z"]),
    (SpanishDniRecognizer(), "NIE X1234567L", ["X1234567L"]),
    (SpanishDniRecognizer(), "DNI 12345678A", []),
    (FrenchNirRecognizer(), "NIR 2 84 05 75 123 456 72", ["2 84 05 75 123 456 72"]),
    (FrenchNirRecognizer(), "NIR 2 84 05 75 123 456 73", []),
    (UsBankNumberRecognizer(), "Checking account #: 004512789", ["004512789"]),
    (UsBankNumberRecognizer(), "ticket 004512789", []),
]


@pytest.mark.parametrize(("recognizer", "text", "expected"), CASES)
def test_numeric_pii(recognizer: Recognizer, text: str, expected: list[str], spans: Spans) -> None:
    """Checksums and context decide; look-alike numbers stay clean."""
    assert spans(recognizer, text) == expected
