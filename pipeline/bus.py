"""Kafka plumbing shared by every worker and CLI command.

One idempotent producer (acks=all) sends all our output; faust's own
producer is only used for table changelogs. ``send_all`` waits for the
broker to acknowledge every record before returning, so an agent that
awaits it before taking its next batch commits offsets only after its
outputs are durable (at-least-once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from pipeline.config import Settings
from pipeline.metrics import Metrics
from pipeline.topics import MAX_MESSAGE_BYTES, TopicSpec, topic_specs
from pipeline.tracing import Headers

__all__ = [
    "KafkaSink",
    "Record",
    "client_options",
    "encode",
    "ensure_topics",
    "send_until_acked",
]

log = logging.getLogger(__name__)



@dataclass(frozen=True, slots=True)
class Record:
    """One output record: topic name, key, JSON value (or None for a tombstone), headers."""

    topic: str
    key: str | None
    value: dict[str, Any] | None
    headers: Headers = field(default_factory=tuple)


def encode(value: dict[str, Any] | None) -> bytes | None:
    return None if value is None else orjson.dumps(value)


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    sec = settings.security
    if sec.protocol not in ("SSL", "SASL_SSL"):
        return None
    ctx = ssl.create_default_context(cafile=str(sec.ssl_cafile) if sec.ssl_cafile else None)
    if sec.ssl_certfile:
        ctx.load_cert_chain(
            str(sec.ssl_certfile), str(sec.ssl_keyfile) if sec.ssl_keyfile else None
        )
    return ctx


def client_options(settings: Settings) -> dict[str, Any]:
    """Aiokafka connection options (bootstrap, TLS, SASL) from the settings."""
    sec = settings.security
    opts: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "security_protocol": sec.protocol,
    }
    ctx = ssl_context(settings)
    if ctx is not None:
        opts["ssl_context"] = ctx
    if sec.protocol.startswith("SASL"):
        opts["sasl_mechanism"] = sec.sasl_mechanism
        opts["sasl_plain_username"] = sec.sasl_username
        opts["sasl_plain_password"] = sec.password()
    return opts


class KafkaSink:
    """Idempotent, acks=all producer that sends batches and waits for all acks."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()
        # Bumped for every new producer, so concurrent senders that all saw one producer fail
        # replace it once, not each other's replacement.
        self.generation = 0

    async def start(self) -> None:
        """Connect (once); aiokafka clients must be created inside the running loop."""
        async with self._lock:
            if self._producer is None:
                producer = AIOKafkaProducer(
                    **client_options(self._settings),
                    acks="all",
                    enable_idempotence=True,
                    linger_ms=0,  # whole batches are handed over at once: lingering adds latency
                    max_request_size=MAX_MESSAGE_BYTES,
                    request_timeout_ms=30_000,
                )
                await producer.start()
                self._producer = producer
                self.generation += 1

    async def stop(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()

    async def restart(self, generation: int | None = None) -> None:
        """A new producer (new producer id and sequence numbers).

        After a broker restart an idempotent producer can be left with sequence numbers the
        broker no longer accepts (``OutOfOrderSequenceNumber``) and never recovers on its
        own; resending through a fresh producer may duplicate a record the broker already
        had, which at-least-once delivery allows. With ``generation``, only that producer is
        replaced: if another sender already replaced it, this is a no-op.
        """
        async with self._lock:
            if generation is not None and generation != self.generation:
                producer = None
            else:
                producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), _STOP_SECONDS)
        await self.start()

    @property
    def started(self) -> bool:
        return self._producer is not None

    async def send_all(self, records: Iterable[Record]) -> None:
        """Send every record and return once the broker acknowledged all of them."""
        await self.start()
        assert self._producer is not None
        futures = [
            await self._producer.send(
                r.topic,
                value=encode(r.value),
                key=r.key.encode() if r.key is not None else None,
                headers=list(r.headers) or None,
            )
            for r in records
        ]
        if futures:
            await asyncio.gather(*futures)


# A producer being stopped need not resolve its queued sends; bounded so a restart cannot hang.
_STOP_SECONDS = 10.0
# One attempt's bound: the producer's request timeout (30 s) plus slack. Past it the attempt
# counts as failed: a send whose producer was replaced under it may never resolve otherwise
# (soak broker-restart, seed 412845947: a response waited minutes with its call already made).
ATTEMPT_SECONDS = 45.0


async def send_until_acked(
    sink: KafkaSink,
    records: Sequence[Record],
    metrics: Metrics,
    stage: str,
    *,
    first_delay: float = 0.2,
    max_delay: float = 5.0,
    attempt_seconds: float = ATTEMPT_SECONDS,
) -> None:
    """Send until the broker acknowledges every record; never drop, never give up.

    While the broker is away the calling agent waits (its partitions' offsets do not move and
    lag grows, which the alerts see) rather than losing or skipping output. Retries back off
    exponentially with jitter and are counted per stage. Every agent sends through here.
    """
    delay = first_delay
    failures = 0
    while True:
        generation = sink.generation
        try:
            await asyncio.wait_for(sink.send_all(records), attempt_seconds)
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            failures += 1
            metrics.send_retries.labels(stage).inc()
            log.warning(
                "%s: sending %d records failed (%s); retrying in %.1fs",
                stage, len(records), type(exc).__name__, delay,
            )
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(max_delay, delay * 2)
            if (_needs_new_producer(exc) or isinstance(exc, TimeoutError)
                    or failures % _RESTART_AFTER == 0):
                try:
                    await sink.restart(generation)
                except Exception as restart_exc:  # broker still away: next round retries
                    log.warning("%s: producer restart failed (%s)", stage,
                                type(restart_exc).__name__)


# Consecutive failed sends after which the producer is replaced whatever the error said.
_RESTART_AFTER = 5


def _needs_new_producer(exc: BaseException) -> bool:
    """Errors an idempotent producer does not recover from by retrying the same send."""
    from aiokafka.errors import (
        InvalidProducerEpoch,
        OutOfOrderSequenceNumber,
        ProducerClosed,
        ProducerFenced,
        UnknownProducerId,
    )

    return isinstance(
        exc,
        OutOfOrderSequenceNumber
        | InvalidProducerEpoch
        | ProducerClosed
        | ProducerFenced
        | UnknownProducerId,
    )


async def ensure_topics(settings: Settings, specs: Iterable[TopicSpec] | None = None) -> list[str]:
    """Create any missing topics with explicit partitions/replication; return those created."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    created: list[str] = []
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in (specs or topic_specs(settings)) if s.name not in existing]
        for spec in missing:
            try:
                await admin.create_topics(
                    [
                        NewTopic(
                            spec.name,
                            spec.partitions,
                            spec.replication,
                            topic_configs=spec.config(),
                        )
                    ]
                )
                created.append(spec.name)
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()
    return created
