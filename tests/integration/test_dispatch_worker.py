"""The dispatch worker on a real broker against the mock LLM: answers, faults, duplicates."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.contracts import validator
from pipeline.crypto import KeyRing
from tests.dispatch import support
from tests.support.broker import LocalBroker

pytestmark = pytest.mark.integration

MOCK_PORT = support.MOCK_PORT_BASE
DISPATCH = {
    "destinations": {
        "default": {"base_url": f"http://127.0.0.1:{MOCK_PORT}/v1", "timeout_seconds": 1.5},
        "no-idem": {
            "base_url": f"http://127.0.0.1:{MOCK_PORT}/v1",
            "timeout_seconds": 1.5,
            "idempotency_keys": False,
        },
    },
    "backoff_base_seconds": 0.1,
    "backoff_cap_seconds": 1.0,
    "malformed_attempts": 3,
    "circuit_failures": 50,
    "batch_wait_seconds": 0.05,
}


@pytest.fixture(scope="module")
def broker(kafka_broker: LocalBroker) -> LocalBroker:
    """The session's real broker (tests/conftest.py); topics are unique per test."""
    return kafka_broker


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[support.MockLLM]:
    server = support.MockLLM(MOCK_PORT, tmp_path_factory.mktemp("mock") / "mock.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def worker(
    broker: LocalBroker, mock: support.MockLLM, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("worker")
    topics = support.unique_topics()
    support.create_topics(topics)
    keys = KeyRing.generate_spec("t1")
    env = support.worker_env(f"dispatch-{uuid.uuid4().hex[:8]}", tmp, topics, DISPATCH, keys)
    proc = support.start_worker(env, tmp / "worker.log")
    try:
        yield {"topics": topics, "proc": proc, "log": tmp / "worker.log", "keys": keys}
    finally:
        support.stop_process(proc)


def _run(worker: dict[str, Any], events: list[dict[str, Any]], timeout: float = 45):
    topics = worker["topics"]
    support.produce(topics.approved, events)
    ids = [e["id"] for e in events]
    proc = worker["proc"]
    responses = support.consume_until(
        topics.responses, support.ids_answered(ids), timeout, lambda: proc.poll() is None
    )
    assert worker["proc"].poll() is None, Path(worker["log"]).read_text()[-3000:]
    mine = [r for r in responses if r["id"] in ids]
    assert {r["id"] for r in mine} == set(ids), Path(worker["log"]).read_text()[-3000:]
    for r in mine:
        validator("response.json").validate(r)
    return mine


def _pid(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:8]}"


def test_answers_each_approved_prompt_once(worker: dict[str, Any], mock: support.MockLLM) -> None:
    """Every approved prompt gets one ok response with usage, and the LLM saw it once."""
    events = [support.approved_event(_pid("happy"), conversation_id="c-1") for _ in range(5)]
    responses = _run(worker, events)
    assert all(r["status"] == "ok" and r["answer"] for r in responses)
    assert all(r["usage"]["total_tokens"] > 0 and r["destination"] == "default" for r in responses)
    assert len(responses) == len(events)
    calls = mock.calls()
    assert all(calls[e["id"]] == 1 for e in events)


RECOVERING = ["429x2", "500x2", "503x2", "hangx1", "resetx1", "truncatedx1"]


@pytest.mark.parametrize("fault", RECOVERING)
def test_transient_fault_is_retried_to_one_answer(
    worker: dict[str, Any], mock: support.MockLLM, fault: str
) -> None:
    """A prompt whose first attempts fault is retried until answered, and billed once."""
    event = support.approved_event(_pid(fault), f"Plan review [[fault:{fault}]] please.")
    (response,) = _run(worker, [event])
    assert response["status"] == "ok"
    assert mock.calls()[event["id"]] == 1
    attempts = [e for e in mock.log() if e["prompt_id"] == event["id"]]
    assert len(attempts) == int(fault.split("x")[1]) + 1


def test_retry_after_is_honoured(worker: dict[str, Any], mock: support.MockLLM) -> None:
    """After a 429 with Retry-After: 1 the next attempt comes no sooner than a second later."""
    event = support.approved_event(_pid("ra"), "Plan [[fault:429x1]]")
    _run(worker, [event])
    first, second = [e for e in mock.log() if e["prompt_id"] == event["id"]]
    assert first["result"] == "429" and second["result"] == "200"
    assert second["at"] - first["at"] >= 1.0


@pytest.mark.parametrize(
    ("marker", "reason"), [("400", "http_400"), ("truncated", "malformed_reply")]
)
def test_permanent_failure_goes_to_dlq_and_requester_hears_back(
    worker: dict[str, Any], mock: support.MockLLM, marker: str, reason: str
) -> None:
    """A 4xx or a reply malformed on every try → DLQ (encrypted payload) + a failed response."""
    event = support.approved_event(_pid(marker), f"Plan [[fault:{marker}]]")
    (response,) = _run(worker, [event])
    assert response["status"] == "failed" and response["reason"] == reason
    assert response["answer"] is None
    dlq = support.consume_until(
        worker["topics"].dlq, support.ids_answered([event["id"]]), 20
    )
    (entry,) = [d for d in dlq if d["id"] == event["id"]]
    validator("dlq.json", "v2").validate(entry)
    assert entry["stage"] == "dispatch" and entry["reason"] == reason
    src = entry["source"]
    keys = KeyRing.parse(worker["keys"])
    from pipeline.crypto import Envelope

    aad = f"{src['topic']}/{src['partition']}/{src['offset']}".encode()
    assert b"[[fault:" in keys.decrypt(Envelope.from_dict(entry["payload"]), aad)
    assert event["id"] not in mock.calls()
    tries = len([e for e in mock.log() if e["prompt_id"] == event["id"]])
    assert tries == (1 if marker == "400" else DISPATCH["malformed_attempts"])


def test_redelivered_prompt_is_not_called_again(
    worker: dict[str, Any], mock: support.MockLLM
) -> None:
    """The same approved prompt arriving twice is answered once; the copy is skipped."""
    event = support.approved_event(_pid("dup"), conversation_id="c-dup")
    _run(worker, [event])
    sentinel = support.approved_event(_pid("sentinel"), conversation_id="c-dup")
    _run(worker, [event, sentinel])
    responses = support.consume_until(worker["topics"].responses, lambda _r: False, 2)
    assert len([r for r in responses if r["id"] == event["id"]]) == 1
    assert mock.calls()[event["id"]] == 1
