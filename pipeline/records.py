"""Builders for the records every stage emits alike: timestamps, audit events, dead letters.

Classify, dispatch, review and privacy all write ``dlp.audit`` and
``prompts.dlq`` records; building them in one place keeps the contracts
(schemas/v1/audit.json, dlq.json) honoured by construction. None of these
takes clear-text content: dead-letter payloads arrive already encrypted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pipeline.crypto import Envelope
from pipeline.events import SCHEMA_VERSION, Finding

__all__ = ["audit", "dead_letter", "now_iso"]


def now_iso(now: datetime | None = None) -> str:
    """RFC 3339 UTC with milliseconds, as every contract's timestamps are written."""
    at = now or datetime.now(UTC)
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def dead_letter(
    *,
    reason: str,
    error: str,
    stage: str,
    source: tuple[str, int, int],
    payload: Envelope | None,
    payload_size: int,
    ident: tuple[str | None, str | None],
) -> dict[str, Any]:
    topic, partition, offset = source
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": ident[0],
        "tenant": ident[1],
        "reason": reason,
        "error": error,
        "stage": stage,
        "source": {"topic": topic, "partition": partition, "offset": offset},
        "payload_size": payload_size,
        "failed_at": now_iso(),
    }
    if payload is not None:
        out["payload"] = payload.to_dict()
    return out


def audit(
    *,
    event: str,
    actor: str,
    ident: dict[str, Any],
    route: str | None = None,
    decision: dict[str, Any] | None = None,
    findings: Sequence[Finding | Mapping[str, Any]] = (),
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "event": event,
        "id": ident.get("id"),
        "tenant": ident.get("tenant"),
        "user": ident.get("user"),
        "actor": actor,
        "at": now_iso(),
    }
    if route is not None:
        out["route"] = route
    if decision is not None:
        out["decision"] = decision
    if findings:
        out["findings"] = [f.to_dict() if isinstance(f, Finding) else dict(f) for f in findings]
    if detail:
        out["detail"] = detail
    return out
