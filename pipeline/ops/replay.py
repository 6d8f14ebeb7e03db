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
from pipeline.topicread import read_to_end

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
        found = await consumer.offsets_for_times(dict.fromkeys(tps, start_ms))
        starts = {tp: at.offset for tp, at in found.items() if at is not None}
        out: list[bytes] = []

        def keep(_tp: TopicPartition, record: Any) -> bool:
            if record.timestamp >= end_ms:
                return False  # past the range: this partition is done
            if record.value is not None:
                out.append(record.value)
            return True

        await read_to_end(consumer, tps, keep, starts=starts)
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
