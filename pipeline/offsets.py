"""The commit path: a partition's offset only moves over records whose outputs are durable.

The rule (as in Sentry's arroyo): the committed offset of a partition is the first offset
whose every predecessor has been *done* — its outputs acknowledged by the broker. faust's own
bookkeeping cannot promise that: it counts a jump in fetched offsets as a gap to fill in as
acked, and at the end of every recovery it empties the agents' queues on the assumption that
the fetcher was rewound, which it was not for every partition; together they committed over
records that were never processed. So the source topics are declared with ``acks=False``
(faust tracks and commits nothing for them) and this module is their only committer.

Per partition a :class:`Ledger` starts from the committed position read from the broker when
the partition's first record arrives after an assignment, admits records strictly in offset
order from there, and moves its watermark over done offsets only. A record that arrives ahead
of the next expected offset is never processed on trust: the broker is asked directly for the
first record at the expected offset; if there is none before this one (transaction markers,
compaction) the ledger steps over the empty offsets, otherwise the fetcher is rewound to the
expected offset (``seek``) and the records come again in order. After an assignment that is
routine (faust dropped records fetched while it recovered); once a partition was in order, it
is a *gap* — counted (``prompt_dlp_offset_gaps_total``), logged with topic, partition and
offsets, alerted on — and healed the same way. A watchdog re-seeks a partition whose expected
record does not come, so nothing waits for traffic that may never arrive.

Revocation waits (bounded) for records in flight, commits the watermarks while the old
generation may still commit, and closes the ledgers: work that finishes later is not counted,
and the next owner redoes it (at-least-once; dispatch's dedup table keeps the LLM call single).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from pipeline.faustcompat import Partition
from pipeline.metrics import Metrics
from pipeline.tasks import stop_task

__all__ = ["ConsumerPort", "Ledger", "OffsetManager", "SeekReason", "Ticket", "Verdict"]

log = logging.getLogger(__name__)


class ConsumerPort(Protocol):
    """The consumer operations the commit path needs (``FaustConsumerPort`` in production)."""

    def assignment(self) -> set[Partition]: ...
    async def committed(self, p: Partition) -> int | None: ...
    async def beginning(self, p: Partition) -> int: ...
    def highwater(self, p: Partition) -> int | None: ...
    async def commit(self, offsets: Mapping[Partition, int]) -> bool: ...
    async def seek(self, p: Partition, offset: int) -> None: ...
    async def first_offset_from(self, p: Partition, offset: int) -> int | None: ...


class Verdict(StrEnum):
    ACCEPT = "accept"  # the next offset: process it
    DUPLICATE = "duplicate"  # already admitted in this generation: drop
    AHEAD = "ahead"  # something before it is missing: drop it, rewind


class SeekReason(StrEnum):
    """Why the fetcher was rewound; a label of ``prompt_dlp_offset_seeks_total``."""

    ASSIGNMENT = "assignment"  # first records after an assignment skipped the committed offset
    GAP = "gap"  # a record went missing mid-stream
    RETRY = "retry"  # the expected record did not come after a rewind
    STALL = "stall"  # nothing arrived although the partition has more records
    NO_DATA = "no_data"  # the broker holds no record there (transaction markers, compaction)


@dataclass(eq=False)
class Ledger:
    """One partition's admitted, done and committed offsets in one generation."""

    partition: Partition
    committed: int
    position: int = -1  # next offset to admit
    watermark: int = -1  # first offset not done: what may be committed
    done: set[int] = field(default_factory=set)
    inflight: int = 0
    aligned: bool = False  # a record was admitted since the last rewind
    open: bool = True
    last_seen: float = 0.0
    seek_at: float | None = None  # last rewind while waiting for ``position``
    rewinds: int = 0  # rewinds to the same ``position`` without it arriving

    def __post_init__(self) -> None:
        self.position = self.watermark = self.committed

    def offer(self, offset: int, now: float) -> Verdict:
        self.last_seen = now
        if offset == self.position:
            self.position += 1
            self.inflight += 1
            self.aligned = True
            self.seek_at = None
            self.rewinds = 0
            return Verdict.ACCEPT
        return Verdict.DUPLICATE if offset < self.position else Verdict.AHEAD

    def complete(self, offset: int) -> None:
        self.inflight -= 1
        self.done.add(offset)
        self._advance()

    def skip_to(self, offset: int) -> None:
        """Offsets ``position..offset-1`` hold no record: nothing to process or wait for."""
        self.done.update(range(self.position, offset))
        self.position = offset
        self.seek_at = None
        self.rewinds = 0
        self._advance()

    def _advance(self) -> None:
        while self.watermark in self.done:
            self.done.discard(self.watermark)
            self.watermark += 1


