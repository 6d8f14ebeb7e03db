"""The broker restarting under a running classify worker loses nothing."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.bus import ensure_topics
from pipeline.config import Settings
from tests.conftest import unique_topics
from tests.faults.ledger import Ledger, trickle
from tests.integration.kafka_io import collect
from tests.integration.workers import WorkerGroup, classify_env
from tests.security.corpus import fault_seed, mixed_stream
from tests.support.broker import LocalBroker

pytestmark = pytest.mark.integration

# Its own broker: restarting the session one would disturb every other test.
PORT = int(os.environ.get("PROMPT_DLP_FAULT_KAFKA_PORT", "19700"))


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[LocalBroker]:
    b = LocalBroker(PORT, tmp_path / "kafka")
    b.start()
    try:
        yield b
    finally:
        b.stop()


async def test_broker_restart_mid_stream_loses_nothing(
    broker: LocalBroker, tmp_path: Path, vault_keys: str
) -> None:
    """Events produced before, during (retried) and after a broker restart are each routed once."""
    topics = unique_topics()
    ledger = Ledger(topics)
    await ensure_topics(Settings(broker=broker.faust_url, topics=topics, partitions=2))
    events = mixed_stream(240, fault_seed(7), "restart")
    env = classify_env(
        broker.faust_url,
        topics,
        f"faults-restart-{uuid.uuid4().hex[:8]}",
        tmp_path,
        vault_keys,
        PROMPT_DLP_BATCH_SIZE="8",
        PROMPT_DLP_SESSION_TIMEOUT_SECONDS="6",
    )
    with WorkerGroup(env, tmp_path) as group:
        worker = group.start("w0")
        await asyncio.to_thread(worker.wait_ready)
        producing = asyncio.create_task(
            trickle(ledger, broker.bootstrap, events, 5, 0.1, outage=60)
        )
        seen = await collect(
            broker.bootstrap, ledger.outputs, lambda s: len(ledger.ids_seen(s)) >= 30
        )
        await asyncio.to_thread(broker.restart)
        print(f"broker restarted after {len(ledger.ids_seen(seen))} of {len(events)} outcomes")
        await producing
        await collect(broker.bootstrap, ledger.outputs, ledger.covers(events), timeout=120)
        assert worker.alive(), "the worker must ride out a broker restart"
        group.stop_all()

    report = ledger.check(events, await ledger.read(broker.bootstrap))
    print(f"outcomes={report.outcomes} duplicates={report.duplicates} routes={report.by_route}")
