"""US Social Security numbers."""

from __future__ import annotations

from typing import ClassVar

import regex

from pipeline.detect.base import RegexRecognizer, has_context
from pipeline.events import Category

# "my social is …" is how people say it in chat.
_CONTEXT = ("ssn", "social security", "social sec", "soc. sec", "ss#", "ss #", "taxpayer", "tin",
            "my social", "social is", "social #", "social no")


class UsSocialSecurityRecognizer(RegexRecognizer):
    """Dashed numbers stand alone; spaced and plain nine digits need an SSN word nearby.

    Well-known sample numbers (SSA's 219-09-9999, the Woolworth 078-05-1120, 123-45-6789) are
    flagged like any other: test sets and prompts use them for real-looking people.
    """

    entity_type = "US_SSN"
    category = Category.PII
    needs_digit = True
    context_words = _CONTEXT
    # SSA "Social Security Number Randomization": area 001-899 except 666, group 01-99,
    # serial 0001-9999.
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![\d-])(?P<a>\d{3})(?P<s1>[- ]?)(?P<g>\d{2})(?P<s2>[- ]?)(?P<n>\d{4})(?![\d]|-\d)"
    )

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        area, group, serial = match.group("a"), match.group("g"), match.group("n")
        if match.group("s1") != match.group("s2"):
            return None
        if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
            return None
        context = has_context(lowered, match.start(), _CONTEXT, 50)
        if match.group("s1") == "-":
            return 0.85 if context else 0.6
        return 0.8 if context else None
