"""A stop that cannot finish still ends: the worker exits within its shutdown timeout.

Seen in the fault soak (combined scenario, seed 696607431): after a broker restart a dispatch
worker's stop waited on an unavailable group coordinator for over 60 s, until SIGKILL. Here the
broker is frozen (SIGSTOP) under a ready worker, then the worker gets SIGTERM: faust's stop
cannot leave the group, and the watchdog ends the process with status 0.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from bench.harness.support import free_port
from pipeline.crypto import KeyRing
from tests.dispatch import support
from tests.support.broker import LocalBroker

pytestmark = pytest.mark.integration

_TIMEOUT = 8.0


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False


def test_a_stop_that_hangs_on_a_frozen_broker_ends_within_the_timeout(tmp_path: Path) -> None:
    broker = LocalBroker(free_port(), tmp_path / "kafka", controller_port=free_port(),
                         sasl_port=free_port())
    broker.start()
    metrics = free_port()
    env = support.worker_env(f"stop-{uuid.uuid4().hex[:8]}", tmp_path / "data",
                             support.unique_topics(), {}, KeyRing.generate_spec("t1"))
    env |= {"PROMPT_DLP_BROKER": f"kafka://127.0.0.1:{broker.port}",
            "PROMPT_DLP_METRICS_PORT": str(metrics),
            "PROMPT_DLP_SHUTDOWN_TIMEOUT_SECONDS": str(_TIMEOUT)}
    log = tmp_path / "worker.log"
    with log.open("ab") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "worker", "--role", "classify"],
            cwd=support.REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pid = broker.pid()
    assert pid is not None
    frozen = False
    try:
        support.wait_for(lambda: _ready(metrics) or worker.poll() is not None, 180,
                         "the worker never became ready")
        assert worker.poll() is None, log.read_text()[-3000:]
        os.kill(pid, signal.SIGSTOP)
        frozen = True
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=_TIMEOUT + 30)
        took = time.monotonic() - started
    finally:
        if frozen:
            os.kill(pid, signal.SIGCONT)
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        broker.stop()
    text = log.read_text(errors="replace")
    assert code == 0, text[-3000:]
    assert took < _TIMEOUT + 10, took
    if "stop did not finish" in text:  # the watchdog ended it: not before its time
        assert took >= _TIMEOUT - 0.5, took
