"""The review state index: items by prompt id, fed by both topics, written through a sink.

``QuarantineStore`` is the whole store minus Kafka consumption: it applies
quarantine records and state records (newest version wins, a tombstone erases
for good) and commits changes by sending them and waiting for the acks before
applying them locally. With a ``RecordingSink`` it is the in-memory double the
tests and the console tests use; ``KafkaQuarantineStore`` adds the consumer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from pipeline.bus import Record
from pipeline.config import TopicNames
from pipeline.metrics import Metrics
from pipeline.quarantine.model import QuarantineItem, ReviewState

__all__ = ["Clock", "QuarantineStore", "Query", "RecordingSink", "Sink"]

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Sink(Protocol):
    """What the store writes through: ``KafkaSink`` in production."""

    async def send_all(self, records: Iterable[Record]) -> None: ...


class RecordingSink:
    """Test double of ``KafkaSink``: keeps every record sent, optionally fails on demand."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.fail: Exception | None = None

    async def send_all(self, records: Iterable[Record]) -> None:
        batch = list(records)
        if self.fail is not None:
            raise self.fail
        self.records.extend(batch)

    def on(self, topic: str) -> list[Record]:
        return [r for r in self.records if r.topic == topic]


@dataclass(frozen=True, slots=True)
class Query:
    """Queue filters; all optional, combined with AND."""

    tenant: str | None = None
    reason: str | None = None
    state: ReviewState | None = None
    since: datetime | None = None
    older_than_seconds: float | None = None

    def matches(self, item: QuarantineItem, now: datetime) -> bool:
        return (
            (self.tenant is None or item.tenant == self.tenant)
            and (self.reason is None or any(self.reason in r for r in item.reasons))
            and (self.state is None or item.state is self.state)
            and (self.since is None or item.quarantined_at >= self.since)
            and (self.older_than_seconds is None
                 or item.age_seconds(now) >= self.older_than_seconds)
        )


class QuarantineStore:
    """Items by prompt id; all writes go through ``commit`` (acked, then applied)."""

    def __init__(self, topics: TopicNames, sink: Sink, *, clock: Clock = utcnow) -> None:
        self.topics = topics
        self.sink = sink
        self.clock = clock
        self._items: dict[str, QuarantineItem] = {}
        self._erased: set[str] = set()

    async def start(self) -> None:
        """Nothing to rebuild in memory; the Kafka store reads both topics here."""

    async def stop(self) -> None:
        """Nothing to release in memory."""

    def bind_metrics(self, metrics: Metrics) -> None:
        """Gauges computed at scrape time, so the oldest age keeps growing between changes."""
        metrics.quarantine_pending.set_function(lambda: float(self.pending_count()))
        metrics.quarantine_oldest_age.set_function(self.oldest_pending_age)

    # -- reads ---------------------------------------------------------------------------
    def get(self, prompt_id: str) -> QuarantineItem | None:
        return self._items.get(prompt_id)

    def query(self, query: Query | None = None) -> list[QuarantineItem]:
        """Return matching items, oldest first (the review order)."""
        q, now = query or Query(), self.clock()
        found = [i for i in self._items.values() if q.matches(i, now)]
        return sorted(found, key=lambda i: (i.quarantined_at, i.id))

    def pending(self) -> list[QuarantineItem]:
        return self.query(Query(state=ReviewState.PENDING))

    def pending_count(self) -> int:
        return sum(1 for i in self._items.values() if i.state is ReviewState.PENDING)

    def oldest_pending_age(self) -> float:
        now = self.clock()
        ages = [i.age_seconds(now) for i in self._items.values() if i.state is ReviewState.PENDING]
        return max(ages, default=0.0)

    # -- applying what the topics say ----------------------------------------------------
    def apply_quarantined(self, value: dict[str, Any]) -> None:
        """Add a new held prompt; ignored if we already know (or erased) this id."""
        prompt_id = str(value.get("id", ""))
        if prompt_id and prompt_id not in self._items and prompt_id not in self._erased:
            self._items[prompt_id] = QuarantineItem.from_quarantine(value)

    def apply_state(self, prompt_id: str, value: dict[str, Any] | None) -> None:
        """Apply a state record (newest version wins) or a tombstone (erased for good)."""
        if value is None:
            self._items.pop(prompt_id, None)
            self._erased.add(prompt_id)
            return
        if prompt_id in self._erased:
            return
        current = self._items.get(prompt_id)
        incoming = QuarantineItem.from_state_value(value)
        if current is None or incoming.version >= current.version:
            self._items[prompt_id] = incoming

    # -- writes --------------------------------------------------------------------------
    def state_record(self, prompt_id: str, item: QuarantineItem | None) -> Record:
        value = None if item is None else item.to_state_value()
        return Record(self.topics.quarantine_state, prompt_id, value)

    async def commit(
        self, prompt_id: str, item: QuarantineItem | None, extra: Sequence[Record] = ()
    ) -> None:
        """Write the new state (or tombstone) with its side records; apply once all are acked."""
        await self.sink.send_all([self.state_record(prompt_id, item), *extra])
        self.apply_state(prompt_id, None if item is None else item.to_state_value())

    async def send(self, records: Sequence[Record]) -> None:
        """Send records that change no state (audit of a view or reveal); wait for acks."""
        await self.sink.send_all(records)
