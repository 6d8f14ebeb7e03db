"""Package-registry publish tokens: npm and PyPI."""

from __future__ import annotations

from typing import ClassVar

import regex

from pipeline.detect.base import RegexRecognizer
from pipeline.detect.placeholders import is_placeholder
from pipeline.events import Category


class NpmTokenRecognizer(RegexRecognizer):
    """npm granular/automation tokens: ``npm_`` + 36 base62."""

    entity_type = "NPM_TOKEN"
    category = Category.SECRET
    keywords = ("npm_",)
    # npm blog "New npm access token format" (2021).
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])"
    )

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        return None if is_placeholder(match.group()[4:]) else 0.95


class PypiTokenRecognizer(RegexRecognizer):
    """PyPI API tokens are macaroons whose base64 starts with the encoded "pypi.org" location."""

    entity_type = "PYPI_TOKEN"
    category = Category.SECRET
    keywords = ("pypi-ag",)
    # PyPI help "API tokens": pypi-AgEIcHlwaS5vcmc… (test.pypi.org: pypi-AgENdGVzdC5weXBpLm9yZw…).
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"pypi-Ag(?:EIcHlwaS5vcmc|ENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{40,500}"
    )
    score = 0.95
