"""The records every stage emits, typed: one dataclass per topic, built and parsed here.

``ApprovedRequest``, ``QuarantinedRequest``, ``DeadLetter`` and ``AuditEvent``
are the v2 contracts (schemas/v2); ``to_dict`` is exactly the wire form and
``from_dict`` reads it back (tests check both against the schemas). None of
them takes clear-text content except ``ApprovedRequest.request`` (the
redacted request as it will be sent); originals and dead-letter payloads
arrive already encrypted.

``audit`` / ``dead_letter`` build the v1 dicts the stages not yet on v2
(review, privacy) still write; classify and dispatch write v2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pipeline.crypto import Envelope
from pipeline.events import SCHEMA_V2, SCHEMA_VERSION, Decision, Finding

__all__ = [
    "ApprovedRequest",
    "AuditEvent",
    "DeadLetter",
    "Identity",
    "QuarantinedRequest",
    "audit",
    "dead_letter",
    "now_iso",
]


def now_iso(now: datetime | None = None) -> str:
    """RFC 3339 UTC with milliseconds, as every contract's timestamps are written."""
    at = now or datetime.now(UTC)
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Identity:
    """The fields every record about a prompt repeats so consumers can join on them."""

    id: str
    tenant: str
    user: str
    conversation_id: str | None = None
    app: str | None = None

    @property
    def key(self) -> str:
        """Kafka key: conversation id keeps a conversation on one partition."""
        return self.conversation_id or self.id

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "tenant": self.tenant, "user": self.user}
        if self.conversation_id is not None:
            out["conversation_id"] = self.conversation_id
        if self.app is not None:
            out["app"] = self.app
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Identity:
        return cls(
            str(data["id"]),
            str(data["tenant"]),
            str(data["user"]),
            data.get("conversation_id"),
            data.get("app"),
        )


def _findings(data: Mapping[str, Any]) -> tuple[Finding, ...]:
    return tuple(Finding.from_dict(f) for f in data.get("findings", ()))


@dataclass(frozen=True, slots=True)
class ApprovedRequest:
    """``prompts.approved`` v2: the request exactly as dispatch will send it."""

    identity: Identity
    request: Mapping[str, Any]
    decision: Decision
    findings: tuple[Finding, ...]
    classified_at: str = field(default_factory=now_iso)
    created_at: str | None = None
    pseudonyms: Envelope | None = None
    released_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": SCHEMA_V2,
            **self.identity.to_dict(),
            "request": dict(self.request),
            "decision": self.decision.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "classified_at": self.classified_at,
        }
        if self.created_at is not None:
            out["created_at"] = self.created_at
        if self.pseudonyms is not None:
            out["pseudonyms"] = self.pseudonyms.to_dict()
        if self.released_by is not None:
            out["released_by"] = self.released_by
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ApprovedRequest:
        pseudonyms = data.get("pseudonyms")
        return cls(
            Identity.from_dict(data),
            dict(data["request"]),
            Decision.from_dict(data["decision"]),
            _findings(data),
            str(data["classified_at"]),
            data.get("created_at"),
            Envelope.from_dict(pseudonyms) if pseudonyms is not None else None,
            data.get("released_by"),
        )


@dataclass(frozen=True, slots=True)
class QuarantinedRequest:
    """``prompts.quarantine`` v2: the original only as an envelope of ``{"request": ...}``."""

    identity: Identity
    model: str
    decision: Decision
    findings: tuple[Finding, ...]
    original: Envelope
    message_roles: tuple[str, ...] = ()
    message_lengths: tuple[int, ...] = ()
    quarantined_at: str = field(default_factory=now_iso)
    created_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": SCHEMA_V2,
            **self.identity.to_dict(),
            "model": self.model,
            "decision": self.decision.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "original": self.original.to_dict(),
            "message_roles": list(self.message_roles),
            "message_lengths": list(self.message_lengths),
            "quarantined_at": self.quarantined_at,
        }
        if self.created_at is not None:
            out["created_at"] = self.created_at
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuarantinedRequest:
        return cls(
            Identity.from_dict(data),
            str(data["model"]),
            Decision.from_dict(data["decision"]),
            _findings(data),
            Envelope.from_dict(dict(data["original"])),
            tuple(data.get("message_roles", ())),
            tuple(data.get("message_lengths", ())),
            str(data["quarantined_at"]),
            data.get("created_at"),
        )


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """``prompts.dlq``: why an event could not be processed and where it came from."""

    reason: str
    error: str
    stage: str
    source: tuple[str, int, int]
    payload_size: int
    payload: Envelope | None = None
    id: str | None = None
    tenant: str | None = None
    failed_at: str = field(default_factory=now_iso)
    schema_version: str = SCHEMA_V2

    def to_dict(self) -> dict[str, Any]:
        topic, partition, offset = self.source
        out: dict[str, Any] = {
            "schema_version": self.schema_version,
            "id": self.id,
            "tenant": self.tenant,
            "reason": self.reason,
            "error": self.error,
            "stage": self.stage,
            "source": {"topic": topic, "partition": partition, "offset": offset},
            "payload_size": self.payload_size,
            "failed_at": self.failed_at,
        }
        if self.payload is not None:
            out["payload"] = self.payload.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeadLetter:
        src = data["source"]
        payload = data.get("payload")
        return cls(
            str(data["reason"]),
            str(data["error"]),
            str(data["stage"]),
            (str(src["topic"]), int(src["partition"]), int(src["offset"])),
            int(data.get("payload_size", 0)),
            Envelope.from_dict(payload) if payload is not None else None,
            data.get("id"),
            data.get("tenant"),
            str(data["failed_at"]),
            str(data["schema_version"]),
        )


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """``dlp.audit``: one decision or action; never a sensitive value."""

    event: str
    actor: str
    id: str | None
    tenant: str | None = None
    user: str | None = None
    route: str | None = None
    decision: Decision | None = None
    findings: tuple[Finding, ...] = ()
    detail: Mapping[str, Any] = field(default_factory=dict)
    at: str = field(default_factory=now_iso)
    schema_version: str = SCHEMA_V2

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": self.schema_version,
            "event": self.event,
            "id": self.id,
            "tenant": self.tenant,
            "user": self.user,
            "actor": self.actor,
            "at": self.at,
        }
        if self.route is not None:
            out["route"] = self.route
        if self.decision is not None:
            out["decision"] = self.decision.to_dict()
        if self.findings:
            out["findings"] = [f.to_dict() for f in self.findings]
        if self.detail:
            out["detail"] = dict(self.detail)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditEvent:
        decision = data.get("decision")
        return cls(
            str(data["event"]),
            str(data["actor"]),
            data.get("id"),
            data.get("tenant"),
            data.get("user"),
            data.get("route"),
            Decision.from_dict(decision) if decision is not None else None,
            _findings(data),
            dict(data.get("detail") or {}),
            str(data["at"]),
            str(data["schema_version"]),
        )


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
    """A v1 dead letter (stages not yet on v2)."""
    return DeadLetter(
        reason, error, stage, source, payload_size, payload, ident[0], ident[1],
        schema_version=SCHEMA_VERSION,
    ).to_dict()


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
    """A v1 audit dict (stages not yet on v2); ``decision``/``findings`` as given."""
    out = AuditEvent(
        event, actor, ident.get("id"), ident.get("tenant"), ident.get("user"), route,
        detail=detail or {}, schema_version=SCHEMA_VERSION,
    ).to_dict()
    if decision is not None:
        out["decision"] = decision
    if findings:
        out["findings"] = [f.to_dict() if isinstance(f, Finding) else dict(f) for f in findings]
    return out
