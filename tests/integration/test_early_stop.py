"""A worker stopped while it is still starting exits 0, like one stopped while serving.

A Deployment scaled down right after it was scaled up sends SIGTERM to pods that are still
importing, loading models or checking topics; before faust installs its own handlers the
signal's default action used to kill the process (exit -15), which the oracle's combined
scenario caught.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import unique_topics
from tests.integration.test_classify_worker import topic_env

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("role", ["classify", "dispatch"])
@pytest.mark.parametrize("after", [0.3, 1.5, 4.0])
def test_sigterm_during_start_up_exits_cleanly(
    role: str, after: float, kafka_broker: Any, tmp_path: Path, vault_keys: str
) -> None:
    topics = unique_topics()
    env = {
        **os.environ,
        **topic_env(topics),
        "PROMPT_DLP_BROKER": f"kafka://{kafka_broker.bootstrap}",
        "PROMPT_DLP_APP_ID": f"early-{topics.inbound}",
        "PROMPT_DLP_DATA_DIR": str(tmp_path),
        "PROMPT_DLP_VAULT_KEYS": vault_keys,
        "PROMPT_DLP_METRICS_PORT": "0",
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "worker", "--role", role],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        time.sleep(after)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 0, f"exit {code} after SIGTERM at {after}s:\n{log.read_text()[-3000:]}"
