"""Small aiokafka helpers for integration tests: produce JSON, collect a topic until a condition.

Every helper takes ``client``: extra aiokafka options that override the plain ``bootstrap``
connection (e.g. ``LocalBroker.aiokafka_kwargs(sasl=True)``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from pipeline.topicread import assigned_partitions, read_to_end


async def produce(
    bootstrap: str,
    topic: str,
    items: Iterable[tuple[str | None, bytes | None]],
    headers: Sequence[tuple[str, bytes]] | None = None,
    *,
    client: Mapping[str, Any] | None = None,
) -> None:
    """Send (key, raw value) pairs and wait for every ack."""
    producer = AIOKafkaProducer(
        **_options(bootstrap, client), acks="all", max_request_size=8 * 1024 * 1024
    )
    await producer.start()
    try:
        futures = [
            await producer.send(
                topic,
                value,
                key=key.encode() if key else None,
                headers=list(headers) if headers else None,
            )
            for key, value in items
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def collect(
    bootstrap: str,
    topics: Sequence[str],
    until: Callable[[dict[str, list[Any]]], bool],
    timeout: float = 90.0,
    *,
    client: Mapping[str, Any] | None = None,
) -> dict[str, list[Any]]:
    """Read ``topics`` from the beginning until ``until(records_by_topic)`` or the timeout."""
    consumer = AIOKafkaConsumer(
        *topics,
        **_options(bootstrap, client),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    seen: dict[str, list[Any]] = {t: [] for t in topics}
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not until(seen):
            batches = await consumer.getmany(timeout_ms=500)
            for tp, records in batches.items():
                for r in records:
                    seen[tp.topic].append(r)
    finally:
        await consumer.stop()
    return seen


def values(records: Sequence[Any]) -> list[dict[str, Any]]:
    return [orjson.loads(r.value) for r in records if r.value is not None]


def _options(bootstrap: str, client: Mapping[str, Any] | None) -> dict[str, Any]:
    return {"bootstrap_servers": bootstrap, **(client or {})}


async def produce_records(
    bootstrap: str,
    topic: str,
    items: Iterable[tuple[str | None, bytes | None, Sequence[tuple[str, bytes]]]],
    *,
    client: Mapping[str, Any] | None = None,
) -> list[Any]:
    """Send (key, raw value, headers) triples in order; return each record's metadata once acked."""
    producer = AIOKafkaProducer(
        **_options(bootstrap, client), acks="all", max_request_size=8 * 1024 * 1024
    )
    await producer.start()
    try:
        futures = [
            await producer.send(
                topic, value, key=key.encode() if key else None, headers=list(headers) or None
            )
            for key, value, headers in items
        ]
        return list(await asyncio.gather(*futures))
    finally:
        await producer.stop()


async def read_all(
    bootstrap: str,
    topics: Sequence[str],
    timeout: float = 60.0,
    *,
    client: Mapping[str, Any] | None = None,
) -> dict[str, list[Any]]:
    """Every record now in ``topics``: from the beginning up to the end offsets taken at start."""
    consumer = AIOKafkaConsumer(
        **_options(bootstrap, client),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        fetch_max_bytes=16 * 1024 * 1024,
        max_partition_fetch_bytes=16 * 1024 * 1024,
    )
    await consumer.start()
    seen: dict[str, list[Any]] = {t: [] for t in topics}
    try:
        partitions = await asyncio.wait_for(assigned_partitions(consumer, topics), timeout)
        ends = await consumer.end_offsets(partitions)

        def keep(tp: TopicPartition, record: Any) -> None:
            if record.offset < ends[tp]:  # exactly what was there when reading began
                seen[tp.topic].append(record)

        await asyncio.wait_for(read_to_end(consumer, partitions, keep), timeout)
    finally:
        await consumer.stop()
    return seen
