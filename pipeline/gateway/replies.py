"""Request-reply over Kafka for many gateway instances: every instance reads every reply.

The pattern, and why: the pipeline's outputs (``prompts.responses``,
``prompts.quarantine``, ``prompts.dlq``, and ``prompts.responses.stream`` when
it exists) are produced by workers that carry only the trace headers through,
so a per-instance reply topic or a reply-to header would need every stage to
route by it. Instead each instance ``assign()``s itself *all* partitions of the
reply topics (no consumer group, so no rebalances and no instance starves
another), starts at the end, and matches records to its own pending request ids
in memory. Ids are random (or the caller's Idempotency-Key hashed with its
tenant and app), and a reply is delivered only to a waiter with that id *and*
that tenant, so no caller ever gets another's answer.

Trade-offs: each instance reads N instances' replies (fine up to tens of
instances; past that, per-instance reply topics need dispatch support). An
instance that restarts drops its open HTTP requests; it seeks to the end on
start, so replies to requests made before never reach it. A client retrying
with the same Idempotency-Key (on any instance) re-publishes the same id, which
the pipeline deduplicates; it gets the answer from this instance's replay cache
if the reply arrived after the instance started, from the still-running first
attempt if that is not finished, and otherwise a 504 naming the id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from pipeline.bus import client_options
from pipeline.config import Settings
from pipeline.tasks import stop_task

__all__ = ["Reply", "ReplyKind", "ReplyRouter", "Waiter"]

ReplyKind = Literal["response", "quarantine", "dlq", "chunk"]
FINAL_KINDS = ("response", "quarantine", "dlq")
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reply:
    """One record from a reply topic, already parsed."""

    kind: ReplyKind
    record: dict[str, Any]


@dataclass(eq=False, slots=True)
class Waiter:
    """One HTTP request waiting for the records carrying its id."""

    prompt_id: str
    tenant: str
    queue: asyncio.Queue[Reply] = field(default_factory=asyncio.Queue)


def _belongs(record: Mapping[str, Any], tenant: str) -> bool:
    """A record may name no tenant (a DLQ entry for unparseable input), never another one."""
    owner = record.get("tenant")
    return owner is None or owner == tenant


_KEEP: dict[str, tuple[str, ...]] = {
    # What the error mapping needs; never the encrypted original or payload (up to MBs each).
    "quarantine": ("id", "tenant", "user", "findings", "decision"),
    "dlq": ("id", "tenant", "reason", "stage"),
}


def _slim(kind: ReplyKind, record: dict[str, Any]) -> dict[str, Any]:
    keep = _KEEP.get(kind)
    if keep is None:
        return record
    out = {k: record[k] for k in keep if k in record}
    if "findings" in out:
        out["findings"] = [
            {"entity_type": f.get("entity_type")} for f in out["findings"] if isinstance(f, dict)
        ]
    decision = out.pop("decision", None)
    if isinstance(decision, dict) and decision.get("attachments"):
        out["decision"] = {"attachments": decision["attachments"]}  # type, path, action only
    return out


class ReplyRouter:
    """Reads the reply topics from their end and hands records to waiters by id."""

    def __init__(
        self,
        settings: Settings,
        stream_topic: str | None,
        cache_size: int,
        on_reply: Callable[[ReplyKind, bool], None] = lambda _kind, _matched: None,
    ) -> None:
        self._settings = settings
        self._topics: dict[str, ReplyKind] = {
            settings.topics.responses: "response",
            settings.topics.quarantine: "quarantine",
            settings.topics.dlq: "dlq",
        }
        self._stream_topic = stream_topic
        self._pending: dict[str, list[Waiter]] = {}
        self._cache: OrderedDict[str, Reply] = OrderedDict()
        self._cache_size = cache_size
        self._on_reply = on_reply
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self.ready = False
        self.streams = False

    @property
    def pending(self) -> int:
        return sum(len(w) for w in self._pending.values())

    async def start(self, partitions_for: Callable[[str], Awaitable[set[int]]]) -> None:
        """Assign all reply partitions, pin their end offsets, then start reading.

        ``partitions_for`` is the producer's metadata lookup: a group-less consumer
        only learns partition counts for topics it already consumes.
        """
        consumer = AIOKafkaConsumer(
            **client_options(self._settings),
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="latest",
            fetch_max_wait_ms=100,
            max_partition_fetch_bytes=8 * 1024 * 1024,
        )
        await consumer.start()
        self._consumer = consumer
        existing = await consumer.topics()
        if self._stream_topic and self._stream_topic in existing:
            self._topics[self._stream_topic] = "chunk"
            self.streams = True
        missing = [t for t in self._topics if t not in existing]
        if missing:
            raise RuntimeError(f"reply topics missing: {', '.join(missing)}")
        partitions = [
            TopicPartition(topic, p)
            for topic in self._topics
            for p in sorted(await partitions_for(topic))
        ]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for tp in partitions:
            # Resolve "end" now: a reply produced after we report ready must not be skipped.
            await consumer.position(tp)
        self._task = asyncio.create_task(self._run(), name="gateway-replies")
        self.ready = True
        _log.info("reply router ready", extra={"partitions": len(partitions)})

    async def stop(self) -> None:
        self.ready = False
        task, self._task = self._task, None
        await stop_task(task)
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await consumer.stop()

    @contextlib.contextmanager
    def wait_for(self, prompt_id: str, tenant: str) -> Iterator[Waiter]:
        """Register a waiter for ``prompt_id`` for the duration of the block."""
        waiter = Waiter(prompt_id, tenant)
        self._pending.setdefault(prompt_id, []).append(waiter)
        try:
            yield waiter
        finally:
            waiters = self._pending.get(prompt_id, [])
            if waiter in waiters:
                waiters.remove(waiter)
            if not waiters:
                self._pending.pop(prompt_id, None)

    def waiting(self, prompt_id: str) -> int:
        """How many requests with this id wait on this instance (>1: a retry joined)."""
        return len(self._pending.get(prompt_id, ()))

    def cached(self, prompt_id: str, tenant: str) -> Reply | None:
        """The last final reply seen for this id since start, if it is this tenant's."""
        reply = self._cache.get(prompt_id)
        if reply is None or not _belongs(reply.record, tenant):
            return None
        return reply

    async def _run(self) -> None:
        assert self._consumer is not None
        while True:
            try:
                batches = await self._consumer.getmany(timeout_ms=1000)
            except asyncio.CancelledError:
                raise
            except Exception:  # aiokafka reconnects; keep reading rather than die silently
                _log.exception("reply consumer error")
                await asyncio.sleep(1.0)
                continue
            for tp, messages in batches.items():
                kind = self._topics[tp.topic]
                for message in messages:
                    self.deliver(kind, message)

    def deliver(self, kind: ReplyKind, message: ConsumerRecord[Any, Any] | bytes) -> None:
        """Route one reply-topic record to its waiters (public for the unit tests)."""
        value = message if isinstance(message, bytes) else message.value
        try:
            record = orjson.loads(value) if value else None
        except orjson.JSONDecodeError:
            record = None
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            return
        if kind == "dlq" and record.get("stage") != "classify":
            # A dispatch-stage DLQ entry is followed by a failed response: answer from that.
            return
        reply = Reply(kind, _slim(kind, record))
        prompt_id = record["id"]
        if kind in FINAL_KINDS and self._cache_size:
            self._cache[prompt_id] = reply
            self._cache.move_to_end(prompt_id)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        waiters = [w for w in self._pending.get(prompt_id, ()) if _belongs(record, w.tenant)]
        for waiter in waiters:
            waiter.queue.put_nowait(reply)
        self._on_reply(kind, bool(waiters))
