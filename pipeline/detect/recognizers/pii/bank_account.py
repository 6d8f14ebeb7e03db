"""Bank account numbers, which are only recognisable by the words around them."""

from __future__ import annotations

from typing import ClassVar

import regex

from pipeline.detect.base import RegexRecognizer
from pipeline.events import Category


class UsBankNumberRecognizer(RegexRecognizer):
    """6-17 digits right after an account phrase ("account #:", "acct no", "routing")."""

    entity_type = "US_BANK_NUMBER"
    category = Category.PII
    keywords = ("acc", "acct", "a/c", "routing", "aba", "konto", "compte", "cuenta")
    # US account numbers have no checksum or fixed length (typically 6-17 digits, per Fed/NACHA
    # practice), so a preceding account phrase is required; routing numbers are 9 digits.
    # "account number is …", "checking account, number …", "acct no. 3391-0048-77": up to three
    # filler words between the phrase and the digits; digits may be grouped by spaces or dashes.
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?i)\b(?:(?:checking|savings|bank|deposit|direct deposit|current)\s+)?"
        r"(?:account|acct|a/c|routing|aba|kontonummer|konto|compte|cuenta)"
        # a qualifier in parentheses: "Account number (checking): …", "account (IBAN) …"
        r"(?:\s{0,2}\([\p{L} ]{1,20}\))?"
        r"(?:[\s,:#=-]{0,3}"
        r"(?:number|num|no\.?|nr\.?|#|n°|numéro|número|is|was|reads|will be|:)){0,3}"
        r"(?:\s{0,2}\([\p{L} ]{1,20}\))?\s{0,3}[:#=]?\s{0,3}[\"']?"
        r"(\d(?:[ -]?\d){5,16})(?![\d-]|[ -]\d)"
    )
    group = 1
    score = 0.75

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        digits = sum(c.isdigit() for c in match.group(1))
        return self.score if 6 <= digits <= 17 else None
