"""Read Kafka topics up to their end: the one helper behind every "rebuild" and "dump".

The review store rebuilding its state, ``rescan --inbound-since`` replaying a
time range and the test helpers all need the same thing: from a start
(the beginning, or given offsets), hand every record to a callback until each
partition's position reaches the end offset taken when reading began. Records
are consumed without a consumer group (nothing is committed).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

__all__ = ["Handler", "assigned_partitions", "read_to_end"]

# Called per record; returning False stops reading that partition (e.g. past a time range).
Handler = Callable[[TopicPartition, Any], bool | None]


async def assigned_partitions(
    consumer: AIOKafkaConsumer, topics: Iterable[str]
) -> list[TopicPartition]:
    """Subscribe a group-less consumer to ``topics``; every partition, once assigned."""
    names = set(topics)
    consumer.subscribe(topics=sorted(names))
    while {tp.topic for tp in consumer.assignment()} != names:
        await asyncio.sleep(0.05)
    return sorted(consumer.assignment())


async def read_to_end(
    consumer: AIOKafkaConsumer,
    partitions: Iterable[TopicPartition],
    handle: Handler,
    *,
    starts: Mapping[TopicPartition, int] | None = None,
    poll_ms: int = 200,
) -> None:
    """Feed ``handle`` every record from ``starts`` (default: the beginning) to today's end.

    Records fetched past the end offset in the same batch are handed over too (a
    store that goes on following the topic must not miss them).
    """
    tps = sorted(partitions)
    if not tps:
        return
    if starts is None:
        await consumer.seek_to_beginning(*tps)
    else:
        tps = [tp for tp in tps if tp in starts]
        for tp in tps:
            consumer.seek(tp, starts[tp])
    ends = await consumer.end_offsets(tps)
    pending = {tp for tp in tps if await consumer.position(tp) < ends[tp]}
    while pending:
        batches = await consumer.getmany(*pending, timeout_ms=poll_ms)
        stopped: set[TopicPartition] = set()
        for tp, records in batches.items():
            for record in records:
                if handle(tp, record) is False:
                    stopped.add(tp)
                    break
        pending = {tp for tp in pending - stopped if await consumer.position(tp) < ends[tp]}
