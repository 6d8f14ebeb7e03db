"""GitHub personal, OAuth, app and fine-grained tokens."""

from __future__ import annotations

import zlib
from typing import ClassVar

import regex

from pipeline.detect.base import RegexRecognizer
from pipeline.detect.placeholders import is_placeholder
from pipeline.events import Category

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _crc_ok(token: str) -> bool:
    """GitHub's 2021 token format ends in a 6-char base62 CRC32 of the 30 random characters."""
    _prefix, _, body = token.partition("_")
    if len(body) != 36:
        return False
    value = zlib.crc32(body[:30].encode())
    digits = ""
    while value:
        value, rem = divmod(value, 62)
        digits = _BASE62[rem] + digits
    return body[30:] == digits.rjust(6, "0")


class GithubTokenRecognizer(RegexRecognizer):
    """A failing checksum only lowers confidence: test and leaked tokens are often random."""

    entity_type = "GITHUB_TOKEN"
    category = Category.SECRET
    keywords = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")
    # "Behind GitHub's new authentication token formats" (GitHub blog, 2021): gh[pousr]_ + 36
    # base62; fine-grained PATs: github_pat_ + 22 + "_" + 59.
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{60,255})"
        r"(?![A-Za-z0-9_])"
    )

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        token = match.group()
        if is_placeholder(token):
            return None
        return 1.0 if _crc_ok(token) else 0.85
