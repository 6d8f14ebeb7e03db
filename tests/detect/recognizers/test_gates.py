"""The shape gates skip only texts where the recognizer could not have found anything.

``needs_capital``, ``needs_digit`` and the structure checks in ``applies`` (a table needs a
second line, a key needs ``:``/``=``/``</``) exist for speed. Each is checked here by running
the recognizer's ``scan`` anyway on every text its gate would skip: the hand-written suites,
the probes and the technical prompts, each also lower-cased, joined onto one line and with its
digits turned into letters (so the skipped texts carry real names and numbers).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import regex

from pipeline.detect.artifacts import Deadline
from pipeline.detect.base import Recognizer, has_capital, has_digit
from pipeline.detect.recognizers.pii.person_context import PersonContextRecognizer
from pipeline.detect.recognizers.pii.structured import (
    DelimitedTableRecognizer,
    KeyValueRecognizer,
)
from pipeline.detect.registry import build_registry

_NO_DIGITS = regex.compile(r"\d")
_HERE = Path(__file__).resolve().parent.parent
_SETS = [*sorted((_HERE / "suites").glob("*.jsonl")), *sorted((_HERE / "probes").glob("*.jsonl")),
         *sorted((_HERE / "technical").glob("*.jsonl"))]


def _texts() -> list[str]:
    out: list[str] = []
    for path in _SETS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                text = json.loads(line)["text"]
                flat = text.replace("\n", " ")
                out += [text, text.lower(), flat, flat.lower(), _NO_DIGITS.sub("O", text)]
    return out


TEXTS = _texts()


def _scan(recognizer: Recognizer, text: str) -> list[tuple[int, int]]:
    return [(c.start, c.end) for c in recognizer.scan(text, text.lower(), Deadline(5.0))]


def _gated(flag: str) -> list[Recognizer]:
    return [r for r in build_registry().recognizers
            if isinstance(r, Recognizer) and getattr(r, flag)]


def test_the_sets_exercise_every_gate() -> None:
    assert len(_SETS) >= 20
    assert sum(not has_capital(t) for t in TEXTS) > 1000
    assert sum("\n" not in t for t in TEXTS) > 1000
    assert sum(not has_digit(t) for t in TEXTS) > 1000
    assert {type(r).__name__ for r in _gated("needs_capital")} >= {
        "PersonGazetteerRecognizer", "NationalInsuranceNumberRecognizer"}
    assert len(_gated("needs_digit")) >= 10


@pytest.mark.parametrize(("flag", "present"), [("needs_capital", has_capital),
                                                ("needs_digit", has_digit)])
def test_gated_recognizers_find_nothing_where_the_gate_skips(
    flag: str, present: Callable[[str], bool]
) -> None:
    skipped = [t for t in TEXTS if not present(t)]
    gated = _gated(flag)
    for recognizer in gated:
        assert [t for t in skipped if _scan(recognizer, t)] == [], type(recognizer).__name__
    # and the texts are no blank: most of these recognizers find something where they run
    finding = [r for r in gated if any(_scan(r, t) for t in TEXTS if present(t))]
    assert len(finding) * 2 >= len(gated)


def test_person_context_without_a_capital_runs_only_what_can_match() -> None:
    recognizer = PersonContextRecognizer()
    skipped = [t for t in TEXTS if not has_capital(t)]
    # Forced through the capitalised path (a capital after a newline matches no pattern alone),
    # a capital-free text finds what the lower-case path finds, nothing more.
    differing = [
        t for t in skipped
        if sorted(s for s in _scan(recognizer, t + "\n\nZ") if s[1] <= len(t))
        != sorted(_scan(recognizer, t))
    ]
    assert differing == []
    assert any(_scan(recognizer, t) for t in skipped)  # "tell bilal hussain …" still found


@pytest.mark.parametrize("cls", [DelimitedTableRecognizer, KeyValueRecognizer])
def test_structure_gates_skip_only_shapes_without_fields(cls: type[Recognizer]) -> None:
    recognizer = cls()
    base = super(cls, recognizer).applies  # the field-word prefilter alone, without the shape
    skipped = [t for t in TEXTS if base(t.lower()) and not recognizer.applies(t.lower())]
    assert len(skipped) > 100
    assert [t for t in skipped if _scan(recognizer, t)] == []
