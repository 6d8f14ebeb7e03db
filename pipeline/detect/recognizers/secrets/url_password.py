"""Passwords embedded in URLs and DSNs: only the password span is reported."""

from __future__ import annotations

from typing import ClassVar

import regex

from pipeline.detect.base import RegexRecognizer
from pipeline.detect.placeholders import is_placeholder
from pipeline.events import Category


class UrlPasswordRecognizer(RegexRecognizer):
    """``scheme://user:password@host``; env references and ``:password@`` placeholders are clean."""

    entity_type = "PASSWORD_IN_URL"
    category = Category.SECRET
    keywords = ("://",)
    # RFC 3986 §3.2.1 userinfo = user ":" password. Passwords in the wild are often not
    # percent-encoded and contain '@', so the greedy group backtracks to the last '@' before the
    # host (bounded to 200 characters, so backtracking stays linear). Unencoded '#' and '?' are
    # kept in the password: people paste "redis://:pa#ss@host" as is.
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?i)\b[a-z][a-z0-9+.-]{1,30}://[^\s:/?#@\"'<>]{0,128}:([^\s/\"'<>]{1,200})@"
        r"(?=[A-Za-z0-9\[_-])"
    )
    group = 1

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        value = match.group(1)
        if is_placeholder(value) or value.startswith("$"):
            return None
        return 0.95
