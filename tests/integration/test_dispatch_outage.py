"""A sustained outage: the circuit opens, nothing is lost, recovery comes without a stampede."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.crypto import KeyRing
from tests.dispatch import support
from tests.support.broker import LocalBroker

pytestmark = pytest.mark.integration

MOCK_PORT = support.MOCK_PORT_BASE + 2
CONCURRENCY = 3
DISPATCH = {
    "destinations": {
        "default": {"base_url": f"http://127.0.0.1:{MOCK_PORT}/v1", "timeout_seconds": 3}
    },
    "concurrency": CONCURRENCY,
    "batch_size": 20,
    "backoff_base_seconds": 0.1,
    "backoff_cap_seconds": 0.5,
    "circuit_failures": 3,
    "circuit_open_seconds": 1.0,
}


@pytest.fixture(scope="module")
def broker(kafka_broker: LocalBroker) -> LocalBroker:
    """The session's real broker (tests/conftest.py); topics are unique per test."""
    return kafka_broker


@pytest.fixture
def mock(tmp_path: Path) -> Iterator[support.MockLLM]:
    server = support.MockLLM(MOCK_PORT, tmp_path / "mock.log", latency_ms=200)
    try:
        yield server
    finally:
        server.stop()


def test_outage_opens_circuit_loses_nothing_and_recovers_gently(
    broker: LocalBroker, mock: support.MockLLM, tmp_path: Path
) -> None:
    """While the LLM is down prompts wait; afterwards each is answered once, <= N at a time."""
    topics = support.unique_topics()
    support.create_topics(topics)
    env = support.worker_env(
        f"dispatch-outage-{uuid.uuid4().hex[:8]}", tmp_path / "data", topics, DISPATCH,
        KeyRing.generate_spec("t1"),
    )
    log = tmp_path / "worker.log"
    mock.faults(mode="outage", retry_after=0.5)
    events = [support.approved_event(f"out-{i}-{uuid.uuid4().hex[:6]}") for i in range(20)]
    ids = [e["id"] for e in events]
    support.produce(topics.approved, events)
    proc = support.start_worker(env, log)
    try:
        def opens() -> int:
            return log.read_text(encoding="utf-8", errors="replace").count("circuit open")

        support.wait_for(lambda: mock.stats().get("fault_outage", 0) >= 3, 30, "no traffic")
        # Several open periods, each ended by one failed probe: a condition, not a guessed time.
        support.wait_for(lambda: opens() >= 4, 60, "the circuit to re-open after failed probes")
        refused = mock.stats().get("fault_outage", 0)
        during = support.consume_until(topics.responses, lambda _r: False, 1)
        assert during == []  # waiting, not failing
        # The breaker holds the 20 waiting prompts back: each went out at most once before
        # it opened (they all passed the closed circuit together), then one probe per open
        # period, never retries of each.
        assert refused <= len(events) + opens(), (refused, opens())

        mock.faults(mode="none")
        mock.reset_peak()
        answered = support.consume_until(
            topics.responses, support.ids_answered(ids), 40, lambda: proc.poll() is None
        )
    finally:
        support.stop_process(proc)
    assert {r["id"] for r in answered if r["status"] == "ok"} == set(ids)
    assert all(mock.calls()[i] == 1 for i in ids)
    assert mock.stats()["max_in_flight"] <= CONCURRENCY
