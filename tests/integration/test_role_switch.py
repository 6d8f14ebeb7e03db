"""Switching from ``--role all`` to ``--role dispatch`` never calls the LLM a second time.

The dispatch group and its dedup changelog must be the same however the roles are split: a
new group would start from ``earliest`` with an empty dedup table and re-dispatch old prompts.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from pipeline.crypto import KeyRing
from tests.dispatch import support
from tests.support.broker import LocalBroker

pytestmark = pytest.mark.integration

MOCK_PORT = support.MOCK_PORT_BASE + 7
DISPATCH = {"destinations": {"default": {"base_url": f"http://127.0.0.1:{MOCK_PORT}/v1"}}}


def _start(env: dict[str, str], role: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "pipeline", "worker", "--role", role],
            cwd=support.REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def test_all_then_dispatch_only_does_not_redispatch(
    kafka_broker: LocalBroker, tmp_path: Path
) -> None:
    topics = support.unique_topics()
    support.create_topics(topics)
    env = support.worker_env(
        f"switch-{uuid.uuid4().hex[:8]}", tmp_path / "data", topics, DISPATCH,
        KeyRing.generate_spec("t1"),
    )
    # The default app id: the path on which groups used to follow the role split.
    env.pop("PROMPT_DLP_APP_ID")
    log = tmp_path / "worker.log"
    mock = support.MockLLM(MOCK_PORT, tmp_path / "mock.log", latency_ms=5)
    try:
        first = [support.approved_event(f"sw1-{i}-{uuid.uuid4().hex[:6]}") for i in range(12)]
        support.produce(topics.approved, first)
        everything = _start(env, "all", log)
        try:
            support.consume_until(
                topics.responses, support.ids_answered(e["id"] for e in first), 120,
                lambda: everything.poll() is None,
            )
        finally:
            support.stop_process(everything, wait=60)
        assert everything.returncode == 0, log.read_text()[-3000:]

        # A sentinel after the old prompts: once it is answered, the dispatch-only worker has
        # read everything its group had not committed.
        sentinel = support.approved_event(f"sw2-{uuid.uuid4().hex[:6]}")
        support.produce(topics.approved, [sentinel])
        dispatch_only = _start(env, "dispatch", log)
        try:
            responses = support.consume_until(
                topics.responses, support.ids_answered([sentinel["id"]]), 120,
                lambda: dispatch_only.poll() is None,
            )
        finally:
            support.stop_process(dispatch_only)
        calls: dict[str, Any] = mock.calls()
        assert calls.get(sentinel["id"]) == 1, log.read_text()[-3000:]
        assert {e["id"]: calls.get(e["id"]) for e in first} == {e["id"]: 1 for e in first}
        # Not even a replayed (unbilled) second request, nor a second answer, for the old ones.
        assert mock.stats().get("replays", 0) == 0
        answered = [r["id"] for r in responses if r["id"] in {e["id"] for e in first}]
        assert sorted(answered) == sorted(e["id"] for e in first)
    finally:
        mock.stop()
