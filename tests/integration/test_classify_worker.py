"""The classify worker on a real Kafka broker: every event lands on exactly the right topic."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from pipeline.bus import ensure_topics
from pipeline.config import Settings, TopicNames
from pipeline.contracts import validator
from tests.conftest import unique_topics
from tests.integration.kafka_io import collect, produce, values

pytestmark = pytest.mark.integration

SECRET = "ghp_" + "R8x2Lq9Vt4Nw7Kp3Zs6Yb1Hd5Fg0Jm2Cv4Xa"


def worker_settings(broker: Any, topics: TopicNames) -> Settings:
    return Settings(broker=f"kafka://{broker.bootstrap}", topics=topics, partitions=2)


def topic_env(topics: TopicNames) -> dict[str, str]:
    return {f"PROMPT_DLP_TOPICS__{k.upper()}": v for k, v in topics.model_dump().items()}


def subprocess_env(broker: Any, data_dir: Path, vault_keys: str, app: str) -> dict[str, str]:
    """A worker subprocess's environment on fresh topics of the session broker."""
    topics = unique_topics()
    return {
        **os.environ,
        **topic_env(topics),
        "PROMPT_DLP_BROKER": f"kafka://{broker.bootstrap}",
        "PROMPT_DLP_APP_ID": f"{app}-{topics.inbound}",
        "PROMPT_DLP_DATA_DIR": str(data_dir),
        "PROMPT_DLP_VAULT_KEYS": vault_keys,
        "PROMPT_DLP_METRICS_PORT": "0",
    }


@pytest.fixture
def topics() -> TopicNames:
    return unique_topics()


