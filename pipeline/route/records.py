"""Builders for every event the classify stage emits, one function per contract.

Each returns the exact dict that goes on the wire (schemas/v1). None of them
takes clear-text content except ``approved`` (the messages as they will be
sent) — originals only ever travel encrypted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pipeline.crypto import Envelope
from pipeline.events import SCHEMA_VERSION, Decision, Finding, InboundPrompt, Message

__all__ = ["approved", "audit", "dead_letter", "now_iso", "quarantined"]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _decision(decision: Decision, policy_version: str, detector_version: str) -> dict[str, Any]:
    out = decision.to_dict()
    out["policy_version"] = policy_version
    out["detector_version"] = detector_version
    return out


def approved(
    prompt: InboundPrompt,
    messages: Sequence[Message],
    decision: dict[str, Any],
    findings: Sequence[Finding],
    pseudonyms: Envelope | None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        **prompt.identity(),
        "model": prompt.model,
        "messages": [{"role": m.role, "content": m.content} for m in messages],
        "decision": decision,
        "findings": [f.to_dict() for f in findings],
        "classified_at": now_iso(),
    }
    if prompt.created_at is not None:
        out["created_at"] = prompt.created_at
    if pseudonyms is not None:
        out["pseudonyms"] = pseudonyms.to_dict()
    return out


def quarantined(
    prompt: InboundPrompt,
    decision: dict[str, Any],
    findings: Sequence[Finding],
    original: Envelope,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        **prompt.identity(),
        "model": prompt.model,
        "decision": decision,
        "findings": [f.to_dict() for f in findings],
        "original": original.to_dict(),
        "message_roles": [m.role for m in prompt.messages],
        "message_lengths": [len(m.content) for m in prompt.messages],
        "quarantined_at": now_iso(),
    }
    if prompt.created_at is not None:
        out["created_at"] = prompt.created_at
    return out


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
    findings: Sequence[Finding] = (),
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
        out["findings"] = [f.to_dict() for f in findings]
    if detail:
        out["detail"] = detail
    return out


decision_dict = _decision
