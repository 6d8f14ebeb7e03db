"""A worker started while the broker is away waits for it instead of exiting.

Seen in the fault soak (combined scenario, seed 756567748): a dispatch worker finished loading
its models during a broker restart, faust could not bootstrap, and the process exited 1.
Nothing was lost (the other workers had the partitions), but a rolling restart of the bus must
not kill workers that happen to be starting.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest

from bench.harness.support import free_port
from pipeline.crypto import KeyRing
from tests.dispatch import support
from tests.support.broker import LocalBroker

pytestmark = pytest.mark.integration


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False


def test_worker_started_during_a_broker_outage_waits_and_comes_up(tmp_path: Path) -> None:
    broker = LocalBroker(free_port(), tmp_path / "kafka", controller_port=free_port(),
                         sasl_port=free_port())
    broker.start()
    broker.stop()  # formatted, then away: the worker starts against a dead address
    metrics = free_port()
    env = support.worker_env(f"start-{uuid.uuid4().hex[:8]}", tmp_path / "data",
                             support.unique_topics(), {}, KeyRing.generate_spec("t1"))
    env |= {"PROMPT_DLP_BROKER": f"kafka://127.0.0.1:{broker.port}",
            "PROMPT_DLP_METRICS_PORT": str(metrics)}
    log = tmp_path / "worker.log"
    with log.open("ab") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "worker", "--role", "classify"],
            cwd=support.REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        support.wait_for(lambda: "not reachable yet" in log.read_text(errors="replace"), 30,
                         "the worker did not report waiting for the broker")
        assert worker.poll() is None, log.read_text()[-3000:]
        broker.start()
        support.wait_for(lambda: _ready(metrics) or worker.poll() is not None, 180,
                         "the worker never became ready after the broker came back")
        assert worker.poll() is None, log.read_text()[-3000:]
    finally:
        support.stop_process(worker, wait=30)
        broker.stop()
    assert worker.returncode == 0, log.read_text()[-3000:]
