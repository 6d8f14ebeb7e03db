"""Workers joining and leaving under load (rebalances) lose nothing."""

from __future__ import annotations

import asyncio
import signal
import uuid
from pathlib import Path
from typing import Any

import pytest

from pipeline.bus import ensure_topics
from pipeline.config import Settings
from tests.conftest import unique_topics
from tests.faults.ledger import Ledger, trickle
from tests.integration.kafka_io import collect
from tests.integration.workers import WorkerGroup, classify_env
from tests.security.corpus import fault_seed, mixed_stream

pytestmark = pytest.mark.integration


async def test_workers_joining_and_leaving_under_load_lose_nothing(
    kafka_broker: Any, tmp_path: Path, vault_keys: str
) -> None:
    """w1 alone, then w2 and w3 join, then w1 and w2 leave (SIGTERM): every id exactly once."""
    topics = unique_topics()
    ledger = Ledger(topics)
    await ensure_topics(Settings(broker=kafka_broker.faust_url, topics=topics, partitions=4))
    events = mixed_stream(300, fault_seed(23), "rebalance")
    env = classify_env(
        kafka_broker.faust_url,
        topics,
        f"faults-rebalance-{uuid.uuid4().hex[:8]}",
        tmp_path,
        vault_keys,
        partitions=4,
        PROMPT_DLP_BATCH_SIZE="8",
        PROMPT_DLP_SESSION_TIMEOUT_SECONDS="6",
    )
    with WorkerGroup(env, tmp_path) as group:
        w1 = group.start("w1")
        await asyncio.to_thread(w1.wait_ready)
        producing = asyncio.create_task(trickle(ledger, kafka_broker.bootstrap, events, 5, 0.3))
        w2 = group.start("w2")
        await asyncio.to_thread(w2.wait_ready)
        w3 = group.start("w3")
        await asyncio.to_thread(w3.wait_serving)  # 4 partitions, 3 workers: it may get none yet
        for leaving in (w1, w2):
            code = await asyncio.to_thread(leaving.kill, signal.SIGTERM)
            assert code == 0, f"{leaving.name} exit {code}:\n{leaving.output()[-2000:]}"
            await asyncio.sleep(1.0)
        print(f"stream still flowing while workers left: {not producing.done()}")
        await asyncio.to_thread(w3.wait_ready)
        await producing
        await collect(kafka_broker.bootstrap, ledger.outputs, ledger.covers(events), timeout=90)
        assert w3.alive()
        group.stop_all()

    report = ledger.check(events, await ledger.read(kafka_broker.bootstrap))
    print(f"outcomes={report.outcomes} duplicates={report.duplicates} routes={report.by_route}")
