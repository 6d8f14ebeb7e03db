"""Builders for what a review action emits: approved prompt, rejection, audit event.

Each returns the exact wire dict of its contract in ``schemas/v1``. Only
``approved`` carries message text: the prompt as it will be sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline import records as shared
from pipeline.events import SCHEMA_VERSION, Action, Decision, Finding, Message
from pipeline.quarantine.model import QuarantineItem, now_iso

__all__ = ["RELEASE_MODES", "approved", "audit", "rejection"]

RELEASE_MODES = ("redacted", "original")


def approved(
    item: QuarantineItem,
    messages: Sequence[Message],
    *,
    released_by: str,
    mode: str,
    decision: dict[str, Any] | None = None,
    findings: Sequence[dict[str, Any]] | None = None,
    request: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the released prompt; the decision says what was done to it on release.

    With ``request`` (a v2 original) it is a v2 approved record carrying the
    whole request; otherwise the v1 record with ``messages``.
    """
    base = dict(decision or item.record["decision"])
    base["action"] = str(Action.REDACT if mode == "redacted" else Action.ALLOW)
    base["reasons"] = [*base.get("reasons", []), f"released from quarantine ({mode})"]
    if request is not None:
        return shared.ApprovedRequest(
            shared.Identity.from_dict(item.identity()),
            request,
            Decision.from_dict(base),
            tuple(Finding.from_dict(f) for f in (item.findings if findings is None else findings)),
            created_at=item.record.get("created_at") or None,
            released_by=released_by,
        ).to_dict()
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        **item.identity(),
        "model": item.record["model"],
        "messages": [{"role": m.role, "content": m.content} for m in messages],
        "decision": base,
        "findings": list(item.findings if findings is None else findings),
        "classified_at": now_iso(),
        "released_by": released_by,
    }
    if item.record.get("created_at"):
        out["created_at"] = item.record["created_at"]
    return out


def rejection(item: QuarantineItem, reason: str) -> dict[str, Any]:
    """Build what the requester receives on ``prompts.responses`` instead of an answer."""
    return {
        "schema_version": SCHEMA_VERSION,
        **item.identity(),
        "status": "rejected",
        "answer": None,
        "model": item.record["model"],
        "reason": reason,
        "findings": item.findings,
        "responded_at": now_iso(),
    }


def audit(
    event: str,
    item: QuarantineItem | None,
    *,
    actor: str,
    prompt_id: str | None = None,
    findings: Sequence[dict[str, Any]] = (),
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One ``dlp.audit`` record: who did what to which prompt, never a sensitive value."""
    ident = item.identity() if item is not None else {"id": prompt_id}
    return shared.audit(
        event=event, actor=actor, ident=ident, route="quarantine", findings=findings, detail=detail
    )
