"""The one place that touches faust (and mode) internals, for the faust version it was written for.

Everything here reaches past faust's public API: the consumer thread that owns the aiokafka
consumer (to read committed offsets and commit our own watermarks), and the stream's passive
processor hooks that ``pipeline.batching.take_ready`` drives. Import fails loudly on another
faust version, so an upgrade is a deliberate act: re-read the functions below against the new
faust source, then add the version to ``WRITTEN_FOR``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, NamedTuple

import faust
from aiokafka import TopicPartition
from aiokafka.structs import OffsetAndMetadata

__all__ = [
    "WRITTEN_FOR",
    "FaustConsumerPort",
    "Partition",
    "RecoveryWatch",
    "attach_processor",
    "detach_processor",
    "on_assigned",
    "on_revoked",
    "rejoin_group",
]

log = logging.getLogger(__name__)

WRITTEN_FOR = ("0.15.3",)
if faust.__version__ not in WRITTEN_FOR:  # pragma: no cover - guarded by the pin in pyproject
    raise ImportError(
        f"pipeline.faustcompat was written for faust-streaming {', '.join(WRITTEN_FOR)}, "
        f"found {faust.__version__}: re-check it against the new version before running"
    )


class Partition(NamedTuple):
    """A topic partition; faust's TP and aiokafka's TopicPartition are tuples of the same shape."""

    topic: str
    partition: int


def _tp(p: Partition) -> TopicPartition:
    return TopicPartition(p.topic, p.partition)


class FaustConsumerPort:
    """What the offset ledger needs from the consumer, served by a running faust app.

    faust runs aiokafka in a thread of its own (``app.consumer._thread``); calls that talk to
    the group coordinator must run on that thread's loop (``call_thread``). Commits go to
    aiokafka directly so that a failed commit (fenced after a rebalance, broker away) is a
    ``False`` we handle, not the consumer crash faust's own ``_commit`` turns it into.
    """

    def __init__(self, app: faust.App, client_options: Mapping[str, Any] | None = None) -> None:
        self._app = app
        self._client_options = dict(client_options or {})

    def _thread(self) -> Any:
        return self._app.consumer._thread  # type: ignore[attr-defined]

    def _aiokafka(self) -> Any:
        return self._thread()._ensure_consumer()

    async def _call(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        return await self._thread().call_thread(fn, *args)

    def assignment(self) -> set[Partition]:
        try:
            return {Partition(tp.topic, tp.partition) for tp in self._app.consumer.assignment()}
        except Exception:  # not started yet, or stopping
            return set()

    async def committed(self, p: Partition) -> int | None:
        async def fetch() -> int | None:
            offset = await self._aiokafka().committed(_tp(p))
            return None if offset is None or offset < 0 else int(offset)

        result: int | None = await self._call(fetch)
        return result

    async def beginning(self, p: Partition) -> int:
        offsets: Mapping[Any, int] = await self._app.consumer.earliest_offsets(_tp(p))
        return int(next(iter(offsets.values()), 0) or 0)

    def highwater(self, p: Partition) -> int | None:
        try:
            value = self._aiokafka().highwater(_tp(p))
        except Exception:
            return None
        return None if value is None else int(value)

    async def commit(self, offsets: Mapping[Partition, int]) -> bool:
        async def commit() -> bool:
            consumer = self._aiokafka()
            assigned = consumer.assignment()
            ours = {
                _tp(p): OffsetAndMetadata(offset, "")
                for p, offset in offsets.items()
                if _tp(p) in assigned
            }
            if not ours:
                return False
            try:
                await consumer.commit(ours)
            except Exception as exc:  # fenced by a rebalance, coordinator away: retry later
                log.warning("offset commit failed (%s); will retry", type(exc).__name__)
                return False
            return True

        result: bool = await self._call(commit)
        return result

    async def first_offset_from(self, p: Partition, offset: int) -> int | None:
        """The offset of the first record at or after ``offset``, read by a group-less consumer."""
        from aiokafka import AIOKafkaConsumer

        consumer = AIOKafkaConsumer(
            **self._client_options, group_id=None, enable_auto_commit=False,
            auto_offset_reset="none",
        )
        await consumer.start()
        try:
            consumer.assign([_tp(p)])
            consumer.seek(_tp(p), offset)
            batch = await consumer.getmany(_tp(p), timeout_ms=2000, max_records=1)
            records = batch.get(_tp(p)) or []
            return int(records[0].offset) if records else None
        except Exception as exc:
            log.info("probe of %s[%d] at %d failed (%s)", p.topic, p.partition, offset, exc)
            return None
        finally:
            await consumer.stop()

    async def seek(self, p: Partition, offset: int) -> None:
        """Rewind the fetcher, then faust's read offset (else faust drops the refetched records).

        faust's own ``Consumer.seek`` calls aiokafka from the wrong thread; this runs it on the
        consumer thread and then resets ``_read_offset`` exactly as faust's ``seek`` does.
        """

        async def seek() -> bool:
            try:
                self._aiokafka().seek(_tp(p), offset)
            except Exception as exc:  # not assigned any more: the next owner starts at the commit
                log.info("seek %s[%d] -> %d skipped (%s)", p.topic, p.partition, offset, exc)
                return False
            return True

        if await self._call(seek):
            consumer: Any = self._app.consumer
            consumer._read_offset[_tp(p)] = offset if offset else None


class RecoveryWatch:
    """Re-join the group when faust's table recovery reads nothing for ``stall_seconds``.

    Seen once in CI (sigstop scenario, a loaded machine): a dispatch worker resumed after SIGSTOP
    got its partitions back, began restoring its dedup table from the changelog and then
    received no changelog record for ~3 minutes while its source partitions stayed paused,
    so approved prompts waited unanswered. The next rebalance (another member leaving)
    restored the table in 0.2 s. faust has no timeout on that wait (``Recovery`` waits on
    ``signal_recovery_end`` for ever), so this watch does what that rebalance did: a re-join,
    after which faust starts the recovery again. Nothing is committed or skipped by it.
    A likely cause, not confirmed: ``Consumer.getmany`` drops a fetched batch that returns while
    flow is stopped and then re-seeks only to committed offsets, which changelog partitions do
    not have, so changelog records in that batch are never read again.
    """

    def __init__(self, app: faust.App, stall_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._app = app
        self._stall = stall_seconds
        self._clock = clock
        self._remaining: int | None = None
        self._since = 0.0

    def stalled(self) -> bool:
        """Call periodically; True once recovery has not moved for ``stall_seconds``.

        The clock then restarts, so a recovery still stuck after the re-join is reported again.
        """
        recovery: Any = self._app.tables.recovery  # type: ignore[attr-defined]
        if not (recovery.in_recovery and recovery.need_recovery()):
            self._remaining = None
            return False
        remaining = int(recovery.active_remaining_total())
        now = self._clock()
        if remaining != self._remaining:
            self._remaining, self._since = remaining, now
            return False
        if now - self._since < self._stall:
            return False
        log.warning(
            "table recovery read nothing for %.0fs (%d changelog records to go); re-joining",
            now - self._since, remaining,
        )
        self._since = now
        return True


async def rejoin_group(app: faust.App) -> None:
    """Ask the group coordinator for a rebalance (aiokafka's ``request_rejoin``).

    It runs on the thread that owns the consumer, like every other call to it.
    """

    async def rejoin() -> None:
        consumer = app.consumer._thread._ensure_consumer()  # type: ignore[attr-defined]
        consumer._coordinator.request_rejoin()

    await app.consumer._thread.call_thread(rejoin)  # type: ignore[attr-defined]


def attach_processor(
    stream: Any, processor: Callable[[Any], Awaitable[Any]]
) -> None:
    """Run ``processor`` for every event of ``stream`` from its passive drainer (no iteration)."""
    stream.add_processor(processor)
    stream._enable_passive(aiter(stream.channel))


def detach_processor(stream: Any, processor: Callable[[Any], Awaitable[Any]]) -> None:
    if processor in stream._processors:
        stream._processors.remove(processor)


def on_revoked(app: faust.App, handler: Callable[[set[Partition]], Awaitable[None]]) -> None:
    """Call ``handler`` with the revoked partitions while the old generation may still commit."""

    async def receiver(_sender: Any, revoked: Iterable[Any], **_kwargs: Any) -> None:
        await handler({Partition(tp.topic, tp.partition) for tp in revoked})

    app.on_partitions_revoked.connect(receiver)  # type: ignore[arg-type]


def on_assigned(app: faust.App, handler: Callable[[set[Partition]], Awaitable[None]]) -> None:
    async def receiver(_sender: Any, assigned: Iterable[Any], **_kwargs: Any) -> None:
        await handler({Partition(tp.topic, tp.partition) for tp in assigned})

    app.on_partitions_assigned.connect(receiver)  # type: ignore[arg-type]


def on_stop_signal(worker: faust.Worker, callback: Callable[[], None]) -> None:
    """Call ``callback`` the moment SIGTERM or SIGINT asks ``worker`` to stop.

    faust's own stop signal (``App.on_before_shutdown``) is sent only after the consumer has
    stopped, which is the step that can hang; mode's Worker routes both signals through
    ``_schedule_shutdown`` first, so the callback runs before any part of the stop.
    """
    schedule = worker._schedule_shutdown

    def first_the_callback(sig: Any) -> None:
        callback()
        schedule(sig)

    worker._schedule_shutdown = first_the_callback  # type: ignore[method-assign,assignment]
