"""A worker stopped while it is still starting exits 0, like one stopped while serving.

A Deployment scaled down right after it was scaled up sends SIGTERM to pods that are still
importing, loading models or checking topics; before faust installs its own handlers the
signal's default action used to kill the process (exit -15), which the oracle's combined
scenario caught.

The interpreter's own start (before any of our code runs) cannot be covered. So each run
waits for a point of the start-up it can see from outside, then stops the worker: as soon as
it catches SIGTERM (``SigCgt`` in ``/proc/<pid>/status``, our handler), as soon as spaCy's
compiled modules are mapped (``/proc/<pid>/maps``: the detection engine is loading, long
before faust installs its handlers), and three seconds after that.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_classify_worker import subprocess_env

pytestmark = pytest.mark.integration


def _catches_sigterm(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    [mask] = [line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")]
    return bool(int(mask, 16) & (1 << (signal.SIGTERM - 1)))


def _loading_spacy(pid: int) -> bool:
    try:
        return "/spacy/" in Path(f"/proc/{pid}/maps").read_text()
    except FileNotFoundError:
        return False


POINTS = {
    "handler": (_catches_sigterm, 0.0),
    "model-load": (_loading_spacy, 0.0),
    "model-load+3s": (_loading_spacy, 3.0),
}


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
@pytest.mark.parametrize("role", ["classify", "dispatch"])
@pytest.mark.parametrize("point", list(POINTS))
def test_sigterm_during_start_up_exits_cleanly(
    role: str, point: str, kafka_broker: Any, tmp_path: Path, vault_keys: str
) -> None:
    reached, after = POINTS[point]
    env = subprocess_env(kafka_broker, tmp_path, vault_keys, "early")
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "worker", "--role", role],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not reached(proc.pid) and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()[-3000:]
            time.sleep(0.01)
        time.sleep(after)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 0, f"exit {code} after SIGTERM at {point}:\n{log.read_text()[-3000:]}"
