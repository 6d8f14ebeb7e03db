"""No secret or personal value escapes the classify worker, whatever path an event takes.

A generated corpus (fresh random AWS keys, GitHub tokens, PEM keys, URL passwords, e-mails,
phone numbers, SSNs) runs through a real worker: clean, redacted, blocked, dead-lettered (bad
JSON, wrong types, too large) and failed-closed (detection over its time budget). Then every
log line, the /metrics exposition, and every record on every output topic is searched for
every value. Quarantine and DLQ records carry originals only encrypted; approved messages
carry placeholders.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
import pytest

from pipeline.bus import ensure_topics
from pipeline.config import Settings, TopicNames
from tests.conftest import unique_topics
from tests.faults.ledger import Ledger
from tests.integration.kafka_io import collect, read_all
from tests.integration.workers import WorkerGroup, classify_env
from tests.security.corpus import (
    TRIGGER,
    Corpus,
    Event,
    Value,
    catastrophic_policy,
    fault_seed,
    inbound,
)

pytestmark = pytest.mark.integration

MAX_EVENT_BYTES = 65_536
FAIL_CLOSED = "fail-closed.detection-error"


def leak_corpus(seed: int) -> list[Event]:
    corpus = Corpus(seed)
    events: list[Event] = []

    def add(ident: str, raw: bytes, expect: str, values: tuple[Value, ...]) -> None:
        events.append(Event(ident, raw, expect, values))

    for i in range(12):  # personal data only: approved with placeholders
        values = (corpus.email(), corpus.phone(), corpus.ssn())
        text = " ".join(corpus.carrying(v) for v in values)
        add(
            f"pii-{i}",
            inbound(f"pii-{i}", text, conversation_id=f"conv-{i % 3}"),
            "approved",
            values,
        )
    for i in range(16):  # a secret beside personal data: blocked
        values = (corpus.secret(), corpus.pii())
        text = "\n".join(corpus.carrying(v) for v in values)
        add(f"secret-{i}", inbound(f"secret-{i}", text), "quarantine", values)
    for i in range(4):  # detection overruns its budget on a prompt full of values: fail closed
        values = (corpus.secret(), corpus.pii())
        text = f"{TRIGGER}\n" + "\n".join(corpus.carrying(v) for v in values)
        add(f"overrun-{i}", inbound(f"overrun-{i}", text), "quarantine", values)
    bad: list[tuple[str, Any]] = [
        ("truncated", lambda ident, text: inbound(ident, text)[:-7]),
        ("not-utf8", lambda ident, text: b"\xff\xfe" + text.encode()),
        ("content-type", lambda ident, text: orjson.dumps({"id": ident, "messages": text})),
        ("too-large", lambda ident, text: inbound(ident, text + " " * MAX_EVENT_BYTES)),
    ]
    for i, (kind, make) in enumerate(bad * 2):  # malformed: dead-lettered
        values = (corpus.secret(), corpus.pii())
        text = " ".join(corpus.carrying(v) for v in values)
        ident = f"dlq-{kind}-{i}"
        add(ident, make(ident, text), "dlq", values)
    add("clean", inbound("clean", corpus.clean_text()), "approved", ())
    return events


@dataclass
class Run:
    events: list[Event]
    topics: TopicNames
    logs: str
    metrics: bytes
    records: dict[str, list[Any]]
    http: dict[tuple[str, str], int]  # (method, path) → status, asked of the live worker


@pytest.fixture(scope="module")
def run(kafka_broker: Any, tmp_path_factory: pytest.TempPathFactory, vault_keys: str) -> Run:
    """One worker over the leak corpus: its logs, a /metrics scrape, every output record."""
    tmp_path = tmp_path_factory.mktemp("no-leak")
    topics = unique_topics()
    ledger = Ledger(topics)
    events = leak_corpus(seed=fault_seed(2024))
    asyncio.run(ensure_topics(Settings(broker=kafka_broker.faust_url, topics=topics, partitions=2)))
    env = classify_env(
        kafka_broker.faust_url,
        topics,
        f"security-leak-{uuid.uuid4().hex[:8]}",
        tmp_path,
        vault_keys,
        PROMPT_DLP_POLICY_FILE=str(catastrophic_policy(tmp_path / "policy.yaml")),
        PROMPT_DLP_DETECT_TIMEOUT_SECONDS="0.25",
        PROMPT_DLP_MAX_EVENT_BYTES=str(MAX_EVENT_BYTES),
        PROMPT_DLP_LOG_LEVEL="DEBUG",
    )
    with WorkerGroup(env, tmp_path) as group:
        worker = group.start("w")
        worker.wait_ready()
        asyncio.run(ledger.produce(kafka_broker.bootstrap, events))
        asyncio.run(collect(kafka_broker.bootstrap, ledger.outputs, ledger.covers(events), 60))
        http = {
            (method, path): worker.get(path, method=method)[0]
            for path in ("/metrics", "/healthz", "/readyz")
            for method in ("GET", "POST", "PUT", "DELETE", "PATCH")
        }
        status, metrics = worker.get("/metrics")
        assert status == 200
        group.stop_all()  # logs are complete once the worker has shut down
        logs = group.logs()
    ledger.check(events, asyncio.run(ledger.read(kafka_broker.bootstrap)))
    outputs = [name for role, name in topics.model_dump().items() if role != "inbound"]
    records = asyncio.run(read_all(kafka_broker.bootstrap, outputs))
    return Run(events, topics, logs, metrics, records, http)


def _needles(events: list[Event], category: str | None = None) -> list[tuple[str, str]]:
    return [
        (event.ident, needle)
        for event in events
        for value in event.values
        if category is None or value.category == category
        for needle in value.needles
    ]


def _record_bytes(record: Any) -> bytes:
    parts = [record.key or b"", record.value or b""]
    parts += [bytes(v) for _, v in record.headers or ()]
    return b"\n".join(parts)


def _found(haystack: str, needles: list[tuple[str, str]]) -> list[tuple[str, str]]:
    digits = "".join(ch for ch in haystack if ch.isdigit())
    return [(ident, n) for ident, n in needles if n in haystack or (n.isdigit() and n in digits)]


def test_no_value_in_logs_metrics_audit_dlq_or_quarantine(run: Run) -> None:
    """No secret or personal value in any log line, metric, audit, DLQ or quarantine record."""
    needles = _needles(run.events)
    assert len({n for _, n in needles}) > 100
    assert run.logs.count("\n") > 20, "the worker's logs were not captured"
    assert not _found(run.logs, needles), (
        f"value in the worker's logs: {_found(run.logs, needles)[:3]}"
    )
    assert not _found(run.metrics.decode(), needles), "value in /metrics"
    held = [run.topics.audit, run.topics.dlq, run.topics.quarantine, run.topics.vault]
    for topic in held:
        text = b"\n".join(_record_bytes(r) for r in run.records[topic]).decode(errors="replace")
        # JSON escapes newlines; PEM lines are needles on their own, so search the raw text.
        leaks = [(i, n) for i, n in needles if n in text]
        assert not leaks, f"{topic} carries {leaks[:3]}"
    assert len(run.records[run.topics.dlq]) == 8
    held_values = [orjson.loads(r.value) for r in run.records[run.topics.quarantine]]
    failed_closed = {v["id"] for v in held_values if v["decision"]["rule_ids"] == [FAIL_CLOSED]}
    assert failed_closed >= {f"overrun-{i}" for i in range(4)}, "the exception path was not taken"
    assert all(orjson.loads(r.value)["payload"]["ciphertext"] for r in run.records[run.topics.dlq])


def test_approved_messages_carry_no_secret_or_personal_value(run: Run) -> None:
    """Only placeholders reach prompts.approved: no secret, e-mail, phone number or SSN."""
    approved = [orjson.loads(r.value) for r in run.records[run.topics.approved]]
    assert {a["id"] for a in approved} == {e.ident for e in run.events if e.expect == "approved"}
    content = "\n".join(m["content"] for a in approved for m in a["request"]["messages"])
    assert not _found(content, _needles(run.events))
    assert "<EMAIL_ADDRESS_" in content and "<PHONE_NUMBER_" in content


def test_worker_metrics_endpoints_reject_state_changes(run: Run) -> None:
    """The live worker answers POST/PUT/DELETE/PATCH on /metrics, /healthz, /readyz with 405."""
    for (method, path), status in run.http.items():
        assert status == (200 if method == "GET" else 405), f"{method} {path} → {status}"
