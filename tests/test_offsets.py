"""The commit path: offsets move over done records only, gaps are rewound, revokes drain.

The port below is a small in-memory partition log with a fetch position, not a copy of any
production class: it answers what a Kafka consumer would (committed offset, log start,
highwater) and records the seeks and commits the manager asks for.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

from pipeline.faustcompat import Partition
from pipeline.metrics import Metrics
from pipeline.offsets import OffsetManager

TOPIC = "prompts.inbound"
P0 = Partition(TOPIC, 0)


class LogPort:
    """One or more partitions of a log, with committed offsets and a fetch position each."""

    def __init__(self, size: int = 100, committed: int | None = None, start: int = 0) -> None:
        self.size = size
        self.start = start
        self.committed_at: dict[Partition, int | None] = {P0: committed}
        self.assigned: set[Partition] = {P0}
        self.position: dict[Partition, int] = {P0: committed if committed is not None else start}
        self.seeks: list[tuple[Partition, int]] = []
        self.commits: list[dict[Partition, int]] = []
        self.refuse_commits = False
        self.no_record: set[int] = set()  # offsets of transaction markers / compacted away

    async def first_offset_from(self, p: Partition, offset: int) -> int | None:
        return next((o for o in range(offset, self.size) if o not in self.no_record), None)

    def assignment(self) -> set[Partition]:
        return set(self.assigned)

    async def committed(self, p: Partition) -> int | None:
        return self.committed_at.get(p)

    async def beginning(self, p: Partition) -> int:
        return self.start

    def highwater(self, p: Partition) -> int | None:
        return self.size

    async def commit(self, offsets: Mapping[Partition, int]) -> bool:
        if self.refuse_commits:
            return False
        self.commits.append(dict(offsets))
        self.committed_at.update(offsets)
        return True

    async def seek(self, p: Partition, offset: int) -> None:
        self.seeks.append((p, offset))
        self.position[p] = offset


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def manager(
    port: LogPort, clock: Clock | None = None, **kw: float
) -> tuple[OffsetManager, Metrics]:
    metrics = Metrics(CollectorRegistry(), process_metrics=False)
    kw.setdefault("drain_seconds", 0.2)
    return OffsetManager(port, metrics, {TOPIC}, clock=clock or Clock(), **kw), metrics


def gaps(metrics: Metrics, partition: int = 0) -> float:
    return metrics.offset_gaps.labels(TOPIC, str(partition))._value.get()  # type: ignore[attr-defined, no-any-return]


def seeks(metrics: Metrics, reason: str) -> float:
    return metrics.offset_seeks.labels(TOPIC, reason)._value.get()  # type: ignore[attr-defined, no-any-return]


async def test_commit_moves_only_over_contiguous_done_offsets() -> None:
    port = LogPort(committed=10)
    m, _ = manager(port)
    tickets = [await m.admit(TOPIC, 0, o) for o in (10, 11, 12)]
    assert all(t is not None for t in tickets)
    m.done(tickets[0])  # type: ignore[arg-type]
    m.done(tickets[2])  # type: ignore[arg-type]
    await m.commit()
    assert port.committed_at[P0] == 11  # 11 is not done: 12 must not be committed over
    m.done(tickets[1])  # type: ignore[arg-type]
    await m.commit()
    assert port.committed_at[P0] == 13


async def test_a_record_ahead_after_assignment_is_dropped_and_the_fetcher_rewound() -> None:
    port = LogPort(committed=5)
    m, metrics = manager(port)
    assert await m.admit(TOPIC, 0, 8) is None  # 5..7 were dropped by a queue clear
    assert port.seeks == [(P0, 5)]
    assert seeks(metrics, "assignment") == 1
    assert gaps(metrics) == 0  # not yet in order: a routine realignment, not a gap
    assert await m.admit(TOPIC, 0, 9) is None  # more stale ones: no second seek
    assert port.seeks == [(P0, 5)]
    for offset in (5, 6, 7, 8):
        assert await m.admit(TOPIC, 0, offset) is not None


async def test_a_gap_mid_stream_is_counted_logged_and_rewound(
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = LogPort(committed=0)
    m, metrics = manager(port)
    for offset in (0, 1):
        ticket = await m.admit(TOPIC, 0, offset)
        assert ticket is not None
        m.done(ticket)
    assert await m.admit(TOPIC, 0, 4) is None
    assert gaps(metrics) == 1
    assert port.seeks == [(P0, 2)]
    assert "offset gap on prompts.inbound[0]: expected 2, received 4" in caplog.text
    await m.commit()
    assert port.committed_at[P0] == 2  # never past the hole


async def test_redelivered_records_are_dropped() -> None:
    port = LogPort(committed=0)
    m, metrics = manager(port)
    assert await m.admit(TOPIC, 0, 0) is not None
    assert await m.admit(TOPIC, 0, 0) is None
    assert metrics.offset_redeliveries.labels(TOPIC)._value.get() == 1  # type: ignore[attr-defined]


async def test_no_commit_yet_starts_at_the_log_start_not_at_the_first_record() -> None:
    port = LogPort(committed=None, start=3)
    m, _ = manager(port)
    assert await m.admit(TOPIC, 0, 7) is None  # 3..6 vanished in faust's resume: rewind
    assert port.seeks == [(P0, 3)]


async def test_committed_below_log_start_starts_at_the_log_start() -> None:
    port = LogPort(committed=2, start=40)
    m, _ = manager(port)
    assert await m.admit(TOPIC, 0, 40) is not None


async def test_partition_not_assigned_is_not_admitted() -> None:
    port = LogPort(committed=0)
    port.assigned = set()
    m, _ = manager(port)
    assert await m.admit(TOPIC, 0, 0) is None


async def test_refused_commit_is_retried_and_counted() -> None:
    port = LogPort(committed=0)
    m, metrics = manager(port)
    ticket = await m.admit(TOPIC, 0, 0)
    assert ticket is not None
    m.done(ticket)
    port.refuse_commits = True
    assert not await m.commit()
    assert metrics.offset_commit_failures.labels(TOPIC)._value.get() == 1  # type: ignore[attr-defined]
    port.refuse_commits = False
    assert await m.commit()
    assert port.committed_at[P0] == 1


async def test_revoke_waits_for_in_flight_commits_and_ignores_late_completions() -> None:
    port = LogPort(committed=0)
    m, _ = manager(port, drain_seconds=2.0)
    first = await m.admit(TOPIC, 0, 0)
    late = await m.admit(TOPIC, 0, 1)
    assert first is not None and late is not None

    async def finish_first() -> None:
        await asyncio.sleep(0.05)
        m.done(first)

    finishing = asyncio.create_task(finish_first())
    # record 1 never finishes within the drain: its offset must stay uncommitted
    m2_drain = asyncio.create_task(m.on_revoked({P0}))
    await asyncio.gather(finishing, m2_drain)
    assert port.committed_at[P0] == 1
    m.done(late)  # finished after the revoke: belongs to the old generation
    await m.commit()
    assert port.committed_at[P0] == 1
    # re-assigned: a fresh ledger from the broker's committed offset
    assert await m.admit(TOPIC, 0, 1) is not None


async def test_watchdog_retries_a_rewind_whose_record_does_not_come() -> None:
    port = LogPort(committed=0)
    clock = Clock()
    m, metrics = manager(port, clock, retry_seconds=1.0)
    assert await m.admit(TOPIC, 0, 5) is None
    await m.watch()
    assert seeks(metrics, "retry") == 0
    clock.now += 1.5
    await m.watch()
    assert seeks(metrics, "retry") == 1
    assert port.seeks == [(P0, 0), (P0, 0)]


async def test_watchdog_rewinds_a_partition_that_went_quiet_with_records_left() -> None:
    port = LogPort(size=10, committed=0)
    clock = Clock()
    m, metrics = manager(port, clock, stall_seconds=5.0)
    for offset in (0, 1):
        ticket = await m.admit(TOPIC, 0, offset)
        assert ticket is not None
        m.done(ticket)
    clock.now += 6
    await m.watch()  # records 2..9 exist but never came (lost from a queue, at the tail)
    assert seeks(metrics, "stall") == 1
    assert port.seeks[-1] == (P0, 2)


async def test_watchdog_opens_an_assigned_partition_that_never_delivered() -> None:
    port = LogPort(size=10, committed=4)
    clock = Clock()
    m, metrics = manager(port, clock, stall_seconds=5.0)
    await m.on_assigned({P0})
    clock.now += 6
    await m.watch()  # opens the ledger at 4
    clock.now += 6
    await m.watch()
    assert port.seeks[-1] == (P0, 4)
    assert seeks(metrics, "stall") == 1


async def test_offsets_without_records_are_stepped_over_only_on_the_brokers_word() -> None:
    port = LogPort(size=10, committed=0)
    port.no_record = {5, 6}  # e.g. transaction commit markers
    clock = Clock()
    m, metrics = manager(port, clock, retry_seconds=1.0)
    for offset in range(5):
        ticket = await m.admit(TOPIC, 0, offset)
        assert ticket is not None
        m.done(ticket)
    ticket = await m.admit(TOPIC, 0, 7)  # the broker has nothing at 5 and 6: admitted
    assert ticket is not None
    assert seeks(metrics, "no_data") == 1
    assert gaps(metrics) == 0 and port.seeks == []
    m.done(ticket)
    await m.commit()
    assert port.committed_at[P0] == 8


async def test_a_record_the_broker_has_is_never_stepped_over() -> None:
    port = LogPort(size=10, committed=0)  # offset 0 exists, it was only dropped by a queue
    clock = Clock()
    m, metrics = manager(port, clock, retry_seconds=1.0)
    assert await m.admit(TOPIC, 0, 3) is None
    for _ in range(6):
        clock.now += 1.5
        await m.watch()
    assert seeks(metrics, "no_data") == 0
    assert await m.admit(TOPIC, 0, 0) is not None


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_a_faulty_fetcher_never_gets_an_unprocessed_offset_committed(seed: int) -> None:
    """Drops, duplicates and rebalances at random; the commit never passes an undone offset.

    The fetcher loses queued records (as faust's flow resume does), repeats records (after a
    rewind) and the partition is revoked and reassigned; completions arrive out of order.
    Invariant: every committed offset C has every offset < C processed; at the end all are.
    """
    print(f"seed={seed}")
    asyncio.run(_simulate(random.Random(seed)))


async def _simulate(rng: random.Random) -> None:
    size = 60
    port = LogPort(size=size, committed=None)
    clock = Clock()
    m, _ = manager(port, clock, retry_seconds=0.5, stall_seconds=2.0, drain_seconds=0.01)
    processed: set[int] = set()
    in_flight: list = []
    for _ in range(20000):
        if port.committed_at[P0] == size:
            break
        clock.now += 0.1
        roll = rng.random()
        if roll < 0.02:  # rebalance: revoke and reassign
            await m.on_revoked({P0})
            await m.on_assigned({P0})
            in_flight.clear()  # the old generation's work is abandoned
            port.position[P0] = port.committed_at[P0] or 0
            continue
        if roll < 0.05:
            await m.watch()
            continue
        if in_flight and roll < 0.35:
            ticket = in_flight.pop(rng.randrange(len(in_flight)))
            processed.add(ticket.offset)
            m.done(ticket)
            if rng.random() < 0.3:
                await m.commit()
            continue
        position = port.position[P0]
        if position >= size:
            await m.commit()
            await m.watch()
            continue
        port.position[P0] = position + 1
        if rng.random() < 0.1:
            continue  # the record vanished from a queue
        ticket = await m.admit(TOPIC, 0, position)
        if ticket is not None:
            in_flight.append(ticket)
        if rng.random() < 0.05 and position > 0:
            port.position[P0] = position - rng.randint(1, min(position, 3))  # a redelivery
        for commit in port.commits:
            offset = commit[P0]
            assert all(o in processed for o in range(offset)), f"committed {offset} over a hole"
    await m.close()
    assert processed == set(range(size))
    assert port.committed_at[P0] == size


def test_seek_reasons_in_the_catalog_are_the_enum() -> None:
    """The catalog primes exactly the reasons the commit path can count."""
    from pipeline.metrics.catalog import SEEK_REASONS
    from pipeline.offsets import SeekReason

    assert set(SEEK_REASONS) == {str(r) for r in SeekReason}
