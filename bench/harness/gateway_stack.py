"""The whole path as processes: mock LLM, ``worker --role all`` and N ``gateway`` instances.

Used by the end-to-end tests and by bench/gateway. Everything runs on the
session's local broker with unique topic names; every process is stopped (and
SIGKILLed if it hangs) on exit. Ports come from ``free_port()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from bench.harness.support import free_port, unique_topics, wait_until
from pipeline.config import Settings, TopicNames
from pipeline.gateway.keys import hash_key, new_key

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Caller:
    """One API key and who it stands for."""

    key: str
    tenant: str
    app: str
    user: str


def http(
    url: str, body: Any = None, headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one request; HTTP errors are returned, not raised."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), dict(response.headers), bytes(response.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), dict(exc.headers), bytes(exc.read())


def _free_pair() -> int:
    """A free port whose successor is free too (dispatch's metrics port under ``--role all``)."""
    while True:
        port = free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port


class Proc:
    """A subprocess with its log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.log = log_dir / f"{name}.log"
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def children(self) -> list[int]:
        """Pids whose parent is this process (``worker --role all`` runs one per role)."""
        out = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                out.append(int(stat.parent.name))
        return out

    def crash(self) -> None:
        """SIGKILL this process and its children at once, as a lost machine would."""
        pids = self.children()
        self.proc.kill()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait(30)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def wait_http(self, url: str, timeout: float) -> None:
        def up() -> bool:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}):\n{self.output()}")
            try:
                return http(url, timeout=2)[0] == 200
            except OSError:
                return False

        wait_until(up, timeout, f"{self.name} at {url}")


class Stack:
    """Broker topics + mock LLM + workers + gateways, torn down in reverse order."""

    def __init__(
        self,
        bootstrap: str,
        vault_keys: str,
        log_dir: Path,
        *,
        mock_latency_ms: float = 20.0,
        partitions: int = 2,
        gateway_env: dict[str, str] | None = None,
    ) -> None:
        self.bootstrap = bootstrap
        self.log_dir = log_dir
        self.topics: TopicNames = unique_topics()
        self.mock_port = free_port()
        self.mock_url = f"http://127.0.0.1:{self.mock_port}"
        self.callers = [
            Caller(new_key(), "acme", "billing", "svc-billing"),
            Caller(new_key(), "globex", "support", "svc-support"),
        ]
        self.keys_file = log_dir / "gateway-keys.json"
        self.write_keys(self.callers)
        dispatch = {
            "destinations": {
                "default": {
                    "base_url": f"{self.mock_url}/v1",
                    "timeout_seconds": 10,
                    "model_map": {"gpt-4o-mini": "gpt-4o-mini", "gpt-4o": "gpt-4o"},
                }
            },
            "backoff_base_seconds": 0.1,
            "backoff_cap_seconds": 0.5,
            "batch_wait_seconds": 0.005,
            # Below the gateway's reply timeout, so an upstream 429 reaches the caller as one.
            "retry_budget_seconds": 2,
        }
        base = {k: v for k, v in os.environ.items() if not k.startswith("PROMPT_DLP_")}
        self.env = {
            **base,
            "PROMPT_DLP_BROKER": f"kafka://{bootstrap}",
            "PROMPT_DLP_TOPICS": self.topics.model_dump_json(),
            "PROMPT_DLP_APP_ID": f"gw-{self.topics.inbound.split('.')[0]}",
            "PROMPT_DLP_DATA_DIR": str(log_dir / "data"),
            "PROMPT_DLP_VAULT_KEYS": vault_keys,
            "PROMPT_DLP_PARTITIONS": str(partitions),
            "PROMPT_DLP_DISPATCH": json.dumps(dispatch),
            "PROMPT_DLP_SESSION_TIMEOUT_SECONDS": "8",
            "PROMPT_DLP_LOG_LEVEL": "INFO",
        }
        self.gateway_env = {
            "PROMPT_DLP_GATEWAY__KEYS_FILE": str(self.keys_file),
            "PROMPT_DLP_GATEWAY__REPLY_TIMEOUT_SECONDS": "60",
            "PROMPT_DLP_GATEWAY__KEYS_RELOAD_SECONDS": "0.2",
            "PROMPT_DLP_GATEWAY__USER_HEADER": "X-Forwarded-User",
            **(gateway_env or {}),
        }
        self._latency = mock_latency_ms
        self._partitions = partitions
        self.mock: Proc | None = None
        self.workers: list[Proc] = []
        self.gateways: list[tuple[Proc, str]] = []

    def write_keys(self, callers: list[Caller]) -> None:
        entries = [
            {"sha256": hash_key(c.key), "tenant": c.tenant, "app": c.app, "user": c.user}
            for c in callers
        ]
        tmp = self.keys_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(entries), encoding="utf-8")
        tmp.replace(self.keys_file)  # atomic, like a Secret volume update

    def _cli(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "pipeline", *args]

    def start(self, workers: int = 1, gateways: int = 1) -> Stack:
        from pipeline.bus import ensure_topics

        settings = Settings(
            broker=f"kafka://{self.bootstrap}", topics=self.topics, partitions=self._partitions
        )
        asyncio.run(ensure_topics(settings))
        self.mock = Proc(
            "mock-llm",
            self._cli("mock-llm", "--port", str(self.mock_port),
                      "--latency-ms", str(self._latency)),
            self.env, self.log_dir,
        )
        self.mock.wait_http(f"{self.mock_url}/v1/models", 30)
        for _ in range(workers):
            self.start_worker()
        for worker in self.workers:
            self.wait_worker(worker)
        for _ in range(gateways):
            self.start_gateway()
        return self

    def wait_worker(self, worker: Proc, timeout: float = 120) -> None:
        """Both roles of a ``--role all`` worker ready: classify on its port, dispatch on +1."""
        port = int(worker.name.split("-")[-1])
        for role_port in (port, port + 1):
            worker.wait_http(f"http://127.0.0.1:{role_port}/readyz", timeout)

    def start_worker(self) -> Proc:
        port = _free_pair()
        env = {**self.env, "PROMPT_DLP_METRICS_PORT": str(port)}
        worker = Proc(f"worker-{len(self.workers)}-{port}", self._cli("worker", "--role", "all"),
                      env, self.log_dir)
        self.workers.append(worker)
        return worker

    def start_gateway(self, **env: str) -> str:
        port = free_port()
        full = {**self.env, **self.gateway_env, "PROMPT_DLP_GATEWAY__PORT": str(port),
                "PROMPT_DLP_GATEWAY__HOST": "127.0.0.1",
                "PROMPT_DLP_GATEWAY__INSTANCE_ID": f"gw{len(self.gateways)}", **env}
        proc = Proc(f"gateway-{len(self.gateways)}", self._cli("gateway"), full, self.log_dir)
        url = f"http://127.0.0.1:{port}"
        self.gateways.append((proc, url))  # tracked first, so a failed start is still stopped
        proc.wait_http(url + "/readyz", 60)
        return url

    @property
    def url(self) -> str:
        return self.gateways[0][1]

    def logs(self) -> str:
        procs = [*(g for g, _ in self.gateways), *self.workers, *([self.mock] if self.mock else [])]
        return "\n".join(f"--- {p.name}\n{p.output()}" for p in procs)

    def stop(self) -> None:
        for proc, _ in reversed(self.gateways):
            proc.stop()
        for worker in reversed(self.workers):
            worker.stop()
        if self.mock is not None:
            self.mock.stop()

    def __enter__(self) -> Stack:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
