"""What presidio hands every recognizer: our ``NlpArtifacts``, carrying the time budget.

presidio's ``AnalyzerEngine.analyze(text, language, nlp_artifacts=...)`` passes the artifacts to
each recognizer's ``analyze``. Ours carry, besides the NER entities, the prompt's ``Deadline`` (so
every bounded regex runs with the remaining budget and raises when it is spent) and the lowercased
text (computed once for all keyword prefilters). NER runs only on prose chunks, so the entities
are plain ``(start, end)`` PERSON spans in the text's coordinates, not spaCy ``Span`` objects
over a whole-text ``Doc``; there are no token-level artifacts (no lemmas, no tokens).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import regex
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine
from spacy.tokens import Doc

from pipeline.detect.errors import DetectionTimeout

__all__ = ["DEFAULT_BUDGET_SECONDS", "NER_SCORE", "Deadline", "PromptArtifacts", "has_capital",
           "has_digit"]

# Budget when a recognizer is called outside DetectionEngine (tests, ad-hoc presidio use).
DEFAULT_BUDGET_SECONDS = 2.0
# Confidence of a cleaned NER PERSON span (below the cue- and identifier-based recognizers).
NER_SCORE = 0.65


_CAPITAL = regex.compile(r"\p{Lu}")


def has_capital(text: str) -> bool:
    """Whether any upper-case letter occurs: name patterns all start with one."""
    return _CAPITAL.search(text) is not None


def has_digit(text: str) -> bool:
    """Whether any digit occurs (``str.isdigit``): what every number recognizer needs."""
    return any(c.isdigit() for c in text)


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

    def extend(self, seconds: float) -> None:
        """Give back time spent on one-off work (loading a language's NER on first use)."""
        self._end += seconds


class PromptArtifacts(NlpArtifacts):
    """NlpArtifacts for one normalised text: PERSON spans, the deadline, the lowercased text."""

    def __init__(
        self,
        text: str,
        deadline: Deadline,
        nlp_engine: NlpEngine,
        empty_doc: Doc,
        persons: Sequence[tuple[int, int]] = (),
    ) -> None:
        # NlpArtifacts.__init__ derives keywords from lemmas through the engine; we have none.
        self.text = text
        self.lowered = text.lower()
        self.capital = has_capital(text)
        self.digit = has_digit(text)
        self.deadline = deadline
        self.persons = tuple(persons)
        self.entities = []
        self.tokens = empty_doc
        self.tokens_indices = []
        self.lemmas = []
        self.keywords = []
        self.nlp_engine = nlp_engine
        self.scores = [NER_SCORE] * len(self.persons)

    @classmethod
    def matching(cls, text: str, artifacts: NlpArtifacts | None) -> PromptArtifacts | None:
        """The given artifacts if they are ours and were built for exactly this text."""
        if isinstance(artifacts, PromptArtifacts) and artifacts.text == text:
            return artifacts
        return None
