"""``reidentify``: put the originals back for placeholders in an LLM answer."""

from __future__ import annotations

import re
from collections.abc import Collection

from pipeline.redact.pseudonyms import PLACEHOLDER_RE, PseudonymBook

__all__ = ["reidentify"]


def reidentify(text: str, book: PseudonymBook, allowed: Collection[str] | None = None) -> str:
    """``text`` with each of the book's placeholders replaced by exactly its original.

    Only placeholders whose entity type is in ``allowed`` are restored
    (``ScopedPolicy.reidentify``); ``None`` restores every kind. Tokens the book
    does not know are left as they are.
    """

    def restore(match: re.Match[str]) -> str:
        token = match[0]
        kind, original = book.kind(token), book.original(token)
        if kind is None or original is None or (allowed is not None and kind not in allowed):
            return token
        return original

    return PLACEHOLDER_RE.sub(restore, text)
