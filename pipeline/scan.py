"""Offline scanning: the very same classify stage over JSONL, for dry-runs and backfills.

One inbound event per input line; one JSON line per event out, in order:
``{"id", "action", "messages" and "request" (null when blocked), "findings"}``
or, for a line that is not a valid event, ``{"line", "error", "detail"}``.
``request`` is the whole redacted request as it would be sent (v1 and v2
events alike); ``messages`` is its ``messages``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO, Any

import orjson

from pipeline.route.classify import Classifier, RawEvent, Routed

__all__ = ["scan_lines", "scan_stream"]

_BATCH = 64


def scan_lines(classifier: Classifier, lines: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    """Yield one result dict per non-blank input line, batching for spaCy."""
    numbered = ((n, line.rstrip(b"\r\n")) for n, line in enumerate(lines, start=1) if line.strip())
    while batch := list(islice(numbered, _BATCH)):
        raws = [RawEvent(line, "scan", 0, n) for n, line in batch]
        for (n, _), routed in zip(batch, classifier.classify(raws), strict=True):
            yield _result(n, routed)


def scan_stream(classifier: Classifier, source: IO[bytes], sink: IO[bytes]) -> tuple[int, int]:
    """Scan ``source`` into ``sink``; return (events written, error lines)."""
    written = errors = 0
    for result in scan_lines(classifier, source):
        sink.write(orjson.dumps(result) + b"\n")
        written += 1
        errors += "error" in result
    sink.flush()
    return written, errors


def _result(line: int, routed: Routed) -> dict[str, Any]:
    primary = routed.records[0].value or {}
    if routed.route == "dlq":
        return {
            "line": line,
            "id": primary.get("id"),
            "error": primary["reason"],
            "detail": primary["error"],
        }
    decision = primary["decision"]
    request = primary.get("request") if routed.route == "approved" else None
    return {
        "id": primary["id"],
        "action": decision["action"],
        "messages": request["messages"] if request is not None else None,
        "request": request,
        "findings": primary["findings"],
        "rule_ids": decision["rule_ids"],
        "reasons": decision["reasons"],
        "classification": decision["classification"],
    }
