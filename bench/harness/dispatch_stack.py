"""Helpers for dispatch tests: approved events, the mock LLM and the dispatch worker as processes.

Integration tests are synchronous and drive Kafka through ``asyncio.run`` so that
the mock server and the worker can live in subprocesses the tests may SIGKILL.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from pipeline.config import TopicNames

__all__ = [
    "BROKER_PORT", "LOOKUP_TOOL", "MOCK_PORT_BASE", "REPO", "MockLLM", "approved_event",
    "approved_v2_event",
    "consume_until", "create_topics", "http_json", "ids_answered", "mock_ports", "produce",
    "start_worker", "stop_process", "unique_topics", "wait_for", "worker_env",
]

REPO = Path(__file__).resolve().parents[2]
# The tests' session broker (tests/conftest.py reads the same variable); the bench sets its own.
BROKER_PORT = int(os.environ.get("PROMPT_DLP_TEST_KAFKA_PORT", "19592"))
# Mock LLM ports follow the broker port, so runs on different brokers never share a mock.
MOCK_PORT_BASE = BROKER_PORT - 1400


def approved_event(
    prompt_id: str,
    text: str = "Summarise the quarterly plan.",
    *,
    destination: str | None = None,
    conversation_id: str | None = None,
    model: str = "gpt-4o-mini",
) -> dict[str, Any]:
    """A valid prompts.approved v1 event."""
    body = {"model": model, "messages": [{"role": "user", "content": text}]}
    return _approved("v1", prompt_id, body, destination, conversation_id)


def _approved(
    version: str,
    prompt_id: str,
    body: dict[str, Any],
    destination: str | None,
    conversation_id: str | None,
) -> dict[str, Any]:
    """The envelope both versions share; ``body`` is v1's model+messages or v2's request."""
    decision: dict[str, Any] = {
        "action": "allow", "rule_ids": [], "reasons": [], "classification": "internal",
    }
    if destination is not None:
        decision["destination"] = destination
    event: dict[str, Any] = {
        "schema_version": version, "id": prompt_id, "tenant": "acme", "user": "u-1", **body,
        "decision": decision, "findings": [], "classified_at": "2026-01-01T00:00:00.000Z",
    }
    if conversation_id is not None:
        event["conversation_id"] = conversation_id
    return event


def approved_v2_event(
    prompt_id: str,
    request: dict[str, Any],
    *,
    destination: str | None = None,
    conversation_id: str | None = None,
    pseudonyms: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A valid prompts.approved v2 event carrying ``request`` (a create() body) whole."""
    event = _approved("v2", prompt_id, {"request": request}, destination, conversation_id)
    if pseudonyms is not None:
        event["pseudonyms"] = pseudonyms
    return event


LOOKUP_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "lookup_customer",
        "description": "Find a customer record.",
        "parameters": {
            "type": "object",
            "properties": {"email": {"type": "string"}, "limit": {"type": "integer"}},
            "required": ["email"],
        },
    },
}


def unique_topics() -> TopicNames:
    tag = uuid.uuid4().hex[:8]
    return TopicNames(**{k: f"d{tag}.{v}" for k, v in TopicNames().model_dump().items()})


# ------------------------------------------------------------------ HTTP admin of the mock


def http_json(url: str, body: dict[str, Any] | None = None, timeout: float = 5.0) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())


