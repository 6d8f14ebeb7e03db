"""Drive a real single-node Apache Kafka broker (deploy/kafka/kafka-local) from tests and benches.

Usage::

    broker = LocalBroker(19092, tmp_path / "kafka", sasl_ssl=True)
    broker.start()                 # formats storage on first start, waits until ready
    broker.bootstrap               # "127.0.0.1:19092"  (PLAINTEXT)
    broker.sasl.bootstrap          # "127.0.0.1:19093"  (SASL_SSL, SCRAM-SHA-512)
    broker.aiokafka_kwargs(sasl=True)
    broker.restart()               # keeps data
    broker.stop()

Everything is keyed by port and data dir, so several brokers can run at once.
Ports used: ``port`` (PLAINTEXT), ``controller_port`` (default port+1000) and,
with ``sasl_ssl``, ``sasl_port`` (default port+1).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]  # bench/harness/broker.py
SCRIPT = REPO / "deploy" / "kafka" / "kafka-local"


class BrokerError(RuntimeError):
    """kafka-local failed; the message contains its output (incl. the broker log tail)."""


@dataclass(frozen=True)
class SaslInfo:
    """Client settings for the SASL_SSL listener."""

    bootstrap: str
    username: str
    password: str
    cafile: Path
    mechanism: str = "SCRAM-SHA-512"
    security_protocol: str = "SASL_SSL"

    def ssl_context(self) -> Any:
        from aiokafka.helpers import create_ssl_context

        return create_ssl_context(cafile=str(self.cafile))


class LocalBroker:
    def __init__(
        self,
        port: int,
        data_dir: Path,
        sasl_ssl: bool = False,
        *,
        controller_port: int | None = None,
        sasl_port: int | None = None,
        sasl_user: str = "dlp",
        sasl_password: str | None = None,
        start_timeout: int = 90,
    ) -> None:
        self.port = port
        self.data_dir = Path(data_dir)
        self.sasl_ssl = sasl_ssl
        self.controller_port = controller_port or port + 1000
        self.sasl_port = sasl_port or port + 1
        self.sasl_user = sasl_user
        self._sasl_password = sasl_password
        self.start_timeout = start_timeout

    # ------------------------------------------------------------ control
    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        # Never inherit another broker's settings from the caller's environment.
        for k in list(env):
            if k.startswith("KAFKA_"):
                del env[k]
        env.update(
            KAFKA_PORT=str(self.port),
            KAFKA_CONTROLLER_PORT=str(self.controller_port),
            KAFKA_SASL_PORT=str(self.sasl_port),
            KAFKA_DATA_DIR=str(self.data_dir),
            KAFKA_SASL_SSL="1" if self.sasl_ssl else "0",
            KAFKA_SASL_USER=self.sasl_user,
            KAFKA_START_TIMEOUT=str(self.start_timeout),
        )
        if self._sasl_password is not None:
            env["KAFKA_SASL_PASSWORD"] = self._sasl_password
        for k in ("KAFKA_HEAP_OPTS", "JAVA_HOME"):
            if k in os.environ:
                env[k] = os.environ[k]
        return env

    def run(self, command: str, *, check: bool = True, timeout: float | None = None) -> str:
        """Run ``kafka-local <command>`` for this broker and return its output."""
        proc = subprocess.run(
            [str(SCRIPT), command],
            env=self._env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout or self.start_timeout + 120,
            check=False,
        )
        out = proc.stdout + proc.stderr
        if check and proc.returncode != 0:
            raise BrokerError(f"kafka-local {command} (port {self.port}) failed:\n{out}")
        return out

    def start(self) -> None:
        self.run("start")

    def stop(self) -> None:
        self.run("stop")

    def restart(self) -> None:
        self.run("restart")

    def clean(self) -> None:
        """Stop and delete the data dir."""
        self.run("clean")

    def is_running(self) -> bool:
        return "running (pid" in self.run("status", check=False, timeout=30)

    def pid(self) -> int | None:
        try:
            return int((self.data_dir / "kafka.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def __enter__(self) -> LocalBroker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ client settings
    @property
    def bootstrap(self) -> str:
        """PLAINTEXT bootstrap servers, e.g. ``127.0.0.1:19092``."""
        return f"127.0.0.1:{self.port}"

    @property
    def faust_url(self) -> str:
        return f"kafka://{self.bootstrap}"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "log" / "server.log"

    @property
    def sasl(self) -> SaslInfo:
        if not self.sasl_ssl:
            raise BrokerError(f"broker on port {self.port} was not started with sasl_ssl=True")
        password = self._sasl_password
        if password is None:
            password = (self.data_dir / "sasl-password").read_text()
        return SaslInfo(
            bootstrap=f"127.0.0.1:{self.sasl_port}",
            username=self.sasl_user,
            password=password,
            cafile=self.data_dir / "ca.pem",
        )

    def aiokafka_kwargs(self, sasl: bool = False, **overrides: Any) -> dict[str, Any]:
        """Keyword arguments for AIOKafkaProducer/AIOKafkaConsumer/AIOKafkaAdminClient."""
        if not sasl:
            kw: dict[str, Any] = {"bootstrap_servers": self.bootstrap}
        else:
            s = self.sasl
            kw = {
                "bootstrap_servers": s.bootstrap,
                "security_protocol": s.security_protocol,
                "sasl_mechanism": s.mechanism,
                "sasl_plain_username": s.username,
                "sasl_plain_password": s.password,
                "ssl_context": s.ssl_context(),
            }
        kw.update(overrides)
        return kw

    def __repr__(self) -> str:
        mode = "sasl_ssl" if self.sasl_ssl else "plaintext"
        return f"LocalBroker(port={self.port}, data_dir={self.data_dir}, mode={mode})"
