"""GitLab personal/project/deploy/runner tokens."""

from __future__ import annotations

from typing import ClassVar

import regex

from pipeline.detect.base import RegexRecognizer
from pipeline.detect.placeholders import is_placeholder
from pipeline.events import Category


class GitlabTokenRecognizer(RegexRecognizer):
    """GitLab prefixes every token type since 14.x, which makes them cheap to spot."""

    entity_type = "GITLAB_TOKEN"
    category = Category.SECRET
    keywords = ("glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "gloas-", "glsoat-", "gr1348941")
    # GitLab docs "Token prefixes": glpat- (PAT), gldt- (deploy), glrt- (runner), glptt- (pipeline
    # trigger), glcbt- (CI job), gloas- (OAuth secret), GR1348941 (legacy runner registration).
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![A-Za-z0-9_-])(?:glpat|gldt|glrt|glptt|glcbt|gloas|glsoat)-[A-Za-z0-9_.-]{20,}"
        r"|GR1348941[A-Za-z0-9_-]{20,}"
    )

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        return None if is_placeholder(match.group()) else 0.95
