"""Poison and pathological inputs: dead-lettered with a reason or decided; the stream moves on."""

from __future__ import annotations

import asyncio
import base64
import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from pipeline.bus import ensure_topics
from pipeline.config import Settings, TopicNames
from tests.conftest import unique_topics
from tests.faults.ledger import Ledger
from tests.integration.kafka_io import collect
from tests.integration.workers import Worker, WorkerGroup, classify_env
from tests.security.corpus import Corpus, Event, fault_seed, inbound

pytestmark = pytest.mark.integration

SEED = fault_seed(5)
TOKEN = Corpus(SEED).github_token()


def _prompt(ident: str, **fields: Any) -> bytes:
    base = {
        "id": ident,
        "tenant": "t-faults",
        "user": "u-42",
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "hello"}],
    }
    return orjson.dumps({**base, **fields})


def _disguised(token: str) -> dict[str, str]:
    """The token hidden by zero-width spaces, bidi overrides and full-width forms."""
    chunks = [token[i : i + 4] for i in range(0, len(token), 4)]
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in token)
    return {"zero-width": "\u200b".join(chunks), "bidi": f"\u202e{token}\u202c", "fullwidth": wide}


def poison_events() -> list[Event]:
    deep_meta = _prompt("p-deep-meta")[:-1] + b',"metadata":' + b'{"a":' * 500 + b"1" + b"}" * 501
    events = [
        Event("p-bad-json", b'{"id": "p-bad-json", "tenant": ', "dlq"),
        Event("p-not-utf8", b"\xff\xfe\x00 p-not-utf8 " + TOKEN.text.encode(), "dlq", (TOKEN,)),
        Event(
            "p-lone-surrogate", _prompt("p-lone-surrogate").replace(b'"hello"', b'"\\ud800"'), "dlq"
        ),
        Event("p-huge", inbound("p-huge", "x" * 5_000_000 + TOKEN.text), "dlq", (TOKEN,)),
        Event("p-deep-array", b"[" * 100_000 + b"]" * 100_000, "dlq"),
        Event("p-deep-object", b'{"a":' * 5000 + b"1" + b"}" * 5000, "dlq"),
        Event("p-id-number", _prompt("p-id-number", id=12), "dlq"),
        Event(
            "p-content-int",
            _prompt("p-content-int", messages=[{"role": "user", "content": 5}]),
            "dlq",
        ),
        Event("p-messages-str", _prompt("p-messages-str", messages=TOKEN.text), "dlq", (TOKEN,)),
        Event("p-role", _prompt("p-role", messages=[{"role": "wizard", "content": "x"}]), "dlq"),
        Event("p-top-array", b"[1, 2, 3]", "dlq"),
        Event("p-tombstone", None, "dlq"),
        Event("p-empty", b"", "dlq"),
        # Valid but hostile: decided like any prompt, the disguised secret never approved.
        Event("p-deep-meta", deep_meta, "approved"),
        Event(
            "p-unicode",
            inbound(
                "p-unicode", "\u202eevil\u202c \u0000 nul " + "e\u0301" * 2000 + " \U0001f600" * 100
            ),
            "approved",
        ),
    ]
    for name, text in _disguised(TOKEN.text).items():
        events.append(
            Event(f"p-{name}", inbound(f"p-{name}", f"my token is {text}"), "quarantine", (TOKEN,))
        )
    return events


REASONS = {
    "p-bad-json": "invalid_json",
    "p-not-utf8": "not_utf8",
    "p-lone-surrogate": "invalid_json",
    "p-huge": "too_large",
    "p-deep-array": "invalid_json",
    "p-deep-object": "invalid_json",
    "p-id-number": "schema_violation",
    "p-content-int": "schema_violation",
    "p-messages-str": "schema_violation",
    "p-role": "schema_violation",
    "p-top-array": "schema_violation",
    "p-tombstone": "empty",
    "p-empty": "invalid_json",
}


def backtracking_events() -> list[Event]:
    """Inputs shaped to make naive regexes backtrack; a secret hidden behind one of them."""
    either = "approved|quarantine"  # decided normally, or held if the time budget ran out
    blob = base64.b64encode(random.Random(SEED).randbytes(48 * 1024)).decode()  # 64 KB base64
    texts = {
        "b-dots": "." * 5000,
        "b-digits": "1" * 20000,
        "b-digit-cycle": "1234567890" * 2000,
        "b-dashed-digits": "123-" * 5000,
        "b-at": "a@" * 20000,
        "b-base64": blob,
        "b-url-userinfo": "a://b:" * 8000,
        "b-words": "ab " * 30000,
    }
    events = [Event(ident, inbound(ident, text), either) for ident, text in texts.items()]
    events.append(
        Event(
            "b-pem-no-end",
            inbound("b-pem-no-end", "-----BEGIN PRIVATE KEY-----\n" + "A" * 60000),
            "quarantine",
        )
    )
    events.append(
        Event(
            "b-at-then-secret",
            inbound("b-at-then-secret", "a@" * 20000 + " " + TOKEN.text),
            "quarantine",
            (TOKEN,),
        )
    )
    return events


def after(prefix: str) -> list[Event]:
    return [
        Event(f"{prefix}-after-{i}", inbound(f"{prefix}-after-{i}", "Still alive?"), "approved")
        for i in range(5)
    ]


@pytest.fixture
def topics() -> TopicNames:
    return unique_topics()


@pytest.fixture
def worker(
    kafka_broker: Any, topics: TopicNames, tmp_path: Path, vault_keys: str
) -> Iterator[Worker]:
    """One classify worker on a single-partition inbound topic, so 'after' really is after."""
    asyncio.run(ensure_topics(Settings(broker=kafka_broker.faust_url, topics=topics, partitions=1)))
    env = classify_env(
        kafka_broker.faust_url,
        topics,
        f"faults-poison-{uuid.uuid4().hex[:8]}",
        tmp_path,
        vault_keys,
        partitions=1,
    )
    with WorkerGroup(env, tmp_path) as group:
        w = group.start("w")
        w.wait_ready()
        yield w


async def _run(kafka_broker: Any, topics: TopicNames, events: list[Event]) -> Any:
    ledger = Ledger(topics)
    await ledger.produce(kafka_broker.bootstrap, events)
    await collect(kafka_broker.bootstrap, ledger.outputs, ledger.covers(events), timeout=60)
    return ledger.check(events, await ledger.read(kafka_broker.bootstrap))


async def test_poison_is_dead_lettered_with_a_reason_and_the_partition_moves_on(
    kafka_broker: Any, topics: TopicNames, worker: Worker
) -> None:
    """Bad JSON, non-UTF-8, 5 MB, deep nesting, wrong types → DLQ with reason; later events flow."""
    events = poison_events() + after("poison")
    report = await _run(kafka_broker, topics, events)
    assert report.duplicates == 0
    for ident, reason in REASONS.items():
        assert report.first[ident].signature[0] == reason, ident
    assert worker.alive(), "poison must not kill the worker"


async def test_backtracking_inputs_are_decided_in_bounded_time(
    kafka_broker: Any, topics: TopicNames, worker: Worker
) -> None:
    """Catastrophic-backtracking shapes each get one outcome within the collect timeout."""
    report = await _run(kafka_broker, topics, backtracking_events() + after("backtrack"))
    assert report.duplicates == 0
    print(f"routes={report.by_route}")
    assert worker.alive()
