"""Classify workers killed (SIGKILL) or stopped (SIGTERM) mid-stream lose and leak nothing."""

from __future__ import annotations

import asyncio
import random
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



async def test_killed_and_restarted_workers_account_for_every_event(
    kafka_broker: Any, tmp_path: Path, vault_keys: str
) -> None:
    """Three kills (SIGKILL, SIGTERM, SIGKILL) at random moments over 300 events: each id once."""
    seed = fault_seed()
    rng = random.Random(seed)
    topics = unique_topics()
    ledger = Ledger(topics)
    await ensure_topics(Settings(broker=kafka_broker.faust_url, topics=topics, partitions=4))
    events = mixed_stream(300, seed, "kill")
    env = classify_env(
        kafka_broker.faust_url,
        topics,
        f"faults-kill-{uuid.uuid4().hex[:8]}",
        tmp_path,
        vault_keys,
        partitions=4,
        PROMPT_DLP_BATCH_SIZE="8",
        PROMPT_DLP_SESSION_TIMEOUT_SECONDS="6",
    )
    with WorkerGroup(env, tmp_path) as group:
        worker = group.start("w0")
        await asyncio.to_thread(worker.wait_ready)
        producing = asyncio.create_task(trickle(ledger, kafka_broker.bootstrap, events, 5, 0.2))
        for n, sig in enumerate((signal.SIGKILL, signal.SIGTERM, signal.SIGKILL), start=1):
            await asyncio.sleep(rng.uniform(0.5, 2.5))
            code = await asyncio.to_thread(worker.kill, sig)
            assert sig == signal.SIGKILL or code == 0, f"exit {code}:\n{worker.output()[-2000:]}"
            worker = group.start(f"w{n}")
            await asyncio.to_thread(worker.wait_ready)
        await producing
        await collect(kafka_broker.bootstrap, ledger.outputs, ledger.covers(events), timeout=90)
        group.stop_all()

    report = ledger.check(events, await ledger.read(kafka_broker.bootstrap))
    print(f"outcomes={report.outcomes} duplicates={report.duplicates} routes={report.by_route}")
