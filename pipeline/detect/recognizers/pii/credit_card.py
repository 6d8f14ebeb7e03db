"""Payment card numbers."""

from __future__ import annotations

from typing import ClassVar

import regex

from pipeline.detect.base import RegexRecognizer
from pipeline.detect.validation import luhn_ok
from pipeline.events import Category

# ISO/IEC 7812 issuer prefixes of the major networks (Visa, Mastercard incl. 2-series, Amex,
# Discover, JCB, Diners, UnionPay, Maestro); loyalty and gift cards outside these are not PCI data.
_IIN = regex.compile(
    r"4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|6(?:011|5|4[4-9]|2)|35|3(?:0|6|8)|5[06-8]|6\d"
)


class PaymentCardRecognizer(RegexRecognizer):
    """13-19 digits, plain or grouped (space, dash or dot), Luhn-valid, known IIN."""

    entity_type = "CREDIT_CARD"
    category = Category.PII
    needs_digit = True
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![\d.,/-])\d(?:[ .-]?\d){12,18}(?![\d]|[-.,/ ]\d)"
    )

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        raw = match.group()
        digits = raw.replace(" ", "").replace("-", "").replace(".", "")
        separators = {c for c in raw if not c.isdigit()}
        if len(separators) > 1 or not (13 <= len(digits) <= 19):
            return None
        if separators and not _plausible_grouping(raw):
            return None
        if not _IIN.match(digits) or not luhn_ok(digits):
            return None
        return 0.9


def _plausible_grouping(raw: str) -> bool:
    """Accept printed groupings: 4-4-4-4(-3), Amex 4-6-5, Diners 4-6-4."""
    sizes = [len(g) for g in regex.split(r"[ .-]", raw)]
    if sizes in ([4, 6, 5], [4, 6, 4]):
        return True
    return all(s == 4 for s in sizes[:-1]) and 1 <= sizes[-1] <= 4
