"""Opaque bearer tokens and HTTP Basic credentials in Authorization headers and curl calls."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import ClassVar

import regex

from pipeline.detect.base import Candidate, Deadline, Recognizer, entropy
from pipeline.detect.placeholders import is_placeholder
from pipeline.events import Category


class AuthorizationHeaderRecognizer(Recognizer):
    """Provider-specific recognizers usually win on the same span; this catches unknown formats."""

    entity_type = "GENERIC_SECRET"
    category = Category.SECRET
    extra_entities = ("BASIC_AUTH_CREDENTIALS",)
    keywords = ("bearer", "basic", "token ")
    # RFC 6750 (Bearer b64token) and RFC 7617 (Basic base64(user:password)).
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?i)\b(?:(?P<scheme>bearer|token)\s+(?P<token>[A-Za-z0-9._~+/-]{16,2048}=*)"
        r"|basic\s+(?P<basic>[A-Za-z0-9+/]{8,512}={0,2}))(?![A-Za-z0-9._~+/=-])"
    )

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        for match in self.pattern.finditer(text, timeout=deadline.remaining()):
            token = match.group("token")
            if token is not None:
                if not is_placeholder(token) and entropy(token) >= 3.5:
                    yield self.candidate(*match.span("token"), 0.6)
                continue
            basic = match.group("basic")
            try:
                decoded = base64.b64decode(basic + "=" * (-len(basic) % 4)).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                continue
            _user, sep, password = decoded.partition(":")
            if sep and password and not is_placeholder(password):
                yield self.candidate(*match.span("basic"), 0.8, "BASIC_AUTH_CREDENTIALS")
