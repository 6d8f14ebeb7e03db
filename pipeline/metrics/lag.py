"""Consumer lag per topic/partition, computed from the broker, not from the consumer.

Faust's own view of lag disappears when the worker stalls — exactly when it
matters — so a side task asks the broker: log end offset minus the group's
committed offset (or minus the log start when nothing is committed yet,
because we consume from ``earliest``). Every partition is reported, so the
series exist (at 0) before the first message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

from pipeline.metrics.catalog import Metrics
from pipeline.tasks import stop_task

__all__ = ["DEFAULT_INTERVAL", "KafkaOffsets", "LagCollector", "OffsetSource", "compute_lag"]

DEFAULT_INTERVAL = 15.0
Partition = tuple[str, int]
Offsets = dict[Partition, int]

_log = logging.getLogger(__name__)


class OffsetSource(Protocol):
    """Where offsets come from; the Kafka one below, or a fake in tests."""

    async def partitions(self, topics: Sequence[str]) -> list[Partition]: ...
    async def log_offsets(self, parts: Sequence[Partition]) -> tuple[Offsets, Offsets]: ...
    async def committed(self, group: str) -> dict[Partition, int]: ...
    async def close(self) -> None: ...


def compute_lag(
    parts: Sequence[Partition],
    start: Mapping[Partition, int],
    end: Mapping[Partition, int],
    committed: Mapping[Partition, int],
) -> dict[Partition, int]:
    """Lag = end - committed; uncommitted partitions count from the log start; never negative."""
    lag: dict[Partition, int] = {}
    for part in parts:
        if part not in end:
            continue
        position = committed.get(part, -1)
        if position < 0:
            position = start.get(part, 0)
        lag[part] = max(end[part] - position, 0)
    return lag


class KafkaOffsets:
    """Offsets via aiokafka: admin client for metadata and commits, plain consumer for the log."""

    def __init__(self, client_options: Mapping[str, Any]) -> None:
        self._options = dict(client_options)
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._consumer is None:
            admin = AIOKafkaAdminClient(**self._options)
            consumer = AIOKafkaConsumer(**self._options, enable_auto_commit=False)
            await admin.start()
            try:
                await consumer.start()
            except BaseException:
                await admin.close()
                raise
            self._admin, self._consumer = admin, consumer
        return self._admin, self._consumer

    async def partitions(self, topics: Sequence[str]) -> list[Partition]:
        admin, _ = await self._clients()
        described = await admin.describe_topics(list(topics))
        return sorted(
            (t["topic"], p["partition"])
            for t in described
            if t.get("error_code", 0) == 0
            for p in t.get("partitions", [])
        )

    async def log_offsets(self, parts: Sequence[Partition]) -> tuple[Offsets, Offsets]:
        _, consumer = await self._clients()
        tps = [TopicPartition(t, p) for t, p in parts]
        start = await consumer.beginning_offsets(tps)
        end = await consumer.end_offsets(tps)
        return ({(tp.topic, tp.partition): o for tp, o in start.items()},
                {(tp.topic, tp.partition): o for tp, o in end.items()})

    async def committed(self, group: str) -> dict[Partition, int]:
        admin, _ = await self._clients()
        offsets = await admin.list_consumer_group_offsets(group)
        return {(tp.topic, tp.partition): meta.offset for tp, meta in offsets.items()}

    async def close(self) -> None:
        admin, consumer, self._admin, self._consumer = self._admin, self._consumer, None, None
        if consumer is not None:
            await consumer.stop()
        if admin is not None:
            await admin.close()


class LagCollector:
    """Periodically sets ``prompt_dlp_consumer_lag`` for one group's topics."""

    def __init__(
        self,
        metrics: Metrics,
        source: OffsetSource,
        group: str,
        topics: Sequence[str],
        *,
        interval: float = DEFAULT_INTERVAL,
    ) -> None:
        self._metrics = metrics
        self._source = source
        self._group = group
        self._topics = list(topics)
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    async def collect_once(self) -> dict[Partition, int]:
        """Query the broker once and update the gauge; returns the lag per partition."""
        parts = await self._source.partitions(self._topics)
        start, end = await self._source.log_offsets(parts)
        committed = await self._source.committed(self._group)
        lag = compute_lag(parts, start, end, committed)
        for (topic, partition), value in lag.items():
            self._metrics.consumer_lag.labels(self._group, topic, str(partition)).set(value)
        return lag

    async def _run(self) -> None:
        while True:
            try:
                await self.collect_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the broker may be away; keep trying, count it
                self._metrics.consumer_lag_errors.inc()
                _log.warning("consumer lag collection failed", extra={"error": type(exc).__name__})
            await asyncio.sleep(self._interval)

    def start(self) -> None:
        """Start the periodic task on the running loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="lag-collector")

    async def stop(self) -> None:
        """Cancel the task and close the Kafka clients."""
        task, self._task = self._task, None
        await stop_task(task)
        await self._source.close()
