"""Phone numbers of many numbering plans and street lines of many countries."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.detect.engine import DetectionEngine
from pipeline.detect.recognizers.pii.location import LocationRecognizer
from pipeline.detect.recognizers.pii.phone import PhoneNumberRecognizer
from pipeline.detect.recognizers.pii.regions import hinted_regions
from pipeline.events import Message
from tests.detect.conftest import Spans
from tests.detect.suites_io import covered, load


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Please stop sending texts to 61 234 87 90", "61 234 87 90"),
        ("call me on 607 549 788", "607 549 788"),
        ("Tel. (78) 309-926", "(78) 309-926"),
        ("WhatsApp: 72 805 20 53", "72 805 20 53"),
        ("607 549 788 is my mobile", "607 549 788"),
        ("Meu celular: (11) 98765-4321", "(11) 98765-4321"),
        ("reach me at (555) 555-0123 x4421.", "(555) 555-0123 x4421"),
        ("My number: 001-417-555-0187x212", "001-417-555-0187x212"),
    ],
)
def test_phone_word_raises_national_numbers(spans: Spans, text: str, number: str) -> None:
    """Next to a phone word a national number of any plan in the default set is a phone."""
    assert spans(PhoneNumberRecognizer(), text) == [number]


@pytest.mark.parametrize(
    "text",
    [
        "Order 61 234 87 90 shipped",
        "ISBN-13s: 978-1-4820-4273-3 and 978-3-590-57896-8, tell me which is mistyped",
        "upgrade from 4.12.3 to 4.13.0 on 2024-05-02 12:30:45",
        "the string 61 234 87 90 in row 3",
        "total 1 299 000 EUR",
        "Call the endpoint with version 2.31.0.1234",
        "The function call took 1234567 ns on build 20240502.",
        "Phone support ticket 4471-2093-11 was closed.",
        "Mobile app 3.4.1 crashed 1200000 times",
        "Ring buffer size 1048576, tel 0 errors.",
        "Reach 1 000 000 users by Q3; call volume 250 000.",
    ],
)
def test_numbers_without_phone_context_stay_clean(spans: Spans, text: str) -> None:
    """References, ISBNs, versions, dates, counts and round figures, even beside a phone word."""
    assert spans(PhoneNumberRecognizer(), text) == []


def test_region_hint_admits_grouped_national_number(spans: Spans) -> None:
    """Without a phone word, a grouped number counts in a plan the text points at (Poland)."""
    text = "Biuro w Poznaniu (Polska): 61 234 87 90"
    assert "PL" in hinted_regions(text, text.lower())
    assert spans(PhoneNumberRecognizer(), text) == ["61 234 87 90"]


def test_hints_from_codes_tlds_and_letters() -> None:
    """+CC elsewhere in the prompt, ccTLDs of addresses and hosts, language-specific letters."""
    text = "mail anna@firma.se or call +48 22 555 0101; Łódź"
    hints = hinted_regions(text, text.lower())
    assert {"SE", "PL"} <= set(hints)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Violvägen 64, 417 29 Göteborg", ["Violvägen 64", "417 29 Göteborg"]),
        ("Adresse: Rue de Piétrain 371, 1370 Jodoigne", ["Rue de Piétrain 371", "1370 Jodoigne"]),
        ("Keizersgracht 412, 1016 GC Amsterdam", ["Keizersgracht 412", "1016 GC Amsterdam"]),
        ("P.O. Box 4417", ["P.O. Box 4417"]),
        ("PSC 3127, Box 8810\nAPO AE 09469", ["PSC 3127, Box 8810", "APO AE 09469"]),
        ("4820 Old Mill Road, Apt 3B", ["4820 Old Mill Road, Apt 3B"]),
        ("55 Kingfisher Close, Bristol BS8 1TH", ["55 Kingfisher Close", "Bristol BS8 1TH"]),
        ("Avenida da Liberdade 110, 1250-146 Lisboa",
         ["Avenida da Liberdade 110", "1250-146 Lisboa"]),
    ],
)
def test_street_lines_of_the_world(spans: Spans, text: str, expected: list[str]) -> None:
    """Number after the name, postcodes after a street, PO boxes, military mail."""
    assert set(spans(LocationRecognizer(), text)) == set(expected)


@pytest.mark.parametrize(
    "text",
    ["Investigate 3 failures in 2024 Q1.", "Delegate 2 tasks, 2024 Roadmap", "Brigade 12 arrived",
     "In March, 2024 Results were good"],
)
def test_street_shapes_do_not_fire_on_prose(spans: Spans, text: str) -> None:
    """Imperatives ending like a street word and years after a comma are not addresses."""
    assert spans(LocationRecognizer(), text) == []


@pytest.mark.parametrize("event", load("recall_phone_address"), ids=lambda e: e["id"])
def test_recall_phone_address_suite(engine: DetectionEngine, event: dict[str, Any]) -> None:
    """Every expected value of the frozen phone/address suite is found as its kind."""
    found = [(f.entity_type, f.start, f.end)
             for f in engine.detect([Message("user", event["text"])])]
    missed = [e for e in event["expect"]
              if not covered(event["text"], e["value"], e["type"], found)]
    assert not missed
