"""Typed records mirroring the event contracts in ``schemas/v1`` and ``schemas/v2``.

Stages exchange these plain dataclasses, never raw dicts, so that a field
rename is a type error rather than a silent ``KeyError`` in production.
``to_dict`` output is exactly what goes on the wire (validated by the tests
against the JSON Schemas). The per-topic output records are in
``pipeline.records``; the request's scannable texts in ``pipeline.ingest.units``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.ingest.units import TextUnit

__all__ = [
    "SCHEMA_V2",
    "SCHEMA_VERSION",
    "Action",
    "Attachment",
    "Category",
    "Decision",
    "Finding",
    "InboundPrompt",
    "Message",
]

SCHEMA_VERSION = "v1"
SCHEMA_V2 = "v2"


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
    """A detected span. Deliberately carries no copy of the matched value.

    ``path`` (v2) names the string of the request it is in (see
    schemas/v2/common.json#/$defs/finding); ``start``/``end`` are offsets in
    that string. Without a path it is a v1 finding: offsets in
    ``messages[message_index].content``. A v2 finding outside ``messages``
    has ``message_index`` -1 (not written on the wire).
    """

    entity_type: str
    category: Category
    message_index: int
    start: int
    end: int
    score: float
    detector: str
    path: str = ""

    def to_dict(self) -> dict[str, Any]:
        if self.path:
            out: dict[str, Any] = {
                "entity_type": self.entity_type,
                "category": str(self.category),
                "path": self.path,
            }
            if self.message_index >= 0:
                out["message_index"] = self.message_index
            out.update(start=self.start, end=self.end, score=round(self.score, 4))
            out["detector"] = self.detector
            return out
        return {
            "entity_type": self.entity_type,
            "category": str(self.category),
            "message_index": self.message_index,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "detector": self.detector,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """A wire finding (v1 or v2) back as a record."""
        path = str(data.get("path", ""))
        return cls(
            entity_type=str(data["entity_type"]),
            category=Category(data["category"]),
            message_index=int(data.get("message_index", -1 if path else 0)),
            start=int(data["start"]),
            end=int(data["end"]),
            score=float(data["score"]),
            detector=str(data.get("detector", "")),
            path=path,
        )


@dataclass(frozen=True, slots=True)
class Attachment:
    """A part that cannot be scanned as text (image, audio, file), and the policy's action on it."""

    path: str
    type: str
    action: str = "block"

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "type": self.type, "action": self.action}


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
    attachments: tuple[Attachment, ...] = ()

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
        if self.attachments:
            out["attachments"] = [a.to_dict() for a in self.attachments]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        return cls(
            action=Action(data["action"]),
            rule_ids=tuple(data.get("rule_ids", ())),
            reasons=tuple(data.get("reasons", ())),
            classification=str(data.get("classification", "public")),
            destination=data.get("destination"),
            policy_version=str(data.get("policy_version", "")),
            detector_version=str(data.get("detector_version", "")),
            attachments=tuple(
                Attachment(str(a["path"]), str(a["type"]), str(a["action"]))
                for a in data.get("attachments", ())
            ),
        )


@dataclass(frozen=True, slots=True)
class InboundPrompt:
    """A validated ``prompts.inbound`` event (v2, or v1 converted to it).

    ``request`` is the whole Chat Completions body as received. ``units`` are
    its scannable texts and ``messages`` the same texts as the detection
    engine takes them: ``messages[i]`` is ``units[i]``, so an engine finding's
    ``message_index`` names a unit (``TextUnit.locate`` turns it into paths).
    ``attachments`` are the parts no text scan can read. A prompt built with
    only ``messages`` (v1 style, no request) has one unit per message.
    """

    id: str
    tenant: str
    user: str
    model: str
    messages: tuple[Message, ...]
    conversation_id: str | None = None
    app: str | None = None
    created_at: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    request: Mapping[str, Any] = field(default_factory=dict)
    units: tuple[TextUnit, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    schema_version: str = SCHEMA_VERSION

    @property
    def key(self) -> str:
        """Kafka key: conversation id keeps a conversation on one partition."""
        return self.conversation_id or self.id

    def identity(self) -> dict[str, Any]:
        """Fields every outbound event repeats so consumers can join on them."""
        from pipeline.records import Identity  # records builds on these types

        return Identity(self.id, self.tenant, self.user, self.conversation_id, self.app).to_dict()

    def messages_dicts(self) -> list[dict[str, str]]:
        return [asdict(m) for m in self.messages]
