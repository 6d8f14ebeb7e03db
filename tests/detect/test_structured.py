"""Structure-aware detection: field names make values personal data; product data stays clean."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.detect.engine import DetectionEngine
from pipeline.detect.recognizers.pii.fields import AMBIGUOUS_NAME, field_kind, value_fits
from pipeline.detect.recognizers.pii.structured import (
    DelimitedTableRecognizer,
    KeyValueRecognizer,
    SqlInsertRecognizer,
)
from pipeline.events import Message
from tests.detect.conftest import Spans
from tests.detect.suites_io import covered, load


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("full_name", "PERSON"), ("fullName", "PERSON"), ("Last Name", "PERSON"),
        ("customer_name", "PERSON"), ("user_name", "PERSON"), ("account_holder", "PERSON"),
        ("name", AMBIGUOUS_NAME), ("Name", AMBIGUOUS_NAME), ("file_name", None),
        ("hostname", None), ("product_name", None), ("table_name", None),
        ("dob", "DATE_OF_BIRTH"), ("Date of birth", "DATE_OF_BIRTH"),
        ("birthDate", "DATE_OF_BIRTH"),
        ("place_of_birth", None), ("phone", "PHONE_NUMBER"), ("mobile_number", "PHONE_NUMBER"),
        ("tel", "PHONE_NUMBER"), ("hotel", None), ("mobile_app_version", None),
        ("iban", "IBAN_CODE"), ("account_number", "US_BANK_NUMBER"), ("account_id", None),
        ("account_type", None), ("ssn", "US_SSN"), ("home_address", "LOCATION"),
        ("street", "LOCATION"), ("ip_address", None), ("email_address", "EMAIL_ADDRESS"),
        ("card_number", "CREDIT_CARD"), ("routing_number", None), ("price", None),
    ],
)
def test_field_names_map_to_kinds(key: str, kind: str | None) -> None:
    """A small generic vocabulary: qualifiers like file/host/product keep a name non-personal."""
    assert field_kind(key) == kind


@pytest.mark.parametrize(
    ("kind", "value", "fits"),
    [
        ("PERSON", "Okafor, Chidi", True), ("PERSON", "n/a", False),
        ("PERSON", "svc-deploy", False),
        ("PHONE_NUMBER", "607 549 788", True), ("PHONE_NUMBER", "unknown", False),
        ("PHONE_NUMBER", "12", False), ("DATE_OF_BIRTH", "02.07.1985", True),
        ("DATE_OF_BIRTH", "yesterday", False), ("US_BANK_NUMBER", "004417203981", True),
        ("US_BANK_NUMBER", "ACME-01", False), ("CREDIT_CARD", "4764123456789013", True),
        ("CREDIT_CARD", "4764123456789014", False), ("LOCATION", "Main Station", False),
        ("LOCATION", "17 Larchmont Crescent, Leeds", True), ("US_SSN", "512-44-7390", True),
    ],
)
def test_values_must_fit_their_kind(kind: str, value: str, fits: bool) -> None:
    """The field name is the evidence, but a value of the wrong shape is not reported."""
    assert value_fits(kind, value) is fits


def test_bare_name_needs_a_personal_sibling(spans: Spans) -> None:
    """'name' in a product table is a product; beside an email column it is a person."""
    products = "sku,name,price\nA-1,Blue Widget,9.99\n"
    people = "name,email\nMaja Lindqvist,maja@post.se\n"
    assert spans(DelimitedTableRecognizer(), products) == []
    assert "Maja Lindqvist" in spans(DelimitedTableRecognizer(), people)


def test_first_and_last_columns_name_a_person_as_a_pair(spans: Spans) -> None:
    """Bare 'first'/'last' headers are names only together; numbers under them are not names."""
    people = "id,first,last,city\n1,Wiremu,Tane,Rotorua\n"
    metrics = "metric,first,last\nlatency,12,40\n"
    lone = "step,first,owner\nbuild,Yes,ci\n"
    assert spans(DelimitedTableRecognizer(), people) == ["Wiremu", "Tane"]
    assert spans(DelimitedTableRecognizer(), metrics) == []
    assert spans(DelimitedTableRecognizer(), lone) == []
    assert spans(DelimitedTableRecognizer(), "fname;lname\nAiko;Tanaka\n") == ["Aiko", "Tanaka"]


def test_quoted_csv_cell_is_one_value(spans: Spans) -> None:
    """RFC 4180 quoting: the comma inside "Okafor, Chidi" does not split the cell."""
    text = 'id,full_name,phone\n7,"Okafor, Chidi",+234 803 555 0147\n'
    assert spans(DelimitedTableRecognizer(), text) == ["Okafor, Chidi", "+234 803 555 0147"]


def test_markdown_table(spans: Spans) -> None:
    """Pipe tables: the header row and the rule row are skipped, cells are trimmed."""
    text = "| Name | Phone |\n|---|---|\n| Sølvi Haugland | 412 33 918 |\n"
    assert spans(DelimitedTableRecognizer(), text) == ["Sølvi Haugland", "412 33 918"]


def test_sql_insert_values_take_their_column(spans: Spans) -> None:
    """Every tuple of a multi-row INSERT; non-personal columns are skipped."""
    text = ("INSERT INTO t (id, surname, dob, note) VALUES (1, 'Achterberg', '1979-11-23', 'x'),"
            " (2, 'O''Neill', '1980-01-02', 'y');")
    assert spans(SqlInsertRecognizer(), text) == ["Achterberg", "1979-11-23", "O''Neill",
                                                  "1980-01-02"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"fullName": "Yusuf Demirtaş", "dob": "1983-06-09"}', ["Yusuf Demirtaş", "1983-06-09"]),
        ("applicant:\n  name: Dagny Thorsrud\n  ssn: 431-27-8856\n",
         ["Dagny Thorsrud", "431-27-8856"]),
        ('msg="ok" user_name="Nkechi Adebayo" phone=+2348035550199',
         ["Nkechi Adebayo", "+2348035550199"]),
        ('<input name="phone" type="tel" value="087 123 4567">', ["087 123 4567"]),
        ("<contact><name>Oluwaseun Bakare</name><mobile>0803 555 0123</mobile></contact>",
         ["Oluwaseun Bakare", "0803 555 0123"]),
    ],
)
def test_key_value_shapes(spans: Spans, text: str, expected: list[str]) -> None:
    """JSON, YAML, key=value logs, HTML inputs and XML elements all name their values."""
    assert sorted(spans(KeyValueRecognizer(), text)) == sorted(expected)


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "payments-api", "version": "2.31.0", "port": 8443}',
        "service:\n  name: ledger-sync\n  retries: 5\n",
        "host=db port=5432 user=app_ro mobile_build=20240502",
        '<input name="quantity" value="12">',
    ],
)
def test_non_personal_keys_stay_clean(spans: Spans, text: str) -> None:
    """Configuration and product keys produce nothing."""
    assert spans(KeyValueRecognizer(), text) == []


def _found(engine: DetectionEngine, text: str) -> list[tuple[str, int, int]]:
    return [(f.entity_type, f.start, f.end) for f in engine.detect([Message("user", text)])]


@pytest.mark.parametrize("event", load("recall_structured"), ids=lambda e: e["id"])
def test_recall_structured_suite(engine: DetectionEngine, event: dict[str, Any]) -> None:
    """Every expected value of the frozen structured suite is found as its kind."""
    found = _found(engine, event["text"])
    missed = [e for e in event["expect"]
              if not covered(event["text"], e["value"], e["type"], found)]
    assert not missed


@pytest.mark.parametrize("event", load("clean_structured"), ids=lambda e: e["id"])
def test_clean_structured_suite(engine: DetectionEngine, event: dict[str, Any]) -> None:
    """Hard negatives (product CSVs, logs, SQL of non-personal tables) come out unaltered."""
    assert _found(engine, event["text"]) == []
