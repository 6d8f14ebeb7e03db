"""Builders for every event the classify stage emits, one function per contract.

Each returns the exact dict that goes on the wire (schemas/v1). None of them
takes clear-text content except ``approved`` (the messages as they will be
sent) — originals only ever travel encrypted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.crypto import Envelope
from pipeline.events import SCHEMA_VERSION, Decision, Finding, InboundPrompt, Message
from pipeline.records import audit, dead_letter, now_iso

__all__ = ["approved", "audit", "dead_letter", "decision_dict", "now_iso", "quarantined"]


def decision_dict(decision: Decision, policy_version: str, detector_version: str) -> dict[str, Any]:
    """The decision as carried on the wire, stamped with the versions that made it."""
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
