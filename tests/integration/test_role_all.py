"""``worker --role all`` is a supervisor of one child per role: its children never outlive it.

A supervisor killed with SIGKILL cannot forward a stop; the children used to keep consuming as
orphans (a restarted supervisor then ran a second pair beside them).
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

from tests.integration.test_classify_worker import subprocess_env

pytestmark = pytest.mark.integration


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(p) for p in text.split()]


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for init to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _until(what: str, check: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not {what} within {timeout}s")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux")
@pytest.mark.parametrize("settle", [0.0, 12.0], ids=["starting", "serving"])
def test_children_stop_when_the_supervisor_is_killed(
    settle: float, kafka_broker: Any, tmp_path: Path, vault_keys: str
) -> None:
    env = subprocess_env(kafka_broker, tmp_path, vault_keys, "all")
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "worker", "--role", "all"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    children: list[int] = []
    try:
        children = _until("two children", lambda: len(_children(proc.pid)) == 2 and
                          _children(proc.pid), 60)
        time.sleep(settle)
        assert all(_alive(c) for c in children), log.read_text()[-3000:]
        proc.kill()
        proc.wait()
        try:
            _until("children gone", lambda: not any(_alive(c) for c in children), 60)
        except AssertionError as exc:
            alive = [c for c in children if _alive(c)]
            raise AssertionError(f"{exc}; alive {alive}\n{log.read_text()[-3000:]}") from None
    finally:
        for child in children:
            if _alive(child):
                os.kill(child, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
