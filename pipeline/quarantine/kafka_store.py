"""The store backed by Kafka: rebuilt from both topics on start, then kept following them.

A consumer without a group (all partitions, nothing committed) reads
``prompts.quarantine`` and ``dlp.quarantine.state`` from the beginning up to the
end offsets seen at start; ``start`` returns only then, so a CLI command or the
console never acts on a half-built view. A background task keeps applying new
records (the classify worker's new holds, other reviewers' changes).
"""

from __future__ import annotations

import asyncio
import logging

import orjson
from aiokafka import AIOKafkaConsumer

from pipeline.bus import KafkaSink, client_options, ensure_topics
from pipeline.config import Settings
from pipeline.quarantine.store import Clock, QuarantineStore, utcnow
from pipeline.tasks import stop_task
from pipeline.topicread import assigned_partitions, read_to_end
from pipeline.topics import TopicRole, spec_for

__all__ = ["KafkaQuarantineStore"]

log = logging.getLogger(__name__)

_WRITTEN_ROLES = (
    TopicRole.QUARANTINE,
    TopicRole.QUARANTINE_STATE,
    TopicRole.APPROVED,
    TopicRole.RESPONSES,
    TopicRole.AUDIT,
)


class KafkaQuarantineStore(QuarantineStore):
    """``QuarantineStore`` plus the consumer that rebuilds and follows it."""

    def __init__(self, settings: Settings, *, clock: Clock = utcnow) -> None:
        self._sink = KafkaSink(settings)
        super().__init__(settings.topics, self._sink, clock=clock)
        self._settings = settings
        self._consumer: AIOKafkaConsumer | None = None
        self._follow: asyncio.Task[None] | None = None

    async def start(self, *, timeout: float = 60.0) -> None:
        await ensure_topics(self._settings, [spec_for(self._settings, r) for r in _WRITTEN_ROLES])
        await self._sink.start()
        consumer = AIOKafkaConsumer(
            **client_options(self._settings),
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=8 * 1024 * 1024,
        )
        await consumer.start()
        self._consumer = consumer
        async def rebuild() -> None:
            topics = (self.topics.quarantine, self.topics.quarantine_state)
            tps = await assigned_partitions(consumer, topics)
            await read_to_end(consumer, tps, lambda tp, m: self._apply(tp.topic, m.key, m.value))

        await asyncio.wait_for(rebuild(), timeout)
        self._follow = asyncio.create_task(self._run(consumer), name="quarantine-store-follow")

    async def stop(self) -> None:
        follow, self._follow = self._follow, None
        await stop_task(follow)
        if self._consumer is not None:
            await self._consumer.stop()
        await self._sink.stop()

    async def _run(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            try:
                await self._poll(consumer, timeout_ms=1000)
            except asyncio.CancelledError:
                raise
            except Exception:  # keep following; a broker hiccup must not stop the console
                log.exception("quarantine store: poll failed")
                await asyncio.sleep(1.0)

    async def _poll(self, consumer: AIOKafkaConsumer, *, timeout_ms: int) -> None:
        batches = await consumer.getmany(timeout_ms=timeout_ms, max_records=1000)
        for tp, messages in batches.items():
            for msg in messages:
                self._apply(tp.topic, msg.key, msg.value)

    def _apply(self, topic: str, key: bytes | None, value: bytes | None) -> None:
        try:
            if topic == self.topics.quarantine_state:
                if key is not None:
                    self.apply_state(key.decode(), None if value is None else orjson.loads(value))
            elif value is not None:
                self.apply_quarantined(orjson.loads(value))
        except (ValueError, KeyError, TypeError):
            # Offsets only, never the payload: it may be a prompt.
            log.warning("quarantine store: skipped an unreadable record on %s", topic)
