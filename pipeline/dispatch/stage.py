"""The dispatch stage for one approved record, top to bottom, without Kafka.

    parse + validate (v1 or v2) → pick destination → dedup plan → open the guard
    → "started" (durable) → call (limits, breaker, retries; the whole approved body)
    → guard the answer (a stream: chunk by chunk, to prompts.responses.stream)
    → send response (acked) → "done" (durable)

It never raises for a bad prompt or a failed call: those become a DLQ entry
plus a ``failed`` response. It only waits: for the destination, and for the
broker to acknowledge outputs, so the caller may ack the Kafka record once
``handle`` returns. Nothing here logs prompt content or answers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence

from pipeline.bus import Record
from pipeline.config import Settings
from pipeline.crypto import KeyRing
from pipeline.dispatch import dedup
from pipeline.dispatch.answer import guard_completion
from pipeline.dispatch.caller import Lane
from pipeline.dispatch.guard import GuardSession, ResponseGuard
from pipeline.dispatch.records import Source, answer_records, failure_records, ok_response
from pipeline.dispatch.request import DispatchRequest, outbound_body, parse_approved
from pipeline.dispatch.streaming import StreamPublisher, StreamRelay
from pipeline.dispatch.window import WindowSettings
from pipeline.errors import PermanentDispatchError
from pipeline.metrics import Metrics

__all__ = ["Dispatcher", "Outcome"]

log = logging.getLogger(__name__)
Send = Callable[[Sequence[Record]], Awaitable[None]]


class Outcome:
    """Bounded labels for what became of a record."""

    ANSWERED = "answered"
    FAILED = "failed"
    DLQ = "dlq"
    DUPLICATE = "duplicate"


class Dispatcher:
    """Handles approved records; collaborators are injected so tests need no Kafka."""

    def __init__(
        self,
        settings: Settings,
        metrics: Metrics,
        lanes: Mapping[str, Lane],
        store: dedup.DedupStore,
        guard: ResponseGuard,
        send: Send,
        keyring: KeyRing | None = None,
    ) -> None:
        self._settings = settings
        self._topics = settings.topics
        self._metrics = metrics
        self._lanes = lanes
        self._store = store
        self._guard = guard
        self._send = send
        self._keyring = keyring
        self._stream_topic = settings.topics.responses_stream
        ds = settings.dispatch
        self._window = WindowSettings(
            ds.stream_holdback_chars, ds.stream_step_chars, ds.stream_max_hold_chars
        )

    async def handle(self, raw: bytes, source: Source) -> str:
        """Process one record to a durable outcome; return its outcome label."""
        request, problem = parse_approved(raw)
        dest_name = self._settings.dispatch.default_destination
        if request is None:
            return await self._fail(raw, None, problem, "approved event rejected", dest_name,
                                    source)
        dest_name = request.destination or dest_name
        lane = self._lanes.get(dest_name)
        if lane is None:
            return await self._fail(
                raw, request, "unknown_destination", "destination not configured",
                dest_name, source,
            )
        idempotent = lane.client.dest.idempotency_keys
        step = dedup.plan(self._store.get(request.id), idempotent)
        if step is dedup.Plan.SKIP:
            self._metrics.dispatch_duplicates_skipped.inc()
            return Outcome.DUPLICATE
        if step is dedup.Plan.OUTCOME_UNKNOWN:
            return await self._fail(
                raw, request, "outcome_unknown",
                "a previous call may have reached the model; not repeated", dest_name, source,
            )
        try:  # before the call: an answer we could not guard is not worth paying for
            session = self._guard.session(request)
        except Exception as exc:
            log.error("response guard failed (%s)", type(exc).__name__)
            return await self._fail(
                raw, request, "response_guard_failed", type(exc).__name__, lane.name, source
            )
        if step is dedup.Plan.CALL:
            await self._store.put(request.id, source.partition, dedup.started())
        key = request.id if idempotent else None
        return await self._call(raw, request, lane, session, key, source)

    async def _call(
        self,
        raw: bytes,
        request: DispatchRequest,
        lane: Lane,
        session: GuardSession,
        key: str | None,
        source: Source,
    ) -> str:
        body = outbound_body(request, lane.client.dest)
        publisher = StreamPublisher(self._send, self._stream_topic, request)
        relay = StreamRelay(session, publisher, self._window) if request.stream else None
        try:
            completion = await lane.call(body, request.id, key, relay)
            withheld: list[dict[str, str]] = []
            if relay is not None:
                guarded, findings, withheld = completion.body, relay.findings, relay.withheld
            else:
                guarded, findings = await guard_completion(session, completion.body, withheld)
        except PermanentDispatchError as exc:
            reason = str(exc).split(":", 1)[0]
            await self._end_stream(publisher, relay, reason)
            return await self._fail(raw, request, reason, str(exc), lane.name, source,
                                    exc.retry_after)
        except asyncio.CancelledError:
            publisher.abort()
            raise
        except Exception as exc:  # fail closed: an unscanned answer is never delivered
            log.error("response guard failed (%s)", type(exc).__name__)
            await self._end_stream(publisher, relay, "response_guard_failed")
            return await self._fail(
                raw, request, "response_guard_failed", type(exc).__name__, lane.name, source
            )
        response = ok_response(request, guarded, findings, completion, lane.name)
        await self._send(answer_records(self._topics, request, response, findings, withheld))
        await self._store.put(request.id, source.partition, dedup.done("ok"))
        self._count(Outcome.ANSWERED, source)
        return Outcome.ANSWERED

    @staticmethod
    async def _end_stream(
        publisher: StreamPublisher, relay: StreamRelay | None, reason: str
    ) -> None:
        if relay is not None:
            await publisher.fail(reason)

    async def _fail(
        self,
        raw: bytes,
        request: DispatchRequest | None,
        reason: str,
        error: str,
        destination: str,
        source: Source,
        retry_after: float | None = None,
    ) -> str:
        records = failure_records(
            self._topics, raw, request, reason, error, destination, source, self._keyring,
            retry_after,
        )
        await self._send(records)
        if request is not None:
            await self._store.put(request.id, source.partition, dedup.done("failed"))
        self._metrics.dlq.labels("dispatch", _reason_label(reason)).inc()
        # failed: the requester got a failed response; dlq: nobody to answer (bad event).
        outcome = Outcome.FAILED if request is not None else Outcome.DLQ
        self._count(outcome, source)
        return outcome

    def _count(self, outcome: str, source: Source) -> None:
        self._metrics.events.labels("dispatch", outcome).inc()
        if source.timestamp:
            self._metrics.e2e_seconds.labels("dispatch").observe(
                max(0.0, time.time() - source.timestamp)
            )


def _reason_label(reason: str) -> str:
    """Bound the metric label: every ``http_4NN`` counts as ``http_4xx``."""
    return "http_4xx" if reason.startswith("http_4") else reason
