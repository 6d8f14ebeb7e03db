"""Typed records mirroring the v1 event contracts in ``schemas/v1``.

Stages exchange these plain dataclasses, never raw dicts, so that a field
rename is a type error rather than a silent ``KeyError`` in production.
``to_dict`` output is exactly what goes on the wire (validated by the tests
against the JSON Schemas).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "SCHEMA_VERSION",
    "Action",
    "Category",
    "Decision",
    "Finding",
    "InboundPrompt",
    "Message",
]

SCHEMA_VERSION = "v1"


class Action(StrEnum):
    """What the policy decided for a prompt; ordered by severity."""

    ALLOW = "allow"
    REDACT = "redact"
    BLOCK = "block"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {Action.ALLOW: 0, Action.REDACT: 1, Action.BLOCK: 2}


class Category(StrEnum):
    """Coarse class of a finding; policies are written against these or entity types."""

    SECRET = "secret"
    PII = "pii"
    CUSTOM = "custom"


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message; ``content`` is the exact text that would be sent."""

    role: str
    content: str


@dataclass(frozen=True, slots=True)
class Finding:
    """A detected span. Deliberately carries no copy of the matched value."""

    entity_type: str
    category: Category
    message_index: int
    start: int
    end: int
    score: float
    detector: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity_type": self.entity_type,
            "category": str(self.category),
            "message_index": self.message_index,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "detector": self.detector,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """The policy's verdict: an action, the rule ids that fired, and why."""

    action: Action
    rule_ids: tuple[str, ...]
    reasons: tuple[str, ...] = ()
    classification: str = "public"
    destination: str | None = None
    policy_version: str = ""
    detector_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "action": str(self.action),
            "rule_ids": list(self.rule_ids),
            "reasons": list(self.reasons),
            "classification": self.classification,
        }
        if self.destination is not None:
            out["destination"] = self.destination
        if self.policy_version:
            out["policy_version"] = self.policy_version
        if self.detector_version:
            out["detector_version"] = self.detector_version
        return out


@dataclass(frozen=True, slots=True)
class InboundPrompt:
    """A validated ``prompts.inbound`` v1 event."""

    id: str
    tenant: str
    user: str
    model: str
    messages: tuple[Message, ...]
    conversation_id: str | None = None
    app: str | None = None
    created_at: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Kafka key: conversation id keeps a conversation on one partition."""
        return self.conversation_id or self.id

    def identity(self) -> dict[str, Any]:
        """Fields every outbound event repeats so consumers can join on them."""
        out: dict[str, Any] = {"id": self.id, "tenant": self.tenant, "user": self.user}
        if self.conversation_id is not None:
            out["conversation_id"] = self.conversation_id
        if self.app is not None:
            out["app"] = self.app
        return out

    def messages_dicts(self) -> list[dict[str, str]]:
        return [asdict(m) for m in self.messages]
