"""JSON Web Tokens (JWS compact serialisation)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import ClassVar

import regex

from pipeline.detect.base import RegexRecognizer
from pipeline.events import Category


def _b64url_json(part: str) -> object:
    padded = part + "=" * (-len(part) % 4)
    try:
        return json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError):
        return None


class JwtRecognizer(RegexRecognizer):
    """The header must decode to a JSON object with ``alg``; random dotted base64 does not."""

    entity_type = "JWT"
    category = Category.SECRET
    keywords = ("eyj",)
    # RFC 7515 §7.1: BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(signature); a JSON
    # header always starts with '{"' which base64url-encodes to "eyJ". Unsigned (alg none) tokens
    # have an empty signature.
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{8,2000})\.([A-Za-z0-9_-]{2,8000})"
        r"\.([A-Za-z0-9_-]{0,2000})(?![A-Za-z0-9_-])"
    )

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        header = _b64url_json(match.group(1))
        if not isinstance(header, dict) or "alg" not in header:
            return None
        return 0.95 if match.group(3) else 0.8
