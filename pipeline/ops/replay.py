"""Re-evaluate a time range of the inbound topic under the current policy (a dry run).

A policy change is best judged on real traffic: ``prompt-dlp rescan
--inbound-since T [--inbound-until T]`` reads the inbound records in that
range and runs the very same classify engine over them, printing one scan
result per event — what the pipeline would decide today. Nothing is
re-published (approved prompts were already dispatched; quarantined ones are
handled by the rescan of the queue).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from pipeline.bus import client_options
from pipeline.config import Settings

__all__ = ["read_inbound_range"]


async def read_inbound_range(settings: Settings, since: datetime, until: datetime) -> list[bytes]:
    """Raw values of inbound records with timestamps in [since, until), partition by partition."""
    tps = [TopicPartition(settings.topics.inbound, p) for p in await _partitions(settings)]
    consumer = AIOKafkaConsumer(
        **client_options(settings), group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        if not tps:
            return []
        consumer.assign(tps)
        start_ms, end_ms = int(since.timestamp() * 1000), int(until.timestamp() * 1000)
        starts = await consumer.offsets_for_times(dict.fromkeys(tps, start_ms))
        ends = await consumer.end_offsets(tps)
        out: list[bytes] = []
        for tp in tps:
            found = starts.get(tp)
            if found is None:
                continue
            consumer.seek(tp, found.offset)
            out.extend(await _drain(consumer, tp, ends[tp], end_ms))
        return out
    finally:
        # aiokafka 0.14 may re-raise the cancellation of its own group-less commit
        # routine while stopping; the records are already read by then.
        with contextlib.suppress(asyncio.CancelledError):
            await consumer.stop()


async def _partitions(settings: Settings) -> list[int]:
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        [described] = await admin.describe_topics([settings.topics.inbound])
    finally:
        await admin.close()
    return sorted(p["partition"] for p in described.get("partitions", []))


async def _drain(
    consumer: AIOKafkaConsumer, tp: TopicPartition, end: int, end_ms: int
) -> list[bytes]:
    values: list[bytes] = []
    while await consumer.position(tp) < end:
        batch = await consumer.getmany(tp, timeout_ms=1000)
        records: list[Any] = [r for group in batch.values() for r in group]
        if not records:
            break
        for record in records:
            if record.timestamp >= end_ms:
                return values
            if record.value is not None:
                values.append(record.value)
    return values

