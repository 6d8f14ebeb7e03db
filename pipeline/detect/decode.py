"""Find base64, hex and URL-encoded blobs and return their decoded text for a second scan.

Bounded on every axis (blob size, blobs per text, nesting depth) so a hostile prompt cannot turn
decoding into the expensive part. Only blobs that decode to mostly printable UTF-8 are returned:
gzip, DER certificates, digests and random bytes are skipped.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from urllib.parse import unquote_plus

import regex

from pipeline.detect.base import Deadline

__all__ = ["MAX_DEPTH", "decoded_blobs"]

MAX_DEPTH = 2
_MAX_BLOB = 65_536
_MAX_BLOBS = 64
_BASE64 = regex.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{20,}={0,2}(?![A-Za-z0-9+/=_-])")
_HEX = regex.compile(r"(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}){10,}(?![0-9A-Fa-f])")
_URLENC = regex.compile(r"[^\s\"'<>]*%[0-9A-Fa-f]{2}[^\s\"'<>]*")
# Query strings and form bodies are decoded field by field, so a finding covers one value
# ("email=ludo%40x.it&tel=…" → just "ludo%40x.it"), not the whole body.
_URL_FIELD = regex.compile(r"[^&=?;]*%[0-9A-Fa-f]{2}[^&=?;]*")


def decoded_blobs(text: str, deadline: Deadline) -> Iterator[tuple[int, int, str]]:
    """Yield (start, end, decoded_text) for each encoded blob in ``text`` worth rescanning."""
    count = 0
    for pattern, decoder in ((_BASE64, _b64), (_HEX, _hex), (_URLENC, _url)):
        for match in pattern.finditer(text, timeout=deadline.remaining()):
            if match.end() - match.start() > _MAX_BLOB:
                continue
            for start, end in _pieces(text, match, pattern is _URLENC, deadline):
                decoded = decoder(text[start:end])
                if decoded is not None and _printable(decoded):
                    yield start, end, decoded
                    count += 1
                    if count >= _MAX_BLOBS:
                        return


def _pieces(text: str, match: regex.Match[str], form: bool,
            deadline: Deadline) -> list[tuple[int, int]]:
    """The blob itself, or for a URL-encoded form body its encoded fields one by one."""
    if not form or not any(c in match.group() for c in "&=?;"):
        return [match.span()]
    return [m.span() for m in _URL_FIELD.finditer(text, match.start(), match.end(),
                                                 timeout=deadline.remaining())]


def _b64(blob: str) -> str | None:
    body = blob.rstrip("=")
    if len(body) % 4 == 1 or body.isalpha() or body.isdigit():
        return None
    altchars = b"-_" if ("-" in body or "_" in body) else b"+/"
    try:
        raw = base64.b64decode(body + "=" * (-len(body) % 4), altchars=altchars, validate=True)
        return raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def _hex(blob: str) -> str | None:
    try:
        return bytes.fromhex(blob).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def _url(blob: str) -> str | None:
    decoded = unquote_plus(blob)
    return decoded if decoded != blob else None


def _printable(decoded: str) -> bool:
    if len(decoded) < 6:
        return False
    good = sum(c.isprintable() or c in "\n\r\t" for c in decoded)
    return good / len(decoded) >= 0.95 and any(c.isalpha() for c in decoded)