@pytest.fixture
def worker(
    kafka_broker: Any, topics: TopicNames, tmp_path: Path, vault_keys: str
) -> Iterator[subprocess.Popen[bytes]]:
    """``prompt-dlp worker --role classify`` as a subprocess, stopped with SIGTERM."""
    env = {
        **os.environ,
        **topic_env(topics),
        "PROMPT_DLP_BROKER": f"kafka://{kafka_broker.bootstrap}",
        "PROMPT_DLP_APP_ID": f"classify-{topics.inbound}",
        "PROMPT_DLP_DATA_DIR": str(tmp_path),
        "PROMPT_DLP_VAULT_KEYS": vault_keys,
        "PROMPT_DLP_METRICS_PORT": "0",
        "PROMPT_DLP_PARTITIONS": "2",
    }
    log = (tmp_path / "worker.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "worker", "--role", "classify"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def inbound(ident: str, content: str, **extra: Any) -> bytes:
    return orjson.dumps(
        {
            "id": ident,
            "tenant": "t-acme",
            "user": "u-7",
            "model": "gpt-4o",
            "messages": [{"role": "user", "content": content}],
            **extra,
        }
    )


async def test_events_are_routed_to_the_right_topics(
    kafka_broker: Any, worker: Any, topics: TopicNames
) -> None:
    """Clean → approved, personal data → redacted, secret → quarantine, garbage → DLQ."""
    events = [
        ("clean", inbound("clean", "Explain the CAP theorem in two sentences.")),
        ("pii", inbound("pii", "Draft a reply to jane.doe@northwind-mail.com about her refund.")),
        ("secret", inbound("secret", f"Why does GitHub reject my token {SECRET}?")),
        ("bad-json", b'{"id": "bad-json", "tenant": '),
        ("bad-utf8", b"\xff\xfe not utf-8"),
        ("missing", orjson.dumps({"id": "missing", "tenant": "t"})),
        ("after", inbound("after", "Still alive after the garbage?")),
    ]
    await ensure_topics(worker_settings(kafka_broker, topics))
    await produce(
        kafka_broker.bootstrap,
        topics.inbound,
        events,
        headers=[("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")],
    )

    def done(seen: dict[str, list[Any]]) -> bool:
        routed = len(seen[topics.approved]) + len(seen[topics.quarantine]) + len(seen[topics.dlq])
        return routed >= len(events) and len(seen[topics.audit]) >= len(events)

    seen = await collect(
        kafka_broker.bootstrap,
        [topics.approved, topics.quarantine, topics.dlq, topics.audit],
        done,
        timeout=120,
    )
    approved = {v["id"]: v for v in values(seen[topics.approved])}
    quarantined = {v["id"]: v for v in values(seen[topics.quarantine])}
    dlq = values(seen[topics.dlq])

    assert set(approved) == {"clean", "pii", "after"}
    assert set(quarantined) == {"secret"}
    assert sorted(d["reason"] for d in dlq) == ["invalid_json", "not_utf8", "schema_violation"]
    def text(ident: str) -> str:
        return str(approved[ident]["request"]["messages"][0]["content"])

    assert text("clean") == "Explain the CAP theorem in two sentences."
    assert "jane.doe@northwind-mail.com" not in text("pii")
    assert "<EMAIL_ADDRESS_1>" in text("pii")
    assert approved["pii"]["decision"]["action"] == "redact"
    assert quarantined["secret"]["decision"]["action"] == "block"
    for record in seen[topics.quarantine] + seen[topics.dlq] + seen[topics.audit]:
        assert SECRET.encode() not in record.value
    for v in approved.values():
        validator("approved.json", "v2").validate(v)
    for v in quarantined.values():
        validator("quarantine.json", "v2").validate(v)
    for v in dlq:
        validator("dlq.json", "v2").validate(v)
    # Keys: conversation id or else id; trace context passes through.
    key_of = {orjson.loads(r.value)["id"]: r.key for r in seen[topics.approved]}
    assert key_of["clean"] == b"clean"
    assert all(
        dict(r.headers).get("traceparent", b"").startswith(b"00-0af7651916cd43dd8448eb211c80319c")
        for r in seen[topics.approved]
    )
    assert worker.poll() is None, "the worker must survive malformed input"


async def test_erasure_removes_vault_entries_and_quarantined_originals(
    kafka_broker: Any, worker: Any, topics: TopicNames, vault_keys: str, tmp_path: Path
) -> None:
    """`prompt-dlp erase --user` tombstones the user's vault and quarantine data, audited."""
    settings = worker_settings(kafka_broker, topics)
    await ensure_topics(settings)
    await produce(
        kafka_broker.bootstrap,
        topics.inbound,
        [
            (
                "conv-e",
                inbound(
                    "e-pii",
                    "Ask Priya Raman (priya.raman@fabrikam-mail.com) to call back.",
                    conversation_id="conv-e",
                ),
            ),
            ("e-secret", inbound("e-secret", f"token {SECRET}")),
        ],
    )
    seen = await collect(
        kafka_broker.bootstrap,
        [topics.approved, topics.quarantine],
        lambda s: len(s[topics.approved]) + len(s[topics.quarantine]) >= 2,
    )
    assert len(seen[topics.quarantine]) == 1
    vault = await collect(
        kafka_broker.bootstrap, [topics.vault], lambda s: len(s[topics.vault]) >= 1
    )
    assert vault[topics.vault][0].key == b"conv-e"

    env = {
        **os.environ,
        **topic_env(topics),
        "PROMPT_DLP_BROKER": f"kafka://{kafka_broker.bootstrap}",
        "PROMPT_DLP_VAULT_KEYS": vault_keys,
        "PROMPT_DLP_PARTITIONS": "2",
    }
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "erase", "--user", "u-7", "--as-user", "dpo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "1 quarantined originals destroyed" in done.stdout

    def erased(s: dict[str, list[Any]]) -> bool:
        return any(
            v["event"] == "erased" and v["detail"].get("vault_entries")
            for v in values(s[topics.audit])
        )

    audit = await collect(
        kafka_broker.bootstrap,
        [topics.audit, topics.vault, topics.quarantine_state],
        lambda s: erased(s) and any(r.value is None for r in s[topics.vault]),
    )
    assert erased(audit)
    assert any(r.key == b"conv-e" and r.value is None for r in audit[topics.vault]), (
        "vault tombstone"
    )
    assert any(r.key == b"e-secret" and r.value is None for r in audit[topics.quarantine_state])
    assert all("priya" not in (r.value or b"").decode().lower() for r in audit[topics.audit])
