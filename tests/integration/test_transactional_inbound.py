"""Inbound written by transactional producers: offsets without records are stepped over.

Kafka Streams apps with exactly-once, or any transactional producer, leave a commit marker
after each transaction, so a partition's record offsets are not contiguous. The commit path
must tell those empty offsets (the broker has no record there) from records that went missing,
process every record, and commit to the end — without counting a gap.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from pipeline.bus import ensure_topics
from pipeline.config import Settings
from tests.conftest import unique_topics
from tests.integration.kafka_io import collect
from tests.integration.workers import WorkerGroup, classify_env

pytestmark = pytest.mark.integration


def _event(ident: str) -> bytes:
    return orjson.dumps({
        "id": ident, "tenant": "t", "user": "u", "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "Explain the CAP theorem briefly."}],
    })


async def test_transaction_markers_are_not_gaps(
    kafka_broker: Any, tmp_path: Path, vault_keys: str
) -> None:
    topics = unique_topics()
    await ensure_topics(Settings(broker=kafka_broker.faust_url, topics=topics, partitions=1))
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_broker.bootstrap, transactional_id=f"tx-{uuid.uuid4().hex[:8]}"
    )
    await producer.start()
    ids: list[str] = []
    try:
        for batch in range(6):
            async with producer.transaction():
                for i in range(3):
                    ident = f"tx-{batch}-{i}"
                    ids.append(ident)
                    await producer.send(topics.inbound, _event(ident), key=ident.encode())
    finally:
        await producer.stop()

    env = classify_env(
        kafka_broker.faust_url, topics, f"tx-{uuid.uuid4().hex[:8]}", tmp_path, vault_keys,
        partitions=1,
    )
    with WorkerGroup(env, tmp_path) as group:
        worker = group.start("w1")
        await asyncio.to_thread(worker.wait_ready)
        seen = await collect(
            kafka_broker.bootstrap, [topics.approved],
            lambda s: {orjson.loads(r.value)["id"] for r in s[topics.approved]} >= set(ids),
            timeout=90,
        )
        routed = {orjson.loads(r.value)["id"] for r in seen[topics.approved]}
        assert routed >= set(ids), group.logs()[-3000:]
        _status, body = await asyncio.to_thread(worker.get, "/metrics")
        lines = body.decode().splitlines()
        gap_lines = [
            line for line in lines
            if line.startswith("prompt_dlp_offset_gaps_total{") and not line.endswith(" 0.0")
        ]
        assert gap_lines == [], gap_lines
        (stepped,) = [
            float(line.rsplit(" ", 1)[1]) for line in lines
            if line.startswith("prompt_dlp_offset_seeks_total{") and 'reason="no_data"' in line
            and topics.inbound in line
        ]
        assert stepped >= 5  # one per transaction marker between the six transactions
        group.stop_all()
