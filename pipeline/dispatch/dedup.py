"""At most one LLM call per prompt id: the dedup state machine and its Kafka-backed store.

    (none) --write "started", flushed--> call --response acked--> "done"

On redelivery the record decides: *done* → skip; *started* (we crashed mid-call)
→ call again with the same ``Idempotency-Key`` so the gateway replays the original
answer, or, for a destination without idempotency keys, give up with
``outcome_unknown`` rather than risk a second billable call.

The store is a faust Table keyed by prompt id whose changelog record is written
to the *same partition number as the approved record* being processed (faust's
own rule for tables updated from a stream; we pass the partition explicitly
because a batch is processed concurrently and faust's "current event" is then
ambiguous). The worker that owns approved partition P therefore owns, and has
restored, changelog partition P before it reads P, and every copy of a prompt id
lands on one partition because the classifier keys it by conversation id or id.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

__all__ = ["DedupRecord", "DedupState", "DedupStore", "Plan", "TableDedupStore", "plan"]


class DedupState(StrEnum):
    STARTED = "started"
    DONE = "done"


class Plan(StrEnum):
    """What to do with a (re)delivered approved prompt."""

    CALL = "call"  # first sight: write started, then call
    RESUME = "resume"  # started before a crash: call again with the same idempotency key
    SKIP = "skip"  # already answered
    OUTCOME_UNKNOWN = "outcome_unknown"  # started, no idempotency keys: never call twice


@dataclass(frozen=True, slots=True)
class DedupRecord:
    """The table value: state and when it was written (no content)."""

    state: DedupState
    at: float
    status: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"state": str(self.state), "at": self.at}
        if self.status is not None:
            out["status"] = self.status
        return out

    @classmethod
    def from_json(cls, data: Any) -> DedupRecord | None:
        if not isinstance(data, dict) or data.get("state") not in ("started", "done"):
            return None
        return cls(DedupState(data["state"]), float(data.get("at", 0.0)), data.get("status"))


def plan(record: DedupRecord | None, idempotency_keys: bool) -> Plan:
    """Decide what to do with a prompt; pure, so the whole state machine is unit-testable."""
    if record is None:
        return Plan.CALL
    if record.state is DedupState.DONE:
        return Plan.SKIP
    return Plan.RESUME if idempotency_keys else Plan.OUTCOME_UNKNOWN


class DedupStore(Protocol):
    """Where dedup records live; ``partition`` is the approved record's partition."""

    def get(self, prompt_id: str) -> DedupRecord | None: ...

    async def put(self, prompt_id: str, partition: int, record: DedupRecord) -> None:
        """Store and return only once the write is durable (acknowledged by all replicas)."""
        ...


class TableDedupStore:
    """A faust Table (json values) whose changelog write is awaited before returning."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def get(self, prompt_id: str) -> DedupRecord | None:
        return DedupRecord.from_json(self._table.data.get(prompt_id))

    async def put(self, prompt_id: str, partition: int, record: DedupRecord) -> None:
        value = record.to_json()
        self._table.data[prompt_id] = value
        # FutureMessage resolves when the producer (acks=all) got the broker's ack.
        await self._table.send_changelog(partition, prompt_id, value)


class MemoryDedupStore:
    """For unit tests: the same contract in a dict."""

    def __init__(self) -> None:
        self.records: dict[str, DedupRecord] = {}
        self.writes: list[tuple[str, int, DedupState]] = []

    def get(self, prompt_id: str) -> DedupRecord | None:
        return self.records.get(prompt_id)

    async def put(self, prompt_id: str, partition: int, record: DedupRecord) -> None:
        self.records[prompt_id] = record
        self.writes.append((prompt_id, partition, record.state))


def started() -> DedupRecord:
    return DedupRecord(DedupState.STARTED, time.time())


def done(status: str) -> DedupRecord:
    return DedupRecord(DedupState.DONE, time.time(), status)
