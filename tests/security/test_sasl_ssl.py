"""The classify worker on a SASL_SSL (SCRAM-SHA-512) bus, configured only by PROMPT_DLP_* env."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.config import TopicNames
from tests.conftest import unique_topics
from tests.faults.ledger import Ledger
from tests.integration.kafka_io import collect
from tests.integration.workers import WorkerGroup, classify_env
from tests.security.corpus import mixed_stream
from tests.support.broker import LocalBroker

pytestmark = pytest.mark.integration

# Its own broker (PLAINTEXT on PORT, SASL_SSL on PORT+1): the session broker has no SASL listener.
PORT = int(os.environ.get("PROMPT_DLP_SASL_KAFKA_PORT", "19710"))
START_ERROR_SECONDS = 30


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    b = LocalBroker(PORT, tmp_path_factory.mktemp("kafka-sasl"), sasl_ssl=True)
    b.start()
    try:
        yield b
    finally:
        b.stop()


def sasl_env(
    broker: LocalBroker,
    tmp_path: Path,
    vault_keys: str,
    topics: TopicNames | None = None,
    **overrides: str,
) -> dict[str, str]:
    """A worker environment that reaches the bus only through the SASL_SSL listener."""
    topics = topics or unique_topics()
    sasl = broker.sasl
    env = classify_env(
        f"kafka://{sasl.bootstrap}", topics, f"sasl-{uuid.uuid4().hex[:8]}", tmp_path, vault_keys
    )
    env.update(
        {
            "PROMPT_DLP_SECURITY__PROTOCOL": "SASL_SSL",
            "PROMPT_DLP_SECURITY__SASL_MECHANISM": "SCRAM-SHA-512",
            "PROMPT_DLP_SECURITY__SASL_USERNAME": sasl.username,
            "PROMPT_DLP_SECURITY__SASL_PASSWORD_FILE": str(broker.data_dir / "sasl-password"),
            "PROMPT_DLP_SECURITY__SSL_CAFILE": str(sasl.cafile),
            **overrides,
        }
    )
    return env


async def test_classify_flow_runs_over_sasl_ssl(
    broker: LocalBroker, tmp_path: Path, vault_keys: str
) -> None:
    """Worker, test producer and consumer all on SASL_SSL: every event routed, password unlogged."""
    topics = unique_topics()
    env = sasl_env(broker, tmp_path, vault_keys, topics)
    ledger = Ledger(topics)
    client = broker.aiokafka_kwargs(sasl=True)
    events = mixed_stream(40, 31, "sasl")
    with WorkerGroup(env, tmp_path) as group:
        worker = group.start("w")
        await asyncio.to_thread(worker.wait_ready)  # it created its topics through SASL_SSL too
        await ledger.produce(broker.sasl.bootstrap, events, client)
        await collect(
            broker.sasl.bootstrap, ledger.outputs, ledger.covers(events), timeout=60, client=client
        )
        group.stop_all()
    report = ledger.check(events, await ledger.read(broker.sasl.bootstrap, client))
    assert report.duplicates == 0
    assert broker.sasl.password not in group.logs()


def _fails_fast(env: dict[str, str], log: Path) -> str:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "worker", "--role", "classify"],
            env={**os.environ, "PROMPT_DLP_METRICS_PORT": "0", **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            code = proc.wait(START_ERROR_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
            tail = log.read_text()[-2000:]
            pytest.fail(f"worker still running after {START_ERROR_SECONDS}s:\n{tail}")
    assert code != 0
    return log.read_text(errors="replace")


def test_wrong_password_stops_the_worker_at_start_with_a_clear_error(
    broker: LocalBroker, tmp_path: Path, vault_keys: str
) -> None:
    """A wrong SCRAM password: non-zero exit within 30 s naming the authentication failure."""
    wrong = tmp_path / "wrong-password"
    wrong.write_text("not-the-password-" + uuid.uuid4().hex)
    env = sasl_env(broker, tmp_path, vault_keys, PROMPT_DLP_SECURITY__SASL_PASSWORD_FILE=str(wrong))
    output = _fails_fast(env, tmp_path / "worker.log")
    assert "SaslAuthenticationFailed" in output or "Authentication failed" in output, output[-2000:]
    assert wrong.read_text() not in output


def test_untrusted_ca_stops_the_worker_at_start_with_a_clear_error(
    broker: LocalBroker, tmp_path: Path, vault_keys: str
) -> None:
    """A CA that did not sign the broker's certificate: non-zero exit naming the TLS failure."""
    other_ca = tmp_path / "other-ca.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=untrusted-test-ca",
            "-keyout",
            str(tmp_path / "other-ca.key"),
            "-out",
            str(other_ca),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    env = sasl_env(broker, tmp_path, vault_keys, PROMPT_DLP_SECURITY__SSL_CAFILE=str(other_ca))
    output = _fails_fast(env, tmp_path / "worker.log")
    assert "CERTIFICATE_VERIFY_FAILED" in output, output[-2000:]
    assert broker.sasl.password not in output
