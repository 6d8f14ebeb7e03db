"""The local Kafka 4.1 broker (deploy/kafka/kafka-local) works with our client stack.

Covers: aiokafka round trip, a faust-streaming worker forwarding a record,
broker restart keeping data (and clients reconnecting), SASL_SSL with
SCRAM-SHA-512, and a second plaintext broker running alongside.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError

try:
    from tests.support.broker import LocalBroker
except ModuleNotFoundError:  # bare `pytest` without pythonpath=["."] in pyproject
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.support.broker import LocalBroker

pytestmark = pytest.mark.integration

# Its own broker (it restarts it and opens SASL_SSL), clear of the session broker's ports.
PORT = int(os.environ.get("PROMPT_DLP_TEST_KAFKA_PORT", "19592")) + 100


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    """One broker for the module: PLAINTEXT on PORT, SASL_SSL on PORT+1."""
    b = LocalBroker(PORT, tmp_path_factory.mktemp("kafka-selftest"), sasl_ssl=True)
    b.start()
    try:
        yield b
    finally:
        b.stop()


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def create_topics(broker: LocalBroker, *names: str, partitions: int = 4) -> None:
    admin = AIOKafkaAdminClient(**broker.aiokafka_kwargs())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(n, partitions, 1) for n in names])
    finally:
        await admin.close()


async def consume(
    kwargs: dict, topic: str, n: int = 1, timeout: float = 30.0
) -> list[tuple[bytes | None, bytes | None]]:
    consumer = AIOKafkaConsumer(topic, group_id=_name("g"), auto_offset_reset="earliest", **kwargs)
    await consumer.start()
    got: list[tuple[bytes | None, bytes | None]] = []
    try:
        deadline = time.monotonic() + timeout
        while len(got) < n and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                got.extend((r.key, r.value) for r in records)
    finally:
        await consumer.stop()
    return got


# ---------------------------------------------------------------- (1) aiokafka


async def test_aiokafka_round_trip(broker: LocalBroker) -> None:
    topic = _name("roundtrip")
    await create_topics(broker, topic)
    # acks=all + idempotence: what pipeline/bus.py uses.
    producer = AIOKafkaProducer(**broker.aiokafka_kwargs(), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        md = await producer.send_and_wait(topic, b"hello", key=b"k1", headers=[("trace", b"t-1")])
        assert md.offset == 0
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic, group_id=_name("g"), auto_offset_reset="earliest", **broker.aiokafka_kwargs()
    )
    await consumer.start()
    try:
        msg = await asyncio.wait_for(consumer.getone(), 30)
        assert (msg.key, msg.value) == (b"k1", b"hello")
        assert msg.headers == (("trace", b"t-1"),)
        await consumer.commit()
    finally:
        await consumer.stop()


# ---------------------------------------------------------------- (2) faust-streaming

FAUST_APP = """
import faust

app = faust.App(
    {app_id!r},
    broker={broker_url!r},
    value_serializer="raw",
    store="memory://",
    web_enabled=False,
    topic_partitions=4,
    datadir={datadir!r},
)
src = app.topic({src!r}, value_type=bytes)
dst = app.topic({dst!r}, value_type=bytes)
seen = app.Table("seen", default=int, partitions=4)  # exercises changelog topic creation


@app.agent(src)
async def forward(stream):
    async for event in stream.events():
        seen["n"] += 1
        await dst.send(key=event.key, value=b"fwd:" + event.value,
                       headers={{"n": str(seen["n"]).encode()}})


if __name__ == "__main__":
    app.main()
