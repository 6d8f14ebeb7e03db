"""US bank account numbers, which are only recognisable by the words around them."""

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
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?i)\b(?:(?:checking|savings|bank|deposit|direct deposit)\s+)?"
        r"(?:account|acct|a/c|routing|aba|kontonummer|konto|compte|cuenta)"
        r"(?:\s*(?:number|num|no\.?|nr\.?|#|n°|numéro|número))?\s{0,3}[:#=]?\s{0,3}[\"']?"
        r"(\d{6,17})(?![\d-])"
    )
    group = 1
    score = 0.75
