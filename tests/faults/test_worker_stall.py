"""A worker frozen past its session timeout hands its partitions over and loses nothing."""

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

SESSION_TIMEOUT = 6  # PROMPT_DLP_SESSION_TIMEOUT_SECONDS; the broker's minimum


async def test_stopped_worker_is_replaced_and_resumes_without_loss(
    kafka_broker: Any, tmp_path: Path, vault_keys: str
) -> None:
    """SIGSTOP w1 mid-stream, w2 takes over after the session timeout, SIGCONT w1: each id once."""
    topics = unique_topics()
    ledger = Ledger(topics)
    await ensure_topics(Settings(broker=kafka_broker.faust_url, topics=topics, partitions=2))
    events = mixed_stream(200, fault_seed(11), "stall")
    first, second, third = events[:60], events[60:160], events[160:]
    env = classify_env(
        kafka_broker.faust_url,
        topics,
        f"faults-stall-{uuid.uuid4().hex[:8]}",
        tmp_path,
        vault_keys,
        PROMPT_DLP_BATCH_SIZE="8",
        PROMPT_DLP_SESSION_TIMEOUT_SECONDS=str(SESSION_TIMEOUT),
    )
    with WorkerGroup(env, tmp_path) as group:
        w1 = group.start("w1")
        await asyncio.to_thread(w1.wait_ready)
        await ledger.produce(kafka_broker.bootstrap, first)
        await collect(
            kafka_broker.bootstrap, ledger.outputs, lambda s: len(ledger.ids_seen(s)) >= 10
        )
        producing = asyncio.create_task(trickle(ledger, kafka_broker.bootstrap, second, 10, 0.1))
        await asyncio.sleep(0.3)
        w1.kill(signal.SIGSTOP)
        await producing
        w2 = group.start("w2")
        await asyncio.to_thread(w2.wait_ready, 60 + 3 * SESSION_TIMEOUT)
        await collect(kafka_broker.bootstrap, ledger.outputs, ledger.covers(first + second))
        w1.kill(signal.SIGCONT)
        await ledger.produce(kafka_broker.bootstrap, third)
        await collect(kafka_broker.bootstrap, ledger.outputs, ledger.covers(events))
        assert w1.alive() and w2.alive()
        group.stop_all()

    report = ledger.check(events, await ledger.read(kafka_broker.bootstrap))
    print(f"outcomes={report.outcomes} duplicates={report.duplicates} routes={report.by_route}")
