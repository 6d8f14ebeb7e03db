"""Run ``prompt-dlp worker`` subprocesses for integration, fault and security tests.

Usage::

    env = classify_env(broker.faust_url, topics, app_id, tmp_path, keys)
    with WorkerGroup(env, tmp_path) as group:
        w = group.start("w1")            # python -m pipeline worker --role classify
        w.wait_ready(60)                 # /readyz: producer up and partitions assigned
        w.kill(signal.SIGKILL)           # fault injection; group.start("w2") restarts
    # every worker is stopped (SIGCONT, SIGTERM, then SIGKILL) on the way out

Each worker writes stdout+stderr to ``<dir>/<name>.log`` and serves metrics on its own port.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType

from bench.harness.support import free_port, wait_until
from pipeline.config import TopicNames

__all__ = ["Worker", "WorkerGroup", "classify_env", "free_port", "topic_env", "wait_until"]


def topic_env(topics: TopicNames) -> dict[str, str]:
    return {f"PROMPT_DLP_TOPICS__{k.upper()}": v for k, v in topics.model_dump().items()}


def classify_env(
    broker_url: str,
    topics: TopicNames,
    app_id: str,
    data_dir: Path,
    vault_keys: str,
    *,
    partitions: int = 2,
    **extra: str,
) -> dict[str, str]:
    """The PROMPT_DLP_* environment of a classify worker (``extra`` adds or overrides)."""
    return {
        **topic_env(topics),
        "PROMPT_DLP_BROKER": broker_url,
        "PROMPT_DLP_APP_ID": app_id,
        "PROMPT_DLP_DATA_DIR": str(data_dir),
        "PROMPT_DLP_VAULT_KEYS": vault_keys,
        "PROMPT_DLP_PARTITIONS": str(partitions),
        **extra,
    }


class Worker:
    """One worker subprocess, its log file and its metrics port."""

    def __init__(
        self, name: str, proc: subprocess.Popen[bytes], log: Path, metrics_port: int
    ) -> None:
        self.name = name
        self.proc = proc
        self.log = log
        self.metrics_port = metrics_port

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self, sig: int = signal.SIGKILL, wait: float = 30.0) -> int | None:
        """Send ``sig``; for SIGKILL/SIGTERM wait for the exit and return the code."""
        self.proc.send_signal(sig)
        if sig in (signal.SIGKILL, signal.SIGTERM):
            return self.proc.wait(wait)
        return None

    def stop(self, timeout: float = 30.0) -> None:
        """Graceful stop (SIGCONT in case it is paused, then SIGTERM); SIGKILL if it hangs."""
        if not self.alive():
            return
        for sig in (signal.SIGCONT, signal.SIGTERM):
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def get(self, path: str, method: str = "GET", timeout: float = 5.0) -> tuple[int, bytes]:
        """HTTP request to the worker's metrics server; (status, body), errors included."""
        url = f"http://127.0.0.1:{self.metrics_port}{path}"
        request = urllib.request.Request(url, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as exc:
            return int(exc.code), bytes(exc.read())

    def ready(self) -> bool:
        try:
            return self.get("/readyz", timeout=2)[0] == 200
        except OSError:
            return False

    def serving(self) -> bool:
        try:
            return self.get("/healthz", timeout=2)[0] == 200
        except OSError:
            return False

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Until /readyz says ready: output producer connected and partitions assigned."""
        self._wait(self.ready, timeout, "ready")

    def wait_serving(self, timeout: float = 90.0) -> None:
        """Until /healthz answers: started and in the group, maybe with no partitions yet."""
        self._wait(self.serving, timeout, "serving")

    def _wait(self, check: Callable[[], bool], timeout: float, what: str) -> None:
        def alive_and() -> bool:
            if not self.alive():
                code, tail = self.proc.returncode, self.output()[-3000:]
                raise RuntimeError(f"worker {self.name} exited ({code}):\n{tail}")
            return check()

        wait_until(alive_and, timeout, f"worker {self.name} to be {what}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


class WorkerGroup:
    """Starts workers with a shared environment and stops every one of them on exit."""

    def __init__(self, env: Mapping[str, str], log_dir: Path, role: str = "classify") -> None:
        self.env = dict(env)
        self.log_dir = log_dir
        self.role = role
        self.workers: list[Worker] = []

    def start(self, name: str, **overrides: str) -> Worker:
        port = free_port()
        env = {**os.environ, "PROMPT_DLP_METRICS_PORT": str(port), **self.env, **overrides}
        log = self.log_dir / f"{name}.log"
        with log.open("ab") as out:
            command = [sys.executable, "-m", "pipeline", "worker", "--role", self.role]
            proc = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        worker = Worker(name, proc, log, int(env["PROMPT_DLP_METRICS_PORT"]))
        self.workers.append(worker)
        return worker

    def stop_all(self) -> None:
        for worker in self.workers:
            worker.stop()

    def logs(self) -> str:
        return "".join(w.output() for w in self.workers)

    def __enter__(self) -> WorkerGroup:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop_all()