class MockLLM:
    """``python -m pipeline.mockllm`` in a subprocess, plus its admin API."""

    def __init__(
        self, port: int, log: Path, latency_ms: float = 20.0, chunk_ms: float = 1.0
    ) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._log = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline.mockllm", "--port", str(port),
             "--latency-ms", str(latency_ms), "--chunk-ms", str(chunk_ms)],
            cwd=REPO, stdout=self._log, stderr=subprocess.STDOUT,
        )
        wait_for(lambda: self._up(), 15, "mock LLM did not start")

    def _up(self) -> bool:
        try:
            http_json(self.url + "/v1/models", timeout=1)
            return True
        except OSError:
            return False

    def faults(self, **spec: Any) -> Any:
        return http_json(self.url + "/admin/faults", spec)

    def config(self, **spec: Any) -> Any:
        return http_json(self.url + "/admin/config", spec)

    def calls(self) -> dict[str, int]:
        result: dict[str, int] = http_json(self.url + "/admin/calls")
        return result

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = http_json(self.url + "/admin/stats")
        return result

    def log(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = http_json(self.url + "/admin/log")
        return result

    def bodies(self, prompt_id: str) -> list[dict[str, Any]]:
        """The request bodies the mock received for ``prompt_id``."""
        result: list[dict[str, Any]] = http_json(
            self.url + "/admin/requests?prompt_id=" + urllib.parse.quote(prompt_id)
        )
        return result

    def reset_peak(self) -> None:
        http_json(self.url + "/admin/reset", {"peak": True})

    def stop(self) -> None:
        stop_process(self.proc)
        self._log.close()


# ------------------------------------------------------------------ the worker


def worker_env(
    app_id: str, data_dir: Path, topics: TopicNames, dispatch: dict[str, Any], vault_keys: str
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPT_DLP_")}
    env.update(
        PROMPT_DLP_BROKER=f"kafka://127.0.0.1:{BROKER_PORT}",
        PROMPT_DLP_APP_ID=app_id,
        PROMPT_DLP_DATA_DIR=str(data_dir),
        PROMPT_DLP_PARTITIONS="2",
        PROMPT_DLP_TOPICS=topics.model_dump_json(),
        PROMPT_DLP_DISPATCH=json.dumps(dispatch),
        PROMPT_DLP_VAULT_KEYS=vault_keys,
        PROMPT_DLP_LOG_LEVEL="INFO",
        PROMPT_DLP_METRICS_PORT="0",
        # Short, so a SIGKILLed worker's partitions move to its successor quickly.
        PROMPT_DLP_SESSION_TIMEOUT_SECONDS="8",
    )
    return env


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "pipeline", "worker", "--role", "dispatch"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )


def stop_process(
    proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, wait: float = 15
) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(wait)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def wait_for(check: Callable[[], bool], timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(message)


# ------------------------------------------------------------------ Kafka I/O


def create_topics(topics: TopicNames, partitions: int = 2) -> None:
    """Create the test's topics up front (the broker does not auto-create)."""
    from pipeline.bus import ensure_topics
    from pipeline.config import Settings

    settings = Settings(
        broker=f"kafka://127.0.0.1:{BROKER_PORT}", topics=topics, partitions=partitions
    )
    asyncio.run(ensure_topics(settings))


def produce(topic: str, events: Iterable[dict[str, Any]]) -> None:
    async def run() -> None:
        from aiokafka import AIOKafkaProducer

        producer = AIOKafkaProducer(bootstrap_servers=f"127.0.0.1:{BROKER_PORT}", acks="all")
        await producer.start()
        try:
            for event in events:
                key = (event.get("conversation_id") or event["id"]).encode()
                await producer.send_and_wait(topic, orjson.dumps(event), key=key)
        finally:
            await producer.stop()

    asyncio.run(run())


def consume_until(
    topic: str,
    done: Callable[[list[dict[str, Any]]], bool],
    timeout: float,
    alive: Callable[[], bool] = lambda: True,
) -> list[dict[str, Any]]:
    """Read ``topic`` from the beginning until ``done(records)`` or the timeout."""

    async def run() -> list[dict[str, Any]]:
        from aiokafka import AIOKafkaConsumer

        consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=f"127.0.0.1:{BROKER_PORT}",
            auto_offset_reset="earliest", enable_auto_commit=False, group_id=None,
        )
        await consumer.start()
        out: list[dict[str, Any]] = []
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not done(out) and alive():
                batch = await consumer.getmany(timeout_ms=200)
                out.extend(orjson.loads(m.value) for msgs in batch.values() for m in msgs)
        finally:
            await consumer.stop()
        return out

    return asyncio.run(run())


def ids_answered(ids: Iterable[str]) -> Callable[[list[dict[str, Any]]], bool]:
    wanted = set(ids)
    return lambda records: wanted <= {r["id"] for r in records}


def mock_ports() -> Iterator[int]:
    port = MOCK_PORT_BASE
    while True:
        yield port
        port += 1
