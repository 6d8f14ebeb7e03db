"""One quarantined prompt's review state, and its wire form on ``dlp.quarantine.state``.

The state record repeats the quarantine record's clear fields (ids, decision,
findings, shape) and the encrypted original, plus the review history, so the
compacted topic alone is enough to rebuild a reviewed item. ``version`` grows by
one per change; a record older than what we hold is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pipeline.records import now_iso

__all__ = ["HistoryEntry", "QuarantineItem", "ReviewState", "now_iso", "parse_time"]


class ReviewState(StrEnum):
    """Where an item stands; only ``pending`` items can be released or rejected."""

    PENDING = "pending"
    RELEASED = "released"
    REJECTED = "rejected"
    EXPIRED = "expired"


def parse_time(text: str) -> datetime:
    at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """Who did what when, and why (justification or reason, typed by the reviewer)."""

    at: str
    actor: str
    action: str
    state: ReviewState
    justification: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "state": str(self.state),
        }
        if self.justification is not None:
            out["justification"] = self.justification
        if self.detail:
            out["detail"] = self.detail
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HistoryEntry:
        return cls(
            at=data["at"],
            actor=data["actor"],
            action=data["action"],
            state=ReviewState(data["state"]),
            justification=data.get("justification"),
            detail=dict(data.get("detail") or {}),
        )


_NOT_CLEAR = {"original", "state", "history", "version", "updated_at"}


@dataclass(frozen=True, slots=True)
class QuarantineItem:
    """A held prompt: its clear quarantine fields, the envelope (until destroyed), its history."""

    record: dict[str, Any]
    original: dict[str, Any] | None
    state: ReviewState = ReviewState.PENDING
    history: tuple[HistoryEntry, ...] = ()
    version: int = 0

    @property
    def id(self) -> str:
        return str(self.record["id"])

    @property
    def tenant(self) -> str:
        return str(self.record.get("tenant", ""))

    @property
    def key(self) -> str:
        """Kafka key of the outputs: the conversation keeps its partition."""
        return str(self.record.get("conversation_id") or self.record["id"])

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(self.record.get("findings") or [])

    @property
    def reasons(self) -> list[str]:
        return list((self.record.get("decision") or {}).get("reasons") or [])

    @property
    def quarantined_at(self) -> datetime:
        return parse_time(str(self.record["quarantined_at"]))

    def age_seconds(self, now: datetime) -> float:
        return max(0.0, (now - self.quarantined_at).total_seconds())

    @property
    def false_positives(self) -> set[int]:
        """Indexes of findings a reviewer marked as false positives."""
        return {int(h.detail["finding"]) for h in self.history if h.action == "false_positive"}

    def identity(self) -> dict[str, Any]:
        keys = ("id", "tenant", "user", "conversation_id", "app")
        return {k: self.record[k] for k in keys if self.record.get(k) is not None}

    def advance(self, entry: HistoryEntry, *, keep_original: bool = True) -> QuarantineItem:
        """Return the next version: ``entry`` appended, its state taken, envelope kept or not."""
        return replace(
            self,
            state=entry.state,
            history=(*self.history, entry),
            version=self.version + 1,
            original=self.original if keep_original else None,
        )

    def to_state_value(self) -> dict[str, Any]:
        return {
            **self.record,
            "original": self.original,
            "state": str(self.state),
            "history": [h.to_dict() for h in self.history],
            "version": self.version,
            "updated_at": self.history[-1].at if self.history else now_iso(),
        }

    @classmethod
    def from_quarantine(cls, value: dict[str, Any]) -> QuarantineItem:
        record = {k: v for k, v in value.items() if k not in _NOT_CLEAR}
        return cls(record=record, original=value.get("original"))

    @classmethod
    def from_state_value(cls, value: dict[str, Any]) -> QuarantineItem:
        return cls(
            record={k: v for k, v in value.items() if k not in _NOT_CLEAR},
            original=value.get("original"),
            state=ReviewState(value["state"]),
            history=tuple(HistoryEntry.from_dict(h) for h in value.get("history") or []),
            version=int(value.get("version", 0)),
        )
