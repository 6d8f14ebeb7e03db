"""Twilio API key SIDs and auth tokens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import regex

from pipeline.detect.base import Candidate, Deadline, RegexRecognizer
from pipeline.detect.placeholders import is_placeholder
from pipeline.events import Category


class TwilioKeyRecognizer(RegexRecognizer):
    """API key SIDs have a prefix; 32-hex auth tokens need the word "twilio" and a key name."""

    entity_type = "TWILIO_API_KEY"
    category = Category.SECRET
    keywords = ("twilio", "sk")
    # Twilio docs: API key SID = "SK" + 32 hex; auth token = 32 hex (account SID "AC" + 32 hex is
    # an identifier, not a secret).
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![A-Za-z0-9])SK[0-9a-f]{32}(?![A-Za-z0-9])"
        r"|(?i:twilio[A-Za-z_ .-]{0,20}(?:auth|token|secret)[A-Za-z_]{0,10})[\"']?\s{0,3}[:=]"
        r"\s{0,3}[\"']?([0-9a-f]{32})(?![A-Za-z0-9])"
    )

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        for match in self.pattern.finditer(text, timeout=deadline.remaining()):
            group = 1 if match.group(1) else 0
            if not is_placeholder(match.group(group)):
                yield self.candidate(*match.span(group), 0.9)
