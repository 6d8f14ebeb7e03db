"""Exact accounting of the classify stage's outcomes for fault tests.

Every produced record carries its test id as its correlation id (``x-correlation-id``), which
the classify stage keeps on its approved / quarantine / DLQ record (even when the value is not
JSON), so each outcome is attributed without trusting the payload. ``Ledger.check`` then demands:

* every input id has at least one outcome, and only expected ids appear;
* an id with several outcomes (at-least-once redelivery after a kill) has identical ones;
* each outcome is the expected route (clean/PII → approved, secret → quarantine, bad → DLQ);
* no secret appears on the approved topic, and every valid input has its decision audited.

Nothing is deduplicated before counting: duplicates are reported, never hidden.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from aiokafka.errors import KafkaError

from pipeline.config import TopicNames
from pipeline.tracing import CORRELATION_HEADER
from tests.integration.kafka_io import produce_records, read_all
from tests.security.corpus import Event

HEADER = CORRELATION_HEADER  # kept on every output when well formed


@dataclass(frozen=True)
class Outcome:
    route: str
    signature: tuple[Any, ...]


@dataclass(frozen=True)
class Report:
    outcomes: int
    duplicates: int  # outcomes beyond the first per id (identical by construction of check)
    by_route: dict[str, int]
    first: dict[str, Outcome]  # each id's outcome (all its outcomes are identical)


def _signature(route: str, value: dict[str, Any]) -> tuple[Any, ...]:
    if route == "dlq":
        return (value["reason"], value["error"])
    decision = value["decision"]
    base = (
        decision["action"],
        tuple(decision["rule_ids"]),
        tuple(decision["reasons"]),
        tuple(sorted(f["entity_type"] for f in value["findings"])),
    )
    if route == "approved":
        return (*base, tuple(m["content"] for m in value["request"]["messages"]))
    return base


class Ledger:
    def __init__(self, topics: TopicNames) -> None:
        self.topics = topics
        self.routes = {
            topics.approved: "approved",
            topics.quarantine: "quarantine",
            topics.dlq: "dlq",
        }

    @property
    def outputs(self) -> list[str]:
        return [*self.routes, self.topics.audit]

    async def produce(self, bootstrap: str, events: Sequence[Event], client: Any = None) -> None:
        await produce_records(
            bootstrap,
            self.topics.inbound,
            [(e.ident, e.raw, [(HEADER, e.ident.encode())]) for e in events],
            client=client,
        )

    def ids_seen(self, seen: dict[str, list[Any]]) -> set[str]:
        return {_test_id(r) for topic in self.routes for r in seen.get(topic, ())}

    def covers(self, events: Sequence[Event]) -> Any:
        """An ``until`` predicate for ``collect``: every event has an outcome."""
        wanted = {e.ident for e in events}
        return lambda seen: wanted <= self.ids_seen(seen)

    async def read(self, bootstrap: str, client: Any = None) -> dict[str, list[Any]]:
        return await read_all(bootstrap, self.outputs, client=client)

    def check(self, events: Sequence[Event], seen: dict[str, list[Any]]) -> Report:
        expected = {e.ident: e for e in events}
        outcomes: dict[str, list[Outcome]] = defaultdict(list)
        for topic, route in self.routes.items():
            for record in seen[topic]:
                ident = _test_id(record)
                value = orjson.loads(record.value)
                if route != "dlq" or value.get("id") is not None:
                    assert value["id"] == ident, f"{route} record for {ident}: id {value['id']}"
                outcomes[ident].append(Outcome(route, _signature(route, value)))
        stray = sorted(set(outcomes) - set(expected))
        assert not stray, f"unexpected ids: {stray[:10]}"
        lost = sorted(set(expected) - set(outcomes))
        assert not lost, f"{len(lost)} events have no outcome: {lost[:20]}"
        for ident, got in outcomes.items():
            assert len(set(got)) == 1, f"{ident}: duplicate outcomes differ: {got}"
            assert got[0].route in expected[ident].expect.split("|"), (
                f"{ident}: routed to {got[0].route}, expected {expected[ident].expect}"
            )
        approved = b"\n".join(r.value for r in seen[self.topics.approved])
        for event in events:
            for value in event.values:
                if value.category == "secret":
                    for needle in value.needles:
                        assert needle.encode() not in approved, f"secret of {event.ident} approved"
        audited = {
            v.get("id")
            for v in (orjson.loads(r.value) for r in seen[self.topics.audit])
            if v["event"] == "decision"
        }
        unaudited = sorted(
            e.ident for e in events if "dlq" not in e.expect and e.ident not in audited
        )
        assert not unaudited, f"decisions without an audit event: {unaudited[:20]}"
        total = sum(len(v) for v in outcomes.values())
        return Report(
            total,
            total - len(outcomes),
            dict(Counter(o.route for v in outcomes.values() for o in v)),
            {ident: got[0] for ident, got in outcomes.items()},
        )


def _test_id(record: Any) -> str:
    for key, value in record.headers or ():
        if key == HEADER:
            return bytes(value).decode()
    raise AssertionError(f"output record without {HEADER} header: {record.topic}@{record.offset}")


async def trickle(
    ledger: Ledger,
    bootstrap: str,
    events: Sequence[Event],
    chunk: int,
    pause: float,
    client: Any = None,
    outage: float = 0.0,
) -> None:
    """Produce ``events`` in chunks with a pause between them, so faults land mid-stream.

    With ``outage`` > 0 a chunk that cannot be sent (broker down) is retried for that long;
    a retried chunk may land twice, which the ledger then reports as (identical) duplicates.
    """
    for i in range(0, len(events), chunk):
        deadline = time.monotonic() + outage
        while True:
            try:
                await ledger.produce(bootstrap, events[i : i + chunk], client)
                break
            except KafkaError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)
        await asyncio.sleep(pause)