@dataclass(frozen=True, eq=False)
class Ticket:
    """An admitted record; hand it back to :meth:`OffsetManager.done` once outputs are durable."""

    ledger: Ledger
    offset: int


class OffsetManager:
    """Admits records in order, commits contiguous watermarks, rewinds on gaps (see module doc)."""

    def __init__(
        self,
        port: ConsumerPort,
        metrics: Metrics,
        topics: Iterable[str],
        *,
        commit_interval: float = 1.0,
        retry_seconds: float = 1.0,
        probe_after: int = 3,
        stall_seconds: float = 10.0,
        drain_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._port = port
        self._metrics = metrics
        self.topics = frozenset(topics)
        self._commit_interval = commit_interval
        self._retry = retry_seconds
        self._probe_after = probe_after
        self._stall = stall_seconds
        self._drain = drain_seconds
        self._clock = clock
        self._ledgers: dict[Partition, Ledger] = {}
        self._assigned_at: dict[Partition, float] = {}
        self._epoch = 0  # bumped by every revocation: an open() that spans one is discarded
        self._changed = asyncio.Event()
        self._commit_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        metrics.prime(source_topics=self.topics)

    # -- the agents' side -------------------------------------------------------------------

    async def admit(self, topic: str, partition: int, offset: int) -> Ticket | None:
        """A ticket if this record is the partition's next one, else None (do not process it)."""
        p = Partition(topic, partition)
        ledger = self._ledgers.get(p) or await self._open(p)
        if ledger is None:
            return None
        verdict = ledger.offer(offset, self._clock())
        if verdict is Verdict.ACCEPT:
            return Ticket(ledger, offset)
        if verdict is Verdict.DUPLICATE:
            self._metrics.offset_redeliveries.labels(topic).inc()
            return None
        stepped_over = await self._ahead(ledger, offset)
        if stepped_over and ledger.offer(offset, self._clock()) is Verdict.ACCEPT:
            return Ticket(ledger, offset)
        return None

    def done(self, ticket: Ticket) -> None:
        """The record's outputs are acknowledged: its offset may be committed over."""
        if ticket.ledger.open:
            ticket.ledger.complete(ticket.offset)
        self._changed.set()

    # -- committing -------------------------------------------------------------------------

    async def commit(self) -> bool:
        """Commit every open ledger's watermark that moved; False if the broker refused."""
        async with self._commit_lock:
            ledgers = {p: led for p, led in self._ledgers.items() if led.open}
            offsets = {
                p: led.watermark for p, led in ledgers.items() if led.watermark > led.committed
            }
            if not offsets:
                return True
            if not await self._port.commit(offsets):
                for p in offsets:
                    self._metrics.offset_commit_failures.labels(p.topic).inc()
                return False
            for p, offset in offsets.items():
                ledgers[p].committed = offset
            return True

    async def on_revoked(self, partitions: set[Partition]) -> None:
        """Drain what is in flight (bounded), commit it, and forget the revoked partitions."""
        self._epoch += 1
        revoked = {p: led for p, led in self._ledgers.items() if p in partitions}
        await self._wait_idle(revoked.values())
        await self.commit()
        for p, ledger in revoked.items():
            ledger.open = False
            self._ledgers.pop(p, None)
        for p in partitions:
            self._assigned_at.pop(p, None)

    async def on_assigned(self, partitions: set[Partition]) -> None:
        now = self._clock()
        for p in partitions:
            if p.topic in self.topics:
                self._assigned_at.setdefault(p, now)
        for p in [p for p in self._ledgers if p not in partitions]:
            self._ledgers.pop(p).open = False

    async def close(self) -> None:
        """On shutdown: let in-flight records finish (bounded), commit, stop the timer."""
        task, self._task = self._task, None
        await stop_task(task)
        await self._wait_idle(list(self._ledgers.values()))
        await self.commit()
        for ledger in self._ledgers.values():
            ledger.open = False
        self._ledgers.clear()

    def start(self) -> None:
        """Commit every ``commit_interval`` and run the watchdog, until :meth:`close`."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._commit_interval)
            try:
                await self.commit()
                await self.watch()
            except asyncio.CancelledError:
                raise
            except Exception:  # the timer must outlive a broker hiccup
                log.exception("offset commit/watchdog round failed")

    # -- rewinding --------------------------------------------------------------------------

    async def watch(self) -> None:
        """Rewind partitions whose expected record does not come (after a seek, or ever)."""
        now = self._clock()
        assigned = self._port.assignment()
        for p, since in list(self._assigned_at.items()):
            if p not in self._ledgers and p in assigned and now - since >= self._stall:
                await self._open(p)
        for ledger in list(self._ledgers.values()):
            if not ledger.open:
                continue
            if ledger.seek_at is not None:
                if now - ledger.seek_at < self._retry:
                    continue
                if ledger.rewinds >= self._probe_after and await self._no_data(ledger):
                    continue
                await self._seek(ledger, SeekReason.RETRY)
            elif ledger.inflight == 0 and now - ledger.last_seen >= self._stall:
                highwater = self._port.highwater(ledger.partition)
                if highwater is not None and highwater > ledger.position:
                    await self._seek(ledger, SeekReason.STALL)

    async def _ahead(self, ledger: Ledger, offset: int) -> bool:
        """A record beyond ``position``: True if the broker has nothing before it (admit it).

        Otherwise something before it was dropped on the way to the agent: rewind, and count
        a gap if the partition had been in order. While a rewind is pending, stale records
        that were already queued are simply dropped.
        """
        if ledger.seek_at is not None:
            return False
        p = ledger.partition
        first = await self._port.first_offset_from(p, ledger.position)
        if first is not None and first >= offset:
            self._metrics.offset_seeks.labels(p.topic, str(SeekReason.NO_DATA)).inc()
            log.info(
                "%s[%d]: no records at offsets %d..%d (markers or compaction)",
                p.topic, p.partition, ledger.position, offset - 1,
            )
            ledger.skip_to(offset)
            return True
        if ledger.aligned:
            self._metrics.offset_gaps.labels(p.topic, str(p.partition)).inc()
            log.warning(
                "offset gap on %s[%d]: expected %d, received %d; rewinding",
                p.topic, p.partition, ledger.position, offset,
            )
            ledger.aligned = False
            await self._seek(ledger, SeekReason.GAP)
        else:
            await self._seek(ledger, SeekReason.ASSIGNMENT)
        return False

    async def _no_data(self, ledger: Ledger) -> bool:
        """Ask the broker directly what the first record at or after ``position`` is.

        Transaction markers and compaction leave offsets without records: rewinding to one
        brings the next real record again and again. Only the broker's own answer lets the
        ledger step over such offsets; a record that exists there is never skipped.
        """
        p = ledger.partition
        first = await self._port.first_offset_from(p, ledger.position)
        if first is None or first <= ledger.position:
            return False
        log.warning(
            "%s[%d]: no records at offsets %d..%d (markers or compaction); stepping over",
            p.topic, p.partition, ledger.position, first - 1,
        )
        self._metrics.offset_seeks.labels(p.topic, str(SeekReason.NO_DATA)).inc()
        ledger.skip_to(first)
        await self._port.seek(p, first)
        return True

    async def _seek(self, ledger: Ledger, reason: SeekReason) -> None:
        p = ledger.partition
        ledger.rewinds += 1
        ledger.seek_at = self._clock()
        self._metrics.offset_seeks.labels(p.topic, str(reason)).inc()
        log.info("rewinding %s[%d] to %d (%s)", p.topic, p.partition, ledger.position, reason)
        await self._port.seek(p, ledger.position)

    # -- opening ----------------------------------------------------------------------------

    async def _open(self, p: Partition) -> Ledger | None:
        if p.topic not in self.topics:
            raise ValueError(f"{p.topic} is not a topic this offset manager owns")
        if p not in self._port.assignment():
            return None  # revoked meanwhile: a record from a queue faust did not clear
        epoch = self._epoch
        committed = await self._port.committed(p)
        start = await self._port.beginning(p)
        if epoch != self._epoch or p not in self._port.assignment():
            return None
        existing = self._ledgers.get(p)
        if existing is not None:
            return existing
        position = start if committed is None else max(committed, start)
        if committed is not None and committed < start:
            log.warning(
                "%s[%d]: committed offset %d is below the log start %d (retention)",
                p.topic, p.partition, committed, start,
            )
        ledger = Ledger(p, position, last_seen=self._clock())
        self._ledgers[p] = ledger
        return ledger

    async def _wait_idle(self, ledgers: Iterable[Ledger]) -> None:
        pending = list(ledgers)
        loop = asyncio.get_running_loop()  # real time: the drain bounds a real rebalance
        deadline = loop.time() + self._drain
        while any(led.inflight > 0 for led in pending):
            remaining = deadline - loop.time()
            if remaining <= 0:
                busy = sum(led.inflight for led in pending)
                log.warning(
                    "%d records still in flight after %.1fs; left uncommitted", busy, self._drain
                )
                return
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
