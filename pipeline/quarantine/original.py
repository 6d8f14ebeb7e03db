"""A decrypted quarantine original as the review tools read it, v1 or v2 alike.

The review code (masking, reveal, release, allow-list suggestions) works on a
list of ``Message``s with findings indexed by ``message_index``. A v1 original
is ``{"model", "messages"}`` with string contents; a v2 original is
``{"request": ...}``, the whole Chat Completions body. For v2 every scannable
string of the request is one ``Message`` (its role labelled with the string's
JSON path), v2 findings (located by path) are re-indexed onto them, and a
release writes the (possibly redacted) texts back into the request in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from pipeline.events import Message
from pipeline.ingest.segments import public_index
from pipeline.ingest.units import Segment, request_units
from pipeline.redact.engine import apply_texts, segment_findings

__all__ = ["ReviewMessages", "open_original", "released_request", "review_findings"]


class ReviewMessages(list[Message]):
    """The texts of an original; ``request`` and ``segments`` are set for a v2 original."""

    request: dict[str, Any] | None = None
    segments: tuple[Segment, ...] = ()
    paths: tuple[str, ...] = ()  # each segment's path as records write it


def open_original(clear: bytes, findings: Sequence[dict[str, Any]] = ()) -> ReviewMessages:
    """The original's texts; labels and ``paths`` as the item's ``findings`` wrote them."""
    body = orjson.loads(clear)
    if "request" not in body:
        return ReviewMessages(Message(m["role"], m["content"]) for m in body["messages"])
    request = body["request"]
    units, _ = request_units(request)
    segments, texts, _ = segment_findings(units, ())
    # A key that held a value is named by its position, in labels too (the masked view).
    index = public_index(segments, {str(f.get("path", "")) for f in findings})
    paths = [""] * len(segments)
    for path, i in index.items():
        paths[i] = path
    out = ReviewMessages(Message(f"{t.role} · {p}", t.content) for p, t in zip(
        paths, texts, strict=True))
    out.request = request
    out.segments = tuple(segments)
    out.paths = tuple(paths)
    return out


def review_findings(
    messages: Sequence[Message], findings: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Findings with ``message_index`` naming the ``Message`` they are in (v2: by path)."""
    paths = getattr(messages, "paths", ())
    if not paths:
        return [dict(f) for f in findings]
    index = {p: i for i, p in enumerate(paths)}
    return [{**f, "message_index": index.get(str(f.get("path", "")), -1)} for f in findings]


def released_request(
    original: ReviewMessages, sent: Sequence[Message]
) -> dict[str, Any] | None:
    """The v2 request to release: ``sent``'s texts written back in place (``None`` for v1)."""
    if original.request is None:
        return None
    changed = [
        (seg, new.content)
        for seg, old, new in zip(original.segments, original, sent, strict=True)
        if new.content != old.content
    ]
    return apply_texts(original.request, changed)
