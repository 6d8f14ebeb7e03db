"""Disguised values: escapes, spelled and spoken digits, reversed keys, mapped back exactly."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.detect.engine import DetectionEngine
from pipeline.detect.normalize import normalize
from pipeline.detect.validation import luhn_ok
from pipeline.events import Message
from tests.detect.conftest import Found
from tests.detect.suites_io import load


@pytest.mark.parametrize(
    ("text", "view"),
    [
        ("4 7 6 4 1 2 3 4 5 6 7 8 9 0 1 3", "4764123456789013"),
        ("5 - 1 - 6 - 2 - 9 - 8 - 7 - 6", "51629876"),
        ("four seven six four one two three", "4764123"),
        ("\\u0041\\u004b\\u0049\\u0041", "AKIA"),
        ("&#x41;&#75;&amp;", "AK&"),
        ("4556&nbsp;7375", "4556 7375"),
        ("ELPMAXE7NNDOFSOIAIKA", "AKIAIOSFODNN7EXAMPLE"),
        ("4764  1234  5678  9013", "4764123456789013"),
        ("4764 / 1234 / 5678 / 9013", "4764123456789013"),
    ],
)
def test_detection_view_undoes_the_disguise(text: str, view: str) -> None:
    """What the recognizers see once the disguise is removed."""
    assert normalize(text).text == view


@pytest.mark.parametrize(
    "text",
    ["1 0 0 1\n0 1 1 0\n0 0 1 1", "version 1.2.3", "a b c d e f g h i j", "someone done alone",
     "4764  1234  5678  9014", "12  34  56  78  90"],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    """Matrices (line breaks), versions, spaced letters and words containing 'one' stay."""
    assert normalize(text).text == text


def test_each_character_maps_to_its_source() -> None:
    """An escape maps to the whole escape, a turned-round character to its mirror."""
    text = "x \\u0041 y"
    view = normalize(text)
    a = view.text.index("A")
    assert text[slice(*view.to_original(a, a + 1))] == "\\u0041"
    key = "AKIAQ7RZ4TNM2XWBLP3E"
    rev = normalize("k " + key[::-1])
    start = rev.text.index("AKIA")
    assert rev.to_original(start, start + 4) == (len("k ") + len(key) - 4, len("k ") + len(key))


_PIECES = st.sampled_from(["4", "7", " ", " - ", "\\u0034", "&#52;", "&amp;", "AIKA", "x", "\n",
                           "\u200b", "\uff21", "seven ", "é"])


@given(st.lists(_PIECES, max_size=40).map("".join))
def test_offsets_stay_inside_the_original(text: str) -> None:
    """Any span of the view maps to a non-empty span inside the original."""
    view = normalize(text)
    for start in range(len(view.text)):
        s, e = view.to_original(start, start + 1)
        assert 0 <= s < e <= len(text)
    if view.text:
        assert view.to_original(0, len(view.text))[1] <= len(text)


@pytest.mark.parametrize("event", load("recall_evasion"), ids=lambda e: e["id"])
def test_recall_evasion_suite_removes_exactly_the_original(
    engine: DetectionEngine, event: dict[str, Any]
) -> None:
    """Each disguised value is found as its kind and the finding is exactly its original span."""
    text = event["text"]
    findings = engine.detect([Message("user", text)])
    spans = {(f.entity_type, text[f.start : f.end]) for f in findings}
    for expect in event["expect"]:
        assert (expect["type"], expect["value"]) in spans


def test_validation_still_applies_after_rejoining(engine: DetectionEngine) -> None:
    """Spelled out, a Luhn-valid number is a card and the same number one digit off is not."""
    seed = random.randrange(1 << 30)
    print(f"seed={seed}")
    rng = random.Random(seed)
    body = "4" + "".join(str(rng.randrange(10)) for _ in range(14))
    good = next(body + d for d in "0123456789" if luhn_ok(body + d))
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert not luhn_ok(bad)

    def cards(number: str) -> list[str]:
        text = "card: " + " ".join(number)
        return [text[f.start : f.end] for f in engine.detect([Message("user", text)])
                if f.entity_type == "CREDIT_CARD"]

    assert cards(good) == [" ".join(good)]
    assert cards(bad) == []


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("my social is two - four - seven - two - eight - nine - three - zero - four.", "US_SSN",
         "two - four - seven - two - eight - nine - three - zero - four"),
        ("IBAN: F-R-7-6-3-0-0-0-6-0-0-0-0-1-1-2-3-4-5-6-7-8-9-0-1-8-9 thanks", "IBAN_CODE",
         "F-R-7-6-3-0-0-0-6-0-0-0-0-1-1-2-3-4-5-6-7-8-9-0-1-8-9"),
    ],
)
def test_dash_spoken_and_letter_led_spacing(
    found: Found, text: str, entity: str, value: str
) -> None:
    """Lone " - " separators keep a spoken run going; a run led by letters is still joined."""
    assert (entity, value) in found(text)


def test_mixed_separators_are_not_one_card(found: Found) -> None:
    """A version list whose digits happen to pass Luhn is not a card number."""
    assert found("Which releases are still supported: 4.6 / 4.7 / 1.14 / 1.13 / 4.12?") == []
