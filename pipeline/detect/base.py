"""The recognizer contract: small classes that turn normalised text into candidate spans.

We do not subclass presidio's ``PatternRecognizer``: it silently skips a regex that hits its
internal timeout (fail-open) and builds per-pattern result objects we do not need. Instead each
recognizer declares literal ``keywords`` (a cheap ``in`` prefilter, as trufflehog does) and a
``regex`` pattern run with the prompt's remaining time budget as a hard timeout that raises.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import regex

from pipeline.detect.errors import DetectionTimeout
from pipeline.events import Category

__all__ = ["Candidate", "Deadline", "PatternRecognizer", "Recognizer", "entropy", "has_context"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A span in the text a recognizer was given (normalised coordinates)."""

    entity_type: str
    category: Category
    start: int
    end: int
    score: float
    detector: str


class Deadline:
    """Monotonic time budget shared by every step of one prompt's detection."""

    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left; raises once the budget is spent so no step starts late."""
        left = self._end - time.monotonic()
        if left <= 0:
            raise DetectionTimeout("detection time budget exceeded")
        return left


class Recognizer:
    """Base class: one entity (or one provider's family of tokens) per subclass."""

    entity_type: ClassVar[str]
    category: ClassVar[Category]
    version: ClassVar[str] = "1"
    keywords: ClassVar[tuple[str, ...]] = ()  # lowercase literals; empty means always run

    def applies(self, lowered: str) -> bool:
        """Cheap prefilter: skip the regex unless one keyword occurs in the lowercased text."""
        return not self.keywords or any(k in lowered for k in self.keywords)

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        raise NotImplementedError

    def candidate(self, start: int, end: int, score: float, entity: str = "") -> Candidate:
        return Candidate(
            entity or self.entity_type, self.category, start, end, score, type(self).__name__
        )


class PatternRecognizer(Recognizer):
    """One compiled regex; ``group`` selects the value span, ``validate`` scores or rejects."""

    pattern: ClassVar[regex.Pattern[str]]
    group: ClassVar[int | str] = 0
    score: ClassVar[float] = 0.9

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        for match in self.pattern.finditer(text, timeout=deadline.remaining()):
            start, end = match.span(self.group)
            if start < 0 or start == end:
                continue
            score = self.validate(match, text, lowered)
            if score is not None:
                yield self.candidate(start, end, score)

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        """Return a confidence, or None to reject the match."""
        return self.score


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def has_context(lowered: str, start: int, words: tuple[str, ...], window: int = 60) -> bool:
    """Tell whether one of ``words`` occurs in the ``window`` characters before ``start``."""
    before = lowered[max(0, start - window) : start]
    return any(w in before for w in words)