"""


async def test_faust_worker_forwards(broker: LocalBroker, tmp_path: Path) -> None:
    src, dst, app_id = _name("faust-in"), _name("faust-out"), _name("faustapp")
    await create_topics(broker, src, dst)
    app_file = tmp_path / "faust_app.py"
    app_file.write_text(
        textwrap.dedent(
            FAUST_APP.format(
                app_id=app_id,
                broker_url=broker.faust_url,
                datadir=str(tmp_path / "faust-data"),
                src=src,
                dst=dst,
            )
        )
    )
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, str(app_file), "worker", "-l", "info", "--without-web"],
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        producer = AIOKafkaProducer(**broker.aiokafka_kwargs())
        await producer.start()
        try:
            await producer.send_and_wait(src, b"hello", key=b"k")
        finally:
            await producer.stop()
        got = await consume(broker.aiokafka_kwargs(), dst, n=1, timeout=60)
        log_text = log_path.read_text(errors="replace")
        assert got == [(b"k", b"fwd:hello")], f"faust did not forward; worker log:\n{log_text}"
        assert worker.poll() is None, f"faust worker died:\n{log_text}"
        assert f"Topic '{app_id}-seen-changelog' created" in log_text
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(10)


# ---------------------------------------------------------------- (3) restart keeps data


async def test_restart_keeps_data(broker: LocalBroker) -> None:
    topic = _name("durable")
    await create_topics(broker, topic)
    producer = AIOKafkaProducer(**broker.aiokafka_kwargs())
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"before", key=b"a")
        pid_before = broker.pid()

        await asyncio.to_thread(broker.restart)

        assert broker.is_running()
        assert broker.pid() != pid_before
        # The producer started before the restart reconnects by itself.
        await asyncio.wait_for(producer.send_and_wait(topic, b"after", key=b"a"), 60)
    finally:
        await producer.stop()

    got = await consume(broker.aiokafka_kwargs(), topic, n=2, timeout=60)
    assert got == [(b"a", b"before"), (b"a", b"after")]


# ---------------------------------------------------------------- (4) SASL_SSL


async def test_sasl_ssl_round_trip(broker: LocalBroker) -> None:
    sasl = broker.sasl
    assert sasl.cafile.is_file()
    assert (broker.data_dir / "sasl-password").stat().st_mode & 0o777 == 0o600
    topic = _name("sasl")
    await create_topics(broker, topic)

    producer = AIOKafkaProducer(**broker.aiokafka_kwargs(sasl=True))
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"secret", key=b"s")
    finally:
        await producer.stop()
    got = await consume(broker.aiokafka_kwargs(sasl=True), topic, n=1)
    assert got == [(b"s", b"secret")]


async def test_sasl_wrong_password_fails_fast(
    broker: LocalBroker, caplog: pytest.LogCaptureFixture
) -> None:
    kwargs = broker.aiokafka_kwargs(sasl=True, sasl_plain_password="not-the-password")
    producer = AIOKafkaProducer(**kwargs)
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="aiokafka"), pytest.raises(KafkaConnectionError):
        await asyncio.wait_for(producer.start(), 20)
    await producer.stop()
    assert time.monotonic() - started < 10
    # aiokafka wraps it as "Unable to bootstrap"; the cause is logged.
    assert "SaslAuthenticationFailed" in caplog.text


async def test_sasl_listener_rejects_untrusted_ca(broker: LocalBroker) -> None:
    import ssl

    from aiokafka.helpers import create_ssl_context

    ctx = create_ssl_context()  # system CAs only: our self-made CA is not trusted
    producer = AIOKafkaProducer(**broker.aiokafka_kwargs(sasl=True, ssl_context=ctx))
    with pytest.raises((KafkaConnectionError, ssl.SSLError)):
        await asyncio.wait_for(producer.start(), 20)
    await producer.stop()


# ---------------------------------------------------------------- several brokers


async def test_second_plaintext_broker_alongside(broker: LocalBroker, tmp_path: Path) -> None:
    other = LocalBroker(PORT + 2, tmp_path / "kafka-2")
    other.start()
    try:
        assert other.is_running() and broker.is_running()
        other.start()  # idempotent
        topic = _name("second")
        await create_topics(other, topic, partitions=1)
        producer = AIOKafkaProducer(**other.aiokafka_kwargs())
        await producer.start()
        try:
            await producer.send_and_wait(topic, b"x")
        finally:
            await producer.stop()
        assert await consume(other.aiokafka_kwargs(), topic) == [(None, b"x")]
        assert not (tmp_path / "kafka-2" / "ca.pem").exists()
    finally:
        other.stop()
    assert not other.is_running()
    other.stop()  # idempotent
    assert broker.is_running()
