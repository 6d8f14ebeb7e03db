"""Google API keys and OAuth client secrets (service-account keys are PEM, see pem.py)."""

from __future__ import annotations

from typing import ClassVar

import regex

from pipeline.detect.base import RegexRecognizer
from pipeline.detect.placeholders import is_placeholder
from pipeline.events import Category


class GoogleApiKeyRecognizer(RegexRecognizer):
    """API keys are ``AIza`` followed by 35 base64url characters."""

    entity_type = "GOOGLE_API_KEY"
    category = Category.SECRET
    keywords = ("aiza",)
    # Google Cloud "API keys" docs; the same 39-character shape is used by Firebase and Maps.
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![A-Za-z0-9_-])AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])"
    )

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        return None if is_placeholder(match.group()[4:]) else 0.95


class GoogleOAuthSecretRecognizer(RegexRecognizer):
    """OAuth client secrets issued since 2021 start with ``GOCSPX-``."""

    entity_type = "GOOGLE_OAUTH_CLIENT_SECRET"
    category = Category.SECRET
    keywords = ("gocspx-",)
    # Google Identity "client secret" format, as used by GitHub secret scanning.
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![A-Za-z0-9_-])GOCSPX-[A-Za-z0-9_-]{28}(?![A-Za-z0-9_-])"
    )
    score = 0.95
