"""Every topic the pipeline touches, declared once, each tied to its schema.

Names come from settings (``PROMPT_DLP_TOPICS__*``); the roles and their
schemas are fixed here. ``compacted`` topics hold state keyed by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pipeline.config import Settings

__all__ = ["TopicRole", "TopicSpec", "spec_for", "topic_specs"]


class TopicRole(StrEnum):
    """What a topic is for, independent of its configured name."""

    INBOUND = "inbound"
    APPROVED = "approved"
    RESPONSES = "responses"
    RESPONSES_STREAM = "responses_stream"
    QUARANTINE = "quarantine"
    DLQ = "dlq"
    AUDIT = "audit"
    VAULT = "vault"
    QUARANTINE_STATE = "quarantine_state"
    CONTROL = "control"


_SCHEMAS: dict[TopicRole, str | None] = {
    TopicRole.INBOUND: "inbound.json",
    TopicRole.APPROVED: "approved.json",
    TopicRole.RESPONSES: "response.json",
    TopicRole.RESPONSES_STREAM: None,  # v2 only: schemas/v2/response_chunk.json
    TopicRole.QUARANTINE: "quarantine.json",
    TopicRole.DLQ: "dlq.json",
    TopicRole.AUDIT: "audit.json",
    TopicRole.VAULT: None,
    TopicRole.QUARANTINE_STATE: None,
    TopicRole.CONTROL: "control.json",
}
# Room for a maximal inbound event once base64-encrypted into quarantine/DLQ.
MAX_MESSAGE_BYTES = 8 * 1024 * 1024
QUARANTINE_RETENTION_MS = 35 * 24 * 3600 * 1000
_HELD_FOR_REVIEW = {TopicRole.QUARANTINE, TopicRole.QUARANTINE_STATE}
_COMPACTED = {TopicRole.VAULT, TopicRole.QUARANTINE_STATE}


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic's role, configured name, partitions and schema file (under schemas/v1)."""

    role: TopicRole
    name: str
    partitions: int
    replication: int
    schema: str | None
    compacted: bool

    def config(self) -> dict[str, str]:
        """Broker-side topic config used when we create it."""
        config = {"max.message.bytes": str(MAX_MESSAGE_BYTES)}
        if self.compacted:
            config |= {"cleanup.policy": "compact", "min.compaction.lag.ms": "60000"}
        if self.role in _HELD_FOR_REVIEW:
            # A purge tombstone must outlive the quarantine record it cancels, or a
            # restart of the review store would resurrect the item.
            key = "retention.ms" if self.role is TopicRole.QUARANTINE else "delete.retention.ms"
            config[key] = str(QUARANTINE_RETENTION_MS)
        return config


def topic_specs(settings: Settings) -> list[TopicSpec]:
    """All topics in flow order."""
    names = settings.topics
    return [
        TopicSpec(
            role=role,
            name=getattr(names, role.value),
            partitions=settings.partitions,
            replication=settings.replication,
            schema=_SCHEMAS[role],
            compacted=role in _COMPACTED,
        )
        for role in TopicRole
    ]


def spec_for(settings: Settings, role: TopicRole) -> TopicSpec:
    return next(s for s in topic_specs(settings) if s.role is role)
