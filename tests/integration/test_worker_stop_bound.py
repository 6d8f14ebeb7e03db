"""A stop that cannot finish still ends: the worker exits within its shutdown timeout.

Seen in the fault soak (combined scenario, seed 696607431): after a broker restart a dispatch
worker's stop waited on an unavailable group coordinator for over 60 s, until SIGKILL. Here the
broker is frozen (SIGSTOP) under a ready worker, then the worker gets SIGTERM: faust's stop
cannot leave the group, and the watchdog ends the process with status 0.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

import pytest

from bench.harness.support import free_port
from pipeline.crypto import KeyRing
from tests.dispatch.support import unique_topics
from tests.integration.workers import WorkerGroup, classify_env
from tests.support.broker import LocalBroker

pytestmark = pytest.mark.integration

_TIMEOUT = 8.0


def test_a_stop_that_hangs_on_a_frozen_broker_ends_within_the_timeout(tmp_path: Path) -> None:
    broker = LocalBroker(free_port(), tmp_path / "kafka", controller_port=free_port(),
                         sasl_port=free_port())
    broker.start()
    env = classify_env(broker.faust_url, unique_topics(), f"stop-{uuid.uuid4().hex[:8]}",
                       tmp_path / "data", KeyRing.generate_spec("t1"),
                       PROMPT_DLP_SHUTDOWN_TIMEOUT_SECONDS=str(_TIMEOUT))
    pid = broker.pid()
    assert pid is not None
    frozen = False
    try:
        with WorkerGroup(env, tmp_path) as group:
            worker = group.start("w")
            worker.wait_ready(180)
            os.kill(pid, signal.SIGSTOP)
            frozen = True
            started = time.monotonic()
            code = worker.kill(signal.SIGTERM, wait=_TIMEOUT + 30)
            took = time.monotonic() - started
            text = worker.output()
    finally:
        if frozen:
            os.kill(pid, signal.SIGCONT)
        broker.stop()
    assert code == 0, text[-3000:]
    assert took < _TIMEOUT + 10, took
    if "stop did not finish" in text:  # the watchdog ended it: not before its time
        assert took >= _TIMEOUT - 0.5, took
