"""Read the bus as any outside client would: topics from the start, ``__consumer_offsets``.

The sampler asks the broker (admin ``OffsetFetch``) for each group's committed offsets and *then*
for the output topics' end offsets, every ``interval`` seconds while the run goes on; the
checker needs that order (an output acked before a commit is below an end offset read after it).
Samples that fail (the broker restarting) are skipped, never guessed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from pipeline.config import TopicNames
from pipeline.tasks import stop_task
from pipeline.tracing import CORRELATION_HEADER
from tests.faults.oracle.check import TP, Observation, Rec, Sample
from tests.integration.kafka_io import read_all


def header_id(record: Any) -> str | None:
    for key, value in record.headers or ():
        if key == CORRELATION_HEADER and value is not None:
            return bytes(value).decode()
    return None


def _json(record: Any) -> dict[str, Any]:
    try:
        value = orjson.loads(record.value) if record.value is not None else {}
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _rec(record: Any, kind: str, ident: str | None, **extra: Any) -> Rec:
    return Rec(record.topic, record.partition, record.offset, ident, kind, **extra)


class Sampler:
    """Periodic committed-offset samples of the given groups, each followed by output ends."""

    def __init__(
        self,
        bootstrap: str,
        groups: Mapping[str, str],  # group id -> the source topic it consumes
        outputs: Sequence[str],
        partitions: int,
        interval: float = 0.5,
    ) -> None:
        self.bootstrap = bootstrap
        self.groups = dict(groups)
        self.outputs = [TopicPartition(t, p) for t in outputs for p in range(partitions)]
        self.interval = interval
        self.samples: list[Sample] = []
        self.errors = 0
        self._started = time.monotonic()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._started = time.monotonic()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop sampling, then take one last sample (the run's final committed offsets)."""
        task, self._task = self._task, None
        await stop_task(task)  # a bare cancel was dropped once (pipeline.tasks): CI sat 500 s
        await self._once_with_fresh_clients()

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=5000)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False,
            request_timeout_ms=5000,
        )
        await admin.start()
        try:
            await consumer.start()
        except BaseException:
            await admin.close()
            raise
        return admin, consumer

    async def _once_with_fresh_clients(self) -> None:
        for _ in range(20):
            try:
                admin, consumer = await self._clients()
            except KafkaError:
                await asyncio.sleep(1.0)
                continue
            try:
                if await self._sample(admin, consumer):
                    return
            finally:
                await consumer.stop()
                await admin.close()
            await asyncio.sleep(1.0)

    async def _run(self) -> None:
        while True:
            try:
                admin, consumer = await self._clients()
            except KafkaError:
                self.errors += 1
                await asyncio.sleep(self.interval)
                continue
            try:
                while True:
                    if not await self._sample(admin, consumer):
                        break  # reconnect: the broker may have restarted
                    await asyncio.sleep(self.interval)
            finally:
                await consumer.stop()
                await admin.close()

    async def _sample(self, admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer) -> bool:
        at = time.monotonic() - self._started
        committed: dict[TP, int] = {}
        try:
            for group, topic in self.groups.items():
                offsets = await asyncio.wait_for(admin.list_consumer_group_offsets(group), 10)
                for tp, meta in offsets.items():
                    if tp.topic == topic and meta.offset >= 0:
                        committed[(tp.topic, tp.partition)] = meta.offset
            ends = await asyncio.wait_for(consumer.end_offsets(self.outputs), 10)
        except (KafkaError, TimeoutError, OSError):
            self.errors += 1
            return False
        self.samples.append(
            Sample(at, committed, {(tp.topic, tp.partition): end for tp, end in ends.items()})
        )
        return True


async def read_observation(
    bootstrap: str,
    topics: TopicNames,
    expected: set[str],
    samples: Sequence[Sample],
    calls: Mapping[str, int],
) -> tuple[Observation, dict[str, list[Any]]]:
    """Read every topic of the run from the beginning; also return the raw records."""
    names = [topics.inbound, topics.approved, topics.quarantine, topics.dlq, topics.responses,
             topics.audit]
    seen = await read_all(bootstrap, names, timeout=120)
    obs = Observation(expected, [], [], [], [], [], list(samples), dict(calls))
    for r in seen[topics.inbound]:
        obs.inputs.append(_rec(r, "input", header_id(r)))
    for r in seen[topics.approved]:
        ident = _json(r).get("id") or header_id(r)
        obs.approved.append(_rec(r, "approved", ident))
        obs.outcomes.append(_rec(r, "approved", header_id(r)))
    for r in seen[topics.quarantine]:
        obs.outcomes.append(_rec(r, "quarantined", header_id(r)))
    for r in seen[topics.dlq]:
        value = _json(r)
        if value.get("stage") == "dispatch":
            src = value.get("source") or {}
            origin = (str(src.get("topic")), int(src.get("partition", -1)),
                      int(src.get("offset", -1)))
            obs.dispatch_dlq.append(_rec(r, "dispatch-dlq", value.get("id"), source=origin))
        else:
            obs.outcomes.append(_rec(r, "dlq", header_id(r)))
    for r in seen[topics.responses]:
        value = _json(r)
        detail = (str(value.get("status")), str(value.get("answer") or value.get("reason")))
        obs.responses.append(_rec(r, "response", value.get("id"), detail=detail))
    return obs, seen
