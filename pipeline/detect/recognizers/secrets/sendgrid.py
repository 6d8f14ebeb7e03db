"""SendGrid API keys."""

from __future__ import annotations

from typing import ClassVar

import regex

from pipeline.detect.base import RegexRecognizer
from pipeline.events import Category


class SendgridKeyRecognizer(RegexRecognizer):
    """``SG.`` + 22-character key id + ``.`` + 43-character secret."""

    entity_type = "SENDGRID_API_KEY"
    category = Category.SECRET
    keywords = ("sg.",)
    # SendGrid "API Keys" docs and GitHub secret-scanning pattern.
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![A-Za-z0-9_.-])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])"
    )
    score = 0.95
