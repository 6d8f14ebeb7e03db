"""PEM private-key blocks, also inside JSON strings (service-account files) with escaped EOLs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import regex

from pipeline.detect.base import Candidate, Deadline, Recognizer
from pipeline.events import Category

_MAX_BODY = 16_384


class PrivateKeyRecognizer(Recognizer):
    """Reports the whole block; public keys and certificates never match the BEGIN line."""

    entity_type = "PRIVATE_KEY"
    category = Category.SECRET
    keywords = ("private key",)
    # RFC 7468 labels: "PRIVATE KEY" (PKCS#8), "ENCRYPTED PRIVATE KEY", "RSA/EC/DSA PRIVATE KEY"
    # (PKCS#1/SEC1), "OPENSSH PRIVATE KEY", and OpenPGP "PGP PRIVATE KEY BLOCK" (RFC 4880).
    begin: ClassVar[regex.Pattern[str]] = regex.compile(
        r"-{3,5}\s?BEGIN ((?:[A-Z0-9]{2,10} ){0,2}PRIVATE KEY(?: BLOCK)?)\s?-{3,5}"
    )
    # What a truncated body may contain when no END line follows: base64, headers, newlines.
    # Lines of base64 (>= 16 chars, or a short last line ending in '='), or RFC 1421 headers.
    body: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?:[ \t]*(?:\r?\n|\\r?\\n)[ \t]*(?:[A-Za-z0-9+/]{16,4096}={0,2}|[A-Za-z0-9+/]{1,15}={1,2}"
        r"|[A-Za-z-]{3,20}: [^\n\\]{1,100}))*+"
    )

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        for match in self.begin.finditer(text, timeout=deadline.remaining()):
            label = match.group(1)
            end_marker = f"END {label}"
            found = text.find(end_marker, match.end(), match.end() + _MAX_BODY)
            if found >= 0:
                stop = found + len(end_marker)
                while stop < len(text) and stop - found < len(end_marker) + 5 and text[stop] == "-":
                    stop += 1
            else:  # pasted without its END line: take the key material that follows
                tail = self.body.match(
                    text, match.end(), match.end() + _MAX_BODY, timeout=deadline.remaining()
                )
                stop = tail.end() if tail else match.end()
            yield self.candidate(match.start(), stop, 1.0)
