"""A detector that raises or overruns its time budget quarantines the prompt: never approved."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from pipeline.bus import ensure_topics
from pipeline.config import Settings
from pipeline.detect.recognizers.pii.email import EmailAddressRecognizer
from pipeline.errors import DetectionFailure
from pipeline.route.classify import Classifier, RawEvent, Routed
from pipeline.wiring import build_classifier
from tests.conftest import unique_topics
from tests.faults.ledger import Ledger
from tests.integration.kafka_io import collect
from tests.integration.workers import WorkerGroup, classify_env
from tests.security.corpus import TRIGGER, Corpus, Event, catastrophic_policy, fault_seed, inbound

pytestmark = pytest.mark.integration

FAIL_CLOSED = "fail-closed.detection-error"


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    return catastrophic_policy(tmp_path / "policy.yaml")


def _classify(classifier: Classifier, texts: list[str]) -> list[Routed]:
    batch = [RawEvent(inbound(f"e{i}", t), "inbound", 0, i) for i, t in enumerate(texts)]
    return classifier.classify(batch)


def _assert_fail_closed(routed: Routed, kind: DetectionFailure) -> None:
    assert routed.route == "quarantine", routed
    assert routed.reason == kind
    value = routed.records[0].value
    assert value is not None and value["decision"]["rule_ids"] == [FAIL_CLOSED]


def test_a_raising_recognizer_quarantines_only_the_prompts_it_touched(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The e-mail recognizer raises: its prompt is held (not approved unredacted), the rest flow."""

    def boom(*_args: Any) -> Any:
        raise RuntimeError("recognizer bug")

    monkeypatch.setattr(EmailAddressRecognizer, "scan", boom)
    corpus = Corpus(fault_seed(3))
    email, token = corpus.email(), corpus.github_token()
    routed = _classify(
        build_classifier(settings),
        [
            "Explain the CAP theorem in two sentences.",
            f"Write to {email.text} about the invoice.",
            f"My token {token.text} fails.",
        ],
    )
    assert routed[0].route == "approved"
    _assert_fail_closed(routed[1], DetectionFailure.ERROR)
    assert routed[2].route == "quarantine" and routed[2].action == "block"
    assert email.text.encode() not in repr(routed[1].records).encode()


@pytest.mark.parametrize("timeout", [0.000001, 0.5])
def test_a_detector_over_its_time_budget_quarantines_its_prompt(
    settings: Settings, policy: Path, timeout: float
) -> None:
    """A deny pattern backtracking past the budget fails its prompt closed; neighbours pass.

    With a budget of a microsecond the neighbours' own few milliseconds of detection may
    overrun too on a loaded machine: then they must be held for the same reason, never
    approved unscanned.
    """
    tight = settings.model_copy(update={"policy_file": policy, "detect_timeout_seconds": timeout})
    routed = _classify(
        build_classifier(tight),
        [
            "Summarise the trade-offs between B-trees and LSM trees.",
            TRIGGER,
            "What is a good way to structure a retrospective meeting?",
        ],
    )
    assert routed[1].route == "quarantine"
    _assert_fail_closed(routed[1], DetectionFailure.TIMEOUT)
    for neighbour in (routed[0], routed[2]):
        if timeout >= 0.5 or neighbour.route != "quarantine":
            assert neighbour.route == "approved"
        else:
            _assert_fail_closed(neighbour, DetectionFailure.TIMEOUT)


async def test_worker_with_a_tiny_time_budget_fails_closed_end_to_end(
    kafka_broker: Any, tmp_path: Path, vault_keys: str, policy: Path
) -> None:
    """DETECT_TIMEOUT_SECONDS=0.000001 in a worker: overrunning prompts held, none approved."""
    topics = unique_topics()
    ledger = Ledger(topics)
    await ensure_topics(Settings(broker=kafka_broker.faust_url, topics=topics, partitions=2))
    corpus = Corpus(fault_seed(17))
    events: list[Event] = []
    for i in range(10):
        events.append(Event(f"trigger-{i}", inbound(f"trigger-{i}", TRIGGER), "quarantine"))
        secret = corpus.secret()
        events.append(
            Event(
                f"secret-{i}",
                inbound(f"secret-{i}", corpus.carrying(secret)),
                "quarantine",
                (secret,),
            )
        )
        # Short prompts get a per-KB floor on the budget, so these may pass or fail closed.
        events.append(
            Event(f"clean-{i}", inbound(f"clean-{i}", corpus.clean_text()), "approved|quarantine")
        )
    env = classify_env(
        kafka_broker.faust_url,
        topics,
        f"faults-budget-{uuid.uuid4().hex[:8]}",
        tmp_path,
        vault_keys,
        PROMPT_DLP_DETECT_TIMEOUT_SECONDS="0.000001",
        PROMPT_DLP_POLICY_FILE=str(policy),
    )
    with WorkerGroup(env, tmp_path) as group:
        worker = group.start("w")
        await asyncio.to_thread(worker.wait_ready)
        await ledger.produce(kafka_broker.bootstrap, events)
        await collect(kafka_broker.bootstrap, ledger.outputs, ledger.covers(events), timeout=60)
        # Counted once the outputs are acked, so a moment after they can be read (CI, loaded).
        timeouts = await asyncio.to_thread(_timeouts_counted, worker, 10, 20.0)
        group.stop_all()

    report = ledger.check(events, await ledger.read(kafka_broker.bootstrap))
    for i in range(10):
        assert report.first[f"trigger-{i}"].signature[1] == (FAIL_CLOSED,)
    assert timeouts >= 10


def _timeouts_counted(worker: Any, at_least: int, timeout: float) -> float:
    """``prompt_dlp_detection_failures_total{kind="timeout"}``, polled until ``at_least``."""
    deadline = time.monotonic() + timeout
    value = -1.0
    while True:
        status, metrics = worker.get("/metrics")
        assert status == 200
        found = re.search(rb'prompt_dlp_detection_failures_total\{kind="timeout"\} (\S+)', metrics)
        value = float(found.group(1)) if found else -1.0
        if value >= at_least or time.monotonic() > deadline:
            return value
        time.sleep(0.5)
