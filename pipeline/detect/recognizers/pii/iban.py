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
    # ISO 13616: country code, 2 check digits, up to 30 alphanumerics; printed in groups of four.
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{1,4}){3,8}(?![A-Za-z0-9])"
    )

    def applies(self, lowered: str) -> bool:
        return any(c.isdigit() for c in lowered)

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        for match in self.pattern.finditer(text, timeout=deadline.remaining()):
            raw = match.group()
            length = IBAN_LENGTHS.get(raw[:2])
            if length is None:
                continue
            taken = end = 0
            for end, ch in enumerate(raw, 1):  # noqa: B007 - end is used after the loop
                if ch.isalnum():
                    taken += 1
                    if taken == length:
                        break
            compact = "".join(c for c in raw[:end] if c.isalnum())
            if taken == length and iban_ok(compact):
                yield self.candidate(match.start(), match.start() + end, 0.95)
