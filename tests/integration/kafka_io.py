"""Small aiokafka helpers for integration tests: produce JSON, collect a topic until a condition."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer


async def produce(
    bootstrap: str,
    topic: str,
    items: Iterable[tuple[str | None, bytes | None]],
    headers: Sequence[tuple[str, bytes]] | None = None,
) -> None:
    """Send (key, raw value) pairs and wait for every ack."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", max_request_size=8 * 1024 * 1024
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
) -> dict[str, list[Any]]:
    """Read ``topics`` from the beginning until ``until(records_by_topic)`` or the timeout."""
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
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
