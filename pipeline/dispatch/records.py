"""Builders for what the dispatch stage emits, one function per contract (schemas/v1).

A failed prompt yields two records: a DLQ entry for operators (with the payload
encrypted, so nothing is lost) and a ``failed`` response so the requester hears
back. No builder puts prompt content anywhere in clear except the answer itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline import records as shared
from pipeline.bus import Record
from pipeline.crypto import KeyRing
from pipeline.dispatch.client import Completion
from pipeline.events import SCHEMA_VERSION, Finding
from pipeline.records import now_iso

__all__ = [
    "Source",
    "answer_records",
    "dead_letter",
    "failed_response",
    "failure_records",
    "identity",
    "now_iso",
    "ok_response",
]

_IDENTITY = ("id", "tenant", "user", "conversation_id", "app")


@dataclass(frozen=True, slots=True)
class Source:
    """Where the approved record came from (for the DLQ and the dedup partition)."""

    topic: str
    partition: int
    offset: int
    timestamp: float | None = None


def identity(approved: dict[str, Any]) -> dict[str, Any]:
    """Pick the join fields every response repeats."""
    return {k: approved[k] for k in _IDENTITY if isinstance(approved.get(k), str)}


def ok_response(
    approved: dict[str, Any],
    answer: str,
    completion: Completion,
    findings: Sequence[Finding],
    destination: str,
) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        **identity(approved),
        "status": "ok",
        "answer": answer,
        "finish_reason": completion.finish_reason,
        "usage": completion.usage(),
        "latency_seconds": round(max(0.0, completion.latency_seconds), 6),
        "destination": destination,
        "model": completion.model or str(approved.get("model", "")),
        "findings": [f.to_dict() for f in findings],
        "responded_at": now_iso(),
    }


def failed_response(approved: dict[str, Any], reason: str, destination: str) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        **identity(approved),
        "status": "failed",
        "answer": None,
        "reason": reason,
        "destination": destination,
        "model": str(approved.get("model", "")),
        "responded_at": now_iso(),
    }


def dead_letter(
    raw: bytes,
    approved: dict[str, Any] | None,
    reason: str,
    error: str,
    source: Source,
    keyring: KeyRing | None,
) -> dict[str, Any]:
    """Build a DLQ entry; ``error`` must already be free of content (our messages are codes)."""
    prompt_id = approved.get("id") if approved else None
    tenant = approved.get("tenant") if approved else None
    origin = (source.topic, source.partition, source.offset)
    # Same binding as the classify stage's DLQ: the envelope opens only for its origin.
    payload = (
        keyring.encrypt(raw, "/".join(map(str, origin)).encode()) if keyring is not None else None
    )
    return shared.dead_letter(
        reason=reason,
        error=error,
        stage="dispatch",
        source=origin,
        payload=payload,
        payload_size=len(raw),
        ident=(
            prompt_id if isinstance(prompt_id, str) else None,
            tenant if isinstance(tenant, str) else None,
        ),
    )


def failure_records(
    topics: Any,
    raw: bytes,
    approved: dict[str, Any] | None,
    reason: str,
    error: str,
    destination: str,
    source: Source,
    keyring: KeyRing | None,
) -> list[Record]:
    """DLQ entry, plus a failed response and its audit event when we know whom to answer."""
    key = str(approved["id"]) if approved and isinstance(approved.get("id"), str) else None
    out = [Record(topics.dlq, key, dead_letter(raw, approved, reason, error, source, keyring))]
    if approved is not None and key is not None:
        out += answer_records(topics, approved, failed_response(approved, reason, destination))
    return out


def answer_records(topics: Any, approved: dict[str, Any], response: dict[str, Any]) -> list[Record]:
    """The response for the requester, keyed like its prompt, and the audit event of the call."""
    key = str(approved.get("conversation_id") or approved["id"])
    detail = {"status": response["status"], "destination": response.get("destination")}
    if response.get("reason"):
        detail["reason"] = response["reason"]
    audit = shared.audit(
        event="dispatched",
        actor="dispatch-worker",
        ident=identity(approved),
        route="responses",
        findings=response.get("findings") or (),
        detail=detail,
    )
    return [Record(topics.responses, key, response), Record(topics.audit, key, audit)]
