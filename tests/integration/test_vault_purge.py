"""Vault retention for real: a classify worker tombstones expired entries and compaction drops them.

Entries are written straight onto the vault topic (as the table's changelog holds them), some
expired and some not; a worker recovers the table, its purge timer writes tombstones for the
expired ones only, and once the topic's compaction settings are turned down the encrypted
originals are gone from the topic.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from pipeline.bus import ensure_topics
from pipeline.config import Settings
from pipeline.crypto import Envelope, KeyRing
from pipeline.redact.pseudonyms import PseudonymBook
from pipeline.redact.vault import VaultEntry, seal_book
from pipeline.route.vault_table import partition_of
from tests.conftest import unique_topics
from tests.integration.kafka_io import collect, produce, read_all
from tests.integration.workers import WorkerGroup, classify_env, wait_until

pytestmark = pytest.mark.integration

PARTITIONS = 2


def _entry(keys: KeyRing, conversation: str, expires_at: float) -> bytes:
    book = PseudonymBook()
    book.placeholder_for("Ingrid Solberg", "PERSON")
    envelope = Envelope.from_dict(seal_book(book, keys, conversation))
    return orjson.dumps(VaultEntry("t", "u", expires_at, envelope).to_dict())


def _purged(metrics: bytes) -> float:
    found = re.search(rb"^prompt_dlp_vault_entries_purged_total (\S+)$", metrics, re.MULTILINE)
    return float(found.group(1)) if found else -1.0


async def _compact(bootstrap: str, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        # AlterConfigs replaces the topic's whole config: restate the compaction policy.
        config = {"cleanup.policy": "compact", "segment.ms": "100",
                  "min.cleanable.dirty.ratio": "0.001", "min.compaction.lag.ms": "0",
                  "delete.retention.ms": "100"}
        [response] = await admin.alter_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic, config)])
        assert all(resource[0] == 0 for resource in response.resources), response
    finally:
        await admin.close()


async def test_expired_vault_entries_are_tombstoned_and_compacted_away(
    kafka_broker: Any, tmp_path: Path, vault_keys: str
) -> None:
    topics = unique_topics()
    await ensure_topics(Settings(broker=kafka_broker.faust_url, topics=topics,
                                 partitions=PARTITIONS))
    keys = KeyRing.parse(vault_keys)
    now = time.time()
    expired = [f"conv-old-{i}" for i in range(6)]
    fresh = [f"conv-new-{i}" for i in range(4)]
    assert {partition_of(k.encode(), PARTITIONS) for k in expired} == set(range(PARTITIONS))
    await produce(kafka_broker.bootstrap, topics.vault,
                  [(k, _entry(keys, k, now - 60)) for k in expired]
                  + [(k, _entry(keys, k, now + 86_400)) for k in fresh])

    def tombstoned(seen: dict[str, list[Any]]) -> bool:
        return {r.key.decode() for r in seen[topics.vault] if r.value is None} >= set(expired)

    env = classify_env(kafka_broker.faust_url, topics, f"purge-{uuid.uuid4().hex[:8]}",
                       tmp_path, vault_keys, partitions=PARTITIONS,
                       PROMPT_DLP_VAULT_PURGE_INTERVAL_SECONDS="0.5")
    with WorkerGroup(env, tmp_path) as group:
        worker = group.start("w")
        await asyncio.to_thread(worker.wait_ready)
        seen = await collect(kafka_broker.bootstrap, [topics.vault], tombstoned, timeout=90)
        assert tombstoned(seen), group.logs()[-3000:]
        await asyncio.to_thread(wait_until, lambda: _purged(worker.get("/metrics")[1]) >= 6,
                                30, "the purge metric")
        assert _purged(worker.get("/metrics")[1]) == 6
        group.stop_all()

    records = seen[topics.vault]
    for record in records:  # the partitioner we compute ownership with is the producer's
        assert record.partition == partition_of(record.key, PARTITIONS)
    assert not {r.key.decode() for r in records if r.value is None} & set(fresh)

    await _compact(kafka_broker.bootstrap, topics.vault)
    deadline = time.monotonic() + 120
    left: set[str] = set(expired)
    while left and time.monotonic() < deadline:
        # New records roll the segments the tombstones are in, so the cleaner can take them.
        await produce(kafka_broker.bootstrap, topics.vault,
                      [(f"filler-{p}-{time.monotonic_ns()}", None) for p in range(8)])
        everything = (await read_all(kafka_broker.bootstrap, [topics.vault]))[topics.vault]
        left = {r.key.decode() for r in everything if r.value is not None} & set(expired)
        if left:
            await asyncio.sleep(1)  # the broker's log cleaner runs on its own schedule
    assert left == set(), "expired originals still on the compacted topic"
    survivors = {r.key.decode() for r in everything if r.value is not None}
    assert survivors >= set(fresh)
