"""Frozen recall and hard-negative suites: hand-written fixtures, never corpus lines.

Every ``recall_<area>.jsonl`` line is ``{"id", "text", "expect": [{"type", "value"}]}``; every
``clean_<area>.jsonl`` line is ``{"id", "text"}``. A value *leaks* when its exact text is still in
the message after redaction (as the corpus scorer counts it: blocking the message or removing the
text both count as caught); a clean text is *altered* by any finding and *blocked* by a secret or
org-term finding. The same measure is applied to vanilla presidio (``AnalyzerEngine`` defaults,
same spaCy model) so the two can be compared kind by kind. Report:

    python -m tests.detect.suites [--presidio] [--failures]

The files are frozen: they were committed before the detectors were tuned on them, and tuning must
not edit them (add a new file for new classes).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "SUITES",
    "Outcome",
    "Span",
    "SuiteResult",
    "load",
    "score_clean",
    "score_recall",
    "suite_files",
]

SUITES = Path(__file__).resolve().parent
Span = tuple[int, int, str, bool]  # start, end, entity type, blocks the message
Detector = Callable[[Sequence[str]], list[list[Span]]]


def suite_files(kind: str, root: Path = SUITES) -> list[Path]:
    """Every ``recall_*.jsonl`` or ``clean_*.jsonl`` in ``root`` (also the other helpers' files)."""
    return sorted(root.glob(f"{kind}_*.jsonl"))


def load(path: Path) -> list[dict[str, Any]]:
    """The suite's lines, each checked against the format (expected values are substrings)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    for row in rows:
        for item in row.get("expect", []):
            if item["value"] not in row["text"]:
                raise ValueError(f"{path.name}:{row['id']}: expected value is not in the text")
    return rows


def redact(text: str, spans: Sequence[Span]) -> str | None:
    """The text as it would be sent on: None if blocked, else findings replaced by a tag."""
    if any(block for *_, block in spans):
        return None
    out = text
    for start, end, kind, _ in sorted(spans, key=lambda s: s[0], reverse=True):
        out = out[:start] + f"<{kind}>" + out[end:]
    return out


@dataclass
class Outcome:
    """One suite line's result, kept for the failure listing."""

    id: str
    text: str
    leaked: list[tuple[str, str]] = field(default_factory=list)
    partial: list[tuple[str, str]] = field(default_factory=list)
    found: list[tuple[str, str]] = field(default_factory=list)
    blocked: bool = False


@dataclass
class SuiteResult:
    """Counts for one suite file: per-kind values and leaks, or clean texts altered/blocked."""

    name: str
    lines: int = 0
    values: Counter[str] = field(default_factory=Counter)
    leaks: Counter[str] = field(default_factory=Counter)
    partial: Counter[str] = field(default_factory=Counter)
    altered: int = 0
    blocked: int = 0
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def leak_rate(self) -> float:
        total = sum(self.values.values())
        return sum(self.leaks.values()) / total if total else 0.0

    def recall(self, kind: str) -> float:
        return 1 - self.leaks[kind] / self.values[kind] if self.values[kind] else 1.0


_PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "la", "le", "du", "da",
                        "dos", "di", "bin", "al", "ter", "mac", "ní", "ó"})


def _name_word_left(value: str, sent: str) -> bool:
    """Part of a name survived: one of its words (3+ letters, not a particle) is still a word of
    the text sent on. The leak figure, like the shared scorer's, counts only whole values."""
    words = {w for w in re.findall(r"\w+", value) if len(w) >= 3 and w.lower() not in _PARTICLES}
    return bool(words & set(re.findall(r"\w+", sent)))


def score_recall(path: Path, detect: Detector) -> SuiteResult:
    """Leaks per expected kind for one recall suite."""
    rows = load(path)
    result = SuiteResult(path.stem, len(rows))
    for row, spans in zip(rows, detect([r["text"] for r in rows]), strict=True):
        sent = redact(row["text"], spans)
        outcome = Outcome(row["id"], row["text"], blocked=sent is None,
                          found=[(k, row["text"][s:e]) for s, e, k, _ in spans])
        for item in row["expect"]:
            result.values[item["type"]] += 1
            if sent is not None and item["value"] in sent:
                result.leaks[item["type"]] += 1
                outcome.leaked.append((item["type"], item["value"]))
            elif sent is not None and item["type"] == "PERSON" and _name_word_left(
                    item["value"], sent):
                result.partial[item["type"]] += 1
                outcome.partial.append((item["type"], item["value"]))
        result.outcomes.append(outcome)
    return result


def score_clean(path: Path, detect: Detector) -> SuiteResult:
    """Clean texts altered (any finding) and blocked (a blocking finding) for one suite."""
    rows = load(path)
    result = SuiteResult(path.stem, len(rows))
    for row, spans in zip(rows, detect([r["text"] for r in rows]), strict=True):
        blocked = any(block for *_, block in spans)
        result.altered += bool(spans)
        result.blocked += blocked
        result.outcomes.append(Outcome(row["id"], row["text"], blocked=blocked,
                                       found=[(k, row["text"][s:e]) for s, e, k, _ in spans]))
    return result
