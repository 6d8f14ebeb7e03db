"""The classify runner's backstop: overruns are quarantined and never accumulate threads."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import orjson
import pytest

from pipeline.config import Settings
from pipeline.decide.build import load_policy
from pipeline.engine import DlpEngine
from pipeline.events import Finding, InboundPrompt
from pipeline.redact.vault import MappingVaultStore
from pipeline.route.classify import Classifier, RawEvent
from pipeline.route.runner import BatchRunner
from pipeline.wiring import VaultPolicyStage, key_ring


class StuckDetect:
    """Detection that does not return until released (a model stuck in C code)."""

    version = "stuck-1"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0

    def detect_many(self, prompts: Sequence[InboundPrompt]) -> list[list[Finding] | Exception]:
        self.calls += 1
        self.release.wait(timeout=60)
        return [[] for _ in prompts]


@pytest.fixture
def stuck() -> StuckDetect:
    return StuckDetect()


@pytest.fixture
def classifier(settings: Settings, stuck: StuckDetect) -> Classifier:
    keys = key_ring(settings)
    engine = DlpEngine(settings, load_policy(settings.policy_file), stuck, None)  # type: ignore[arg-type]
    return Classifier(settings, stuck, VaultPolicyStage(engine, keys, MappingVaultStore({})), keys)


def batch(n: int) -> list[RawEvent]:
    value = orjson.dumps({"id": f"p-{n}", "tenant": "t", "user": "u", "model": "m",
                          "messages": [{"role": "user", "content": "What is a monad?"}]})
    return [RawEvent(value, "prompts.inbound", 0, n)]


async def test_a_hundred_overruns_leave_the_thread_count_flat(
    classifier: Classifier, stuck: StuckDetect
) -> None:
    runner = BatchRunner(classifier, 0.02, slack_seconds=0.0)
    try:
        [first] = await runner.run(batch(0))
        assert first.route == "quarantine" and first.reason == "timeout"
        threads = threading.active_count()
        for n in range(1, 101):
            [routed] = await runner.run(batch(n))
            assert routed.route == "quarantine" and routed.reason == "timeout"
        assert threading.active_count() == threads
        assert runner.overruns == 101 and stuck.calls == 1  # nothing queued behind the stuck call
        stuck.release.set()  # the stuck call returns: the same thread serves later batches
        for n in range(102, 1_102):  # a condition, not a sleep: until the thread is free again
            [routed] = await runner.run(batch(n))
            if routed.route != "quarantine":
                break
        assert routed.route == "approved" and stuck.calls >= 2
        assert threading.active_count() == threads
    finally:
        stuck.release.set()
        runner.close()



async def test_a_late_failure_of_an_overrun_does_not_fail_the_next_batch(
    classifier: Classifier, stuck: StuckDetect
) -> None:
    """The stuck call's eventual error belongs to the batch already quarantined."""
    original = stuck.detect_many

    def fails_once_released(prompts: Sequence[InboundPrompt]) -> list[list[Finding] | Exception]:
        if stuck.calls == 0:
            stuck.calls += 1
            stuck.release.wait(timeout=60)
            raise RuntimeError("late failure of the overrun call")
        return original(prompts)

    stuck.detect_many = fails_once_released  # type: ignore[method-assign]
    runner = BatchRunner(classifier, 0.02, slack_seconds=0.0)
    try:
        [first] = await runner.run(batch(0))
        assert first.route == "quarantine"
        stuck.release.set()
        for n in range(1, 1_001):  # until the thread is free again (a condition, not a sleep)
            [routed] = await runner.run(batch(n))
            if routed.route != "quarantine":
                break
            assert routed.reason == "timeout", routed.reason  # never the stale error
        assert routed.route == "approved"
    finally:
        stuck.release.set()
        runner.close()
