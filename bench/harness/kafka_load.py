"""Produce inbound events (burst or paced) and collect routed outputs with their timestamps.

Inbound CreateTime is taken from the producer's ack (``RecordMetadata.timestamp``), which
aiokafka stamps when the record is appended, i.e. at send time. Output timestamps are the
output records' CreateTime, stamped by the worker's producer when it sends them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from pipeline.tasks import stop_task

__all__ = ["Collector", "Output", "Producer", "create_topics"]


@dataclass(frozen=True, slots=True)
class Output:
    """One routed record: where it went, its Kafka timestamp (ms) and ``classified_at`` (ms)."""

    topic: str
    timestamp_ms: int
    classified_ms: int | None


async def create_topics(bootstrap: str, names: Iterable[str], partitions: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        for name in names:
            if name not in existing:
                with contextlib.suppress(TopicAlreadyExistsError):
                    await admin.create_topics([NewTopic(name, partitions, 1)])
    finally:
        await admin.close()


class Producer:
    """acks=all producer; remembers each event's inbound CreateTime (ms) by id."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self._bootstrap = bootstrap
        self._topic = topic
        self._producer: AIOKafkaProducer | None = None
        self.sent_ms: dict[str, int] = {}

    async def start(self) -> None:
        self._producer = AIOKafkaProducer(bootstrap_servers=self._bootstrap, acks="all",
                                          linger_ms=2, max_request_size=8 * 1024 * 1024)
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()

    async def burst(self, events: Sequence[tuple[str, bytes]]) -> float:
        """Send everything as fast as possible; return the seconds until all were acked."""
        assert self._producer is not None
        start = time.monotonic()
        futures = [(ident, await self._producer.send(self._topic, payload, key=ident.encode()))
                   for ident, payload in events]
        await self._settle(futures)
        return time.monotonic() - start

    async def paced(self, events: Sequence[tuple[str, bytes]], rate: float) -> float:
        """Send at ``rate`` events/s on an absolute schedule; return the achieved send rate."""
        assert self._producer is not None
        futures = []
        start = time.monotonic()
        for i, (ident, payload) in enumerate(events):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            futures.append((ident, await self._producer.send(self._topic, payload,
                                                             key=ident.encode())))
        elapsed = time.monotonic() - start
        await self._settle(futures)
        return len(events) / elapsed if elapsed > 0 else float("inf")

    async def _settle(self, futures: Sequence[tuple[str, Any]]) -> None:
        metadata = await asyncio.gather(*(f for _, f in futures))
        for (ident, _), meta in zip(futures, metadata, strict=True):
            self.sent_ms[ident] = int(meta.timestamp)


@dataclass
class Collector:
    """Background consumer of the output topics (from the beginning, no group)."""

    bootstrap: str
    topics: Sequence[str]
    outputs: dict[str, Output] = field(default_factory=dict)
    _task: asyncio.Task[None] | None = None
    _consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(*self.topics, bootstrap_servers=self.bootstrap,
                                          auto_offset_reset="earliest", enable_auto_commit=False,
                                          group_id=None, fetch_max_wait_ms=50)
        await self._consumer.start()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        await stop_task(task)
        if self._consumer is not None:
            await self._consumer.stop()

    async def _run(self) -> None:
        assert self._consumer is not None
        while True:
            batches = await self._consumer.getmany(timeout_ms=200)
            for tp, records in batches.items():
                for record in records:
                    self._add(tp.topic, record)

    def _add(self, topic: str, record: Any) -> None:
        if record.value is None:
            return
        value = orjson.loads(record.value)
        ident = value.get("id")
        if isinstance(ident, str) and ident not in self.outputs:
            self.outputs[ident] = Output(topic, int(record.timestamp),
                                         _iso_ms(value.get("classified_at")))

    async def wait_for(self, ids: Iterable[str], timeout: float) -> bool:
        """Wait until every id has an output; False on timeout."""
        wanted = set(ids)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if wanted.issubset(self.outputs.keys()):
                return True
            await asyncio.sleep(0.1)
        return wanted.issubset(self.outputs.keys())


def _iso_ms(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    from datetime import datetime

    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
