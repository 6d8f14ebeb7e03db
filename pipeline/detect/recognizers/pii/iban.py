"""International Bank Account Numbers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import regex

from pipeline.detect.base import Candidate, Deadline, Recognizer
from pipeline.detect.validation import IBAN_LENGTHS, iban_ok
from pipeline.events import Category


class IbanCodeRecognizer(Recognizer):
    """Compact or grouped by four; the span is cut at the country's registered length."""

    entity_type = "IBAN_CODE"
    category = Category.PII
    needs_digit = True
    # ISO 13616: country code, 2 check digits, up to 30 alphanumerics; printed in groups of four,
    # but typed by hand in any case and grouping ("de89 3704…", "PL61  109010 14…"). Country
    # length and mod 97 decide, so the loose shape costs no precision.
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ -]{0,2}[A-Za-z0-9]{1,30}){1,10}(?![A-Za-z0-9])"
    )

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        for match in self.pattern.finditer(text, timeout=deadline.remaining()):
            raw = match.group()
            length = IBAN_LENGTHS.get(raw[:2].upper())
            if length is None:
                continue
            taken = end = 0
            for end, ch in enumerate(raw, 1):  # noqa: B007 - end is used after the loop
                if ch.isalnum():
                    taken += 1
                    if taken == length:
                        break
            compact = "".join(c for c in raw[:end] if c.isalnum()).upper()
            if taken == length and _one_token(raw[:end]) and iban_ok(compact):
                yield self.candidate(match.start(), match.start() + end, 0.95)


_WORD_GROUP = regex.compile(r"(?<![A-Za-z0-9])[A-Za-z]{5,}(?![A-Za-z0-9])")


def _one_token(raw: str) -> bool:
    """Typed in one case throughout, and no group is a word ("ad72ef82 Remove deprecated")."""
    letters = [c for c in raw if c.isalpha()]
    same_case = all(c.isupper() for c in letters) or all(c.islower() for c in letters)
    return same_case and _WORD_GROUP.search(raw) is None
