"""The recognizer contract: presidio ``EntityRecognizer`` subclasses with bounded regexes.

Every recognizer is a presidio ``LocalRecognizer`` (``load`` + ``analyze(text, entities,
nlp_artifacts) -> list[RecognizerResult]``), registered in ``registry.py`` and run by presidio's
``AnalyzerEngine``. We do not use presidio's ``PatternRecognizer``: it silently skips a regex that
hits its internal timeout (fail-open). Instead each recognizer declares literal ``keywords`` (a
cheap ``in`` prefilter, as trufflehog does) and ``scan``s with the ``regex`` module, passing the
prompt's remaining time budget (from ``PromptArtifacts``) as a hard timeout that raises.
``analyze`` turns any failure into ``DetectionError``, never into fewer results.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import regex
from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from pipeline.detect.artifacts import (
    DEFAULT_BUDGET_SECONDS,
    Deadline,
    PromptArtifacts,
    has_capital,
    has_digit,
)
from pipeline.detect.errors import DetectionError, DetectionTimeout, RecognizerFailed
from pipeline.events import Category

__all__ = [
    "CATEGORY_KEY",
    "Candidate",
    "Deadline",
    "Recognizer",
    "RegexRecognizer",
    "entropy",
    "has_capital",
    "has_context",
    "has_digit",
]

# recognition_metadata key holding the finding's Category (a secret recognizer may emit PII).
CATEGORY_KEY = "category"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A span in the text a recognizer was given (normalised coordinates)."""

    entity_type: str
    category: Category
    start: int
    end: int
    score: float
    detector: str


class Recognizer(LocalRecognizer):
    """Base class: one entity (or one provider's family of tokens) per subclass."""

    entity_type: ClassVar[str]
    category: ClassVar[Category]
    extra_entities: ClassVar[tuple[str, ...]] = ()  # other entity types ``scan`` may emit
    context_words: ClassVar[tuple[str, ...]] = ()  # declared to presidio; scoring is ours
    keywords: ClassVar[tuple[str, ...]] = ()  # lowercase literals; empty means always run
    # Every match needs a capital letter (\p{Lu}): skipped on text that has none, as much
    # chat is ("tell me how raft works"). A gate, not a filter: the regex could not match there.
    needs_capital: ClassVar[bool] = False
    needs_digit: ClassVar[bool] = False  # every match has a digit (``str.isdigit``)
    version: str = "1"

    def __init__(self) -> None:
        super().__init__(
            supported_entities=[self.entity_type, *self.extra_entities],
            name=type(self).__name__,
            supported_language="en",
            version=self.version,
            context=list(self.context_words),
        )

    def load(self) -> None:
        """Nothing to load: patterns are compiled at import."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Presidio entry point: prefilter, ``scan`` under the deadline, fail closed."""
        artifacts = PromptArtifacts.matching(text, nlp_artifacts)
        if artifacts is None:
            deadline, lowered = Deadline(DEFAULT_BUDGET_SECONDS), text.lower()
            capital, digit = has_capital(text), has_digit(text)
        else:
            deadline, lowered = artifacts.deadline, artifacts.lowered
            capital, digit = artifacts.capital, artifacts.digit
        if ((self.needs_capital and not capital) or (self.needs_digit and not digit)
                or not self.applies(lowered)):
            return []
        try:
            found = list(self.scan(text, lowered, deadline))
        except DetectionError:
            raise
        except TimeoutError:  # the regex module's timeout
            raise DetectionTimeout(f"{type(self).__name__}: regex time budget exceeded") from None
        except Exception as exc:
            raise RecognizerFailed(f"{type(self).__name__} raised {type(exc).__name__}") from None
        return [
            RecognizerResult(
                c.entity_type, c.start, c.end, c.score,
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: c.detector,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    CATEGORY_KEY: c.category,
                },
            )
            for c in found
            if not entities or c.entity_type in entities
        ]

    def applies(self, lowered: str) -> bool:
        """Cheap prefilter: skip the regex unless one keyword occurs in the lowercased text."""
        return not self.keywords or any(k in lowered for k in self.keywords)

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        """Yield candidate spans; every regex call passes ``timeout=deadline.remaining()``."""
        raise NotImplementedError

    def candidate(self, start: int, end: int, score: float, entity: str = "") -> Candidate:
        return Candidate(
            entity or self.entity_type, self.category, start, end, score, type(self).__name__
        )


class RegexRecognizer(Recognizer):
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
