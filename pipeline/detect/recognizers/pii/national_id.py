"""National identifiers with a fixed shape: Spanish DNI/NIE, French NIR, UK NINO."""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer.predefined_recognizers import UkNinoRecognizer as _PresidioNino

from pipeline.detect.base import RegexRecognizer
from pipeline.events import Category

_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


class SpanishDniRecognizer(RegexRecognizer):
    """DNI (8 digits + letter) and NIE (X/Y/Z + 7 digits + letter); the letter is mod 23."""

    entity_type = "ES_NIF"
    category = Category.PII
    needs_capital = needs_digit = True
    # Real Decreto 1553/2005 (DNI) and Orden INT/2058/2008 (NIE): letter = TRWAG…[number % 23].
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![\w-])(?P<nie>[XYZ])?-?(?P<num>\d{7,8})[- ]?(?P<letter>[A-Z])(?![\w-])"
    )

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        nie, num = match.group("nie"), match.group("num")
        if (nie is None) != (len(num) == 8):
            return None
        number = int(str("XYZ".index(nie)) + num) if nie else int(num)
        return 0.85 if _DNI_LETTERS[number % 23] == match.group("letter") else None


class FrenchNirRecognizer(RegexRecognizer):
    """Numéro de sécurité sociale: 13 digits + a 2-digit key = 97 - (number mod 97)."""

    entity_type = "FR_NIR"
    category = Category.PII
    needs_digit = True
    # INSEE NIR layout: sex, year, month, department (2A/2B for Corsica), commune, order, key.
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![\w])(?P<sex>[12])\s?(?P<yy>\d{2})\s?(?P<mm>0[1-9]|1[0-2]|[2-9]\d)\s?"
        r"(?P<dep>\d{2}|2[AB])\s?(?P<com>\d{3})\s?(?P<ord>\d{3})\s?(?P<key>\d{2})(?![\w])"
    )

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        dep = match.group("dep").replace("2A", "19").replace("2B", "18")
        body = "".join(match.group(g) for g in ("sex", "yy", "mm")) + dep
        number = int(body + match.group("com") + match.group("ord"))
        return 0.85 if 97 - number % 97 == int(match.group("key")) else None


class NationalInsuranceNumberRecognizer(RegexRecognizer):
    """UK National Insurance number ("JG 10 37 53 D"), with or without its spaces.

    The pattern is presidio's own ``UkNinoRecognizer`` (HMRC's prefix rules), which the default
    presidio registry does not load for English; upper case only, so prose such as
    "we 10 20 30 a" is not one.
    """

    entity_type = "UK_NINO"
    category = Category.PII
    needs_capital = True  # upper case only (``validate``)
    needs_digit = True
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(_PresidioNino.PATTERNS[0].regex)

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        return 0.8 if match.group() == match.group().upper() else None
