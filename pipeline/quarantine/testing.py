"""Test helpers that ship with the code: quarantine records in the contract format, a store double.

``quarantine_record`` builds exactly what the classify worker puts on
``prompts.quarantine`` (original encrypted with the prompt id as associated
data); ``finding`` locates a value in the messages so tests never hand-count
offsets; ``memory_service`` is the review service over an in-memory store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer
from prometheus_client import CollectorRegistry

from pipeline.bus import KafkaSink, Record, client_options, ensure_topics
from pipeline.config import Settings, TopicNames
from pipeline.crypto import KeyRing
from pipeline.events import SCHEMA_VERSION
from pipeline.metrics import Metrics
from pipeline.quarantine.model import now_iso
from pipeline.quarantine.service import ReviewService
from pipeline.quarantine.store import Clock, QuarantineStore, RecordingSink, utcnow
from pipeline.topicread import assigned_partitions, read_to_end

__all__ = ["finding", "memory_service", "quarantine_record", "read_topic", "seed_quarantine"]

Messages = Sequence[tuple[str, str]]


def finding(
    messages: Messages,
    value: str,
    entity_type: str,
    *,
    category: str = "secret",
    detector: str = "TestDetector",
    score: float = 0.95,
) -> dict[str, object]:
    """Locate ``value`` in the messages and describe it as a finding (without the value)."""
    for index, (_, content) in enumerate(messages):
        start = content.find(value)
        if start >= 0:
            return {"entity_type": entity_type, "category": category, "message_index": index,
                    "start": start, "end": start + len(value), "score": score,
                    "detector": detector}
    raise ValueError("value not in messages")


def quarantine_record(
    keyring: KeyRing,
    prompt_id: str,
    messages: Messages,
    findings: Sequence[dict[str, object]],
    *,
    tenant: str = "acme",
    user: str = "alice",
    model: str = "gpt-4o-mini",
    reasons: Sequence[str] = ("secret found → block",),
    rule_ids: Sequence[str] = ("block-secrets",),
    quarantined_at: datetime | None = None,
    conversation_id: str | None = None,
) -> dict[str, object]:
    """Build a ``prompts.quarantine`` v1 record, as the classify worker writes it."""
    body = {"model": model, "messages": [{"role": r, "content": c} for r, c in messages]}
    envelope = keyring.encrypt(orjson.dumps(body), aad=prompt_id.encode())
    record: dict[str, object] = {
        "schema_version": SCHEMA_VERSION, "id": prompt_id, "tenant": tenant, "user": user,
        "model": model,
        "decision": {"action": "block", "rule_ids": list(rule_ids), "reasons": list(reasons),
                     "classification": "restricted"},
        "findings": list(findings),
        "original": envelope.to_dict(),
        "message_roles": [r for r, _ in messages],
        "message_lengths": [len(c) for _, c in messages],
        "quarantined_at": now_iso(quarantined_at),
    }
    if conversation_id is not None:
        record["conversation_id"] = conversation_id
    return record


def memory_service(
    keyring: KeyRing | None, *, clock: Clock = utcnow, registry: CollectorRegistry | None = None
) -> tuple[ReviewService, RecordingSink, Metrics]:
    """Build a review service over the in-memory store; the sink keeps what it sends."""
    sink = RecordingSink()
    store = QuarantineStore(TopicNames(), sink, clock=clock)
    metrics = Metrics(registry or CollectorRegistry())
    store.bind_metrics(metrics)
    return ReviewService(store, keyring, metrics), sink, metrics


async def seed_quarantine(settings: Settings, records: Sequence[dict[str, object]]) -> None:
    """Produce quarantine records the way the classify worker does (key: conversation or id)."""
    await ensure_topics(settings)
    sink = KafkaSink(settings)
    await sink.start()
    try:
        await sink.send_all(
            Record(settings.topics.quarantine, str(r.get("conversation_id") or r["id"]), dict(r))
            for r in records
        )
    finally:
        await sink.stop()


async def read_topic(
    settings: Settings, topic: str
) -> list[tuple[str | None, dict[str, object] | None]]:
    """Every (key, value) on ``topic`` from the beginning to its current end."""
    consumer = AIOKafkaConsumer(**client_options(settings), group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        out: list[tuple[str | None, dict[str, object] | None]] = []

        def keep(_tp: object, m: Any) -> None:
            out.append((m.key.decode() if m.key else None,
                        orjson.loads(m.value) if m.value is not None else None))

        await read_to_end(consumer, await assigned_partitions(consumer, [topic]), keep)
        return out
    finally:
        await consumer.stop()
