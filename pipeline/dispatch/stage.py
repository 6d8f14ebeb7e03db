"""The dispatch stage for one approved record, top to bottom, without Kafka.

    parse + validate → pick destination → dedup plan → "started" (durable)
    → call (limits, breaker, retries) → guard the answer → send response (acked)
    → "done" (durable)

It never raises for a bad prompt or a failed call: those become a DLQ entry
plus a ``failed`` response. It only waits: for the destination, and for the
broker to acknowledge outputs, so the caller may ack the Kafka record once
``handle`` returns. Nothing here logs prompt content or answers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import orjson

from pipeline.bus import Record
from pipeline.config import Settings
from pipeline.contracts import validator
from pipeline.crypto import KeyRing
from pipeline.dispatch import dedup
from pipeline.dispatch.caller import Lane
from pipeline.dispatch.guard import ResponseGuard
from pipeline.dispatch.records import Source, answer_records, failure_records, ok_response
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

    async def handle(self, raw: bytes, source: Source) -> str:
        """Process one record to a durable outcome; return its outcome label."""
        approved, problem = _parse(raw)
        dest_name = self._settings.dispatch.default_destination
        if approved is None:
            return await self._fail(raw, None, problem, "approved event rejected", dest_name,
                                    source)
        decision = approved.get("decision") or {}
        dest_name = decision.get("destination") or dest_name
        lane = self._lanes.get(dest_name)
        if lane is None:
            return await self._fail(
                raw, approved, "unknown_destination", "destination not configured",
                dest_name, source,
            )
        prompt_id = str(approved["id"])
        idempotent = lane.client.dest.idempotency_keys
        step = dedup.plan(self._store.get(prompt_id), idempotent)
        if step is dedup.Plan.SKIP:
            self._metrics.dispatch_duplicates_skipped.inc()
            return Outcome.DUPLICATE
        if step is dedup.Plan.OUTCOME_UNKNOWN:
            return await self._fail(
                raw, approved, "outcome_unknown",
                "a previous call may have reached the model; not repeated", dest_name, source,
            )
        if step is dedup.Plan.CALL:
            await self._store.put(prompt_id, source.partition, dedup.started())
        return await self._call(raw, approved, lane, prompt_id if idempotent else None, source)

    async def _call(
        self, raw: bytes, approved: dict[str, Any], lane: Lane, key: str | None, source: Source
    ) -> str:
        try:
            completion = await lane.call(approved, key)
        except PermanentDispatchError as exc:
            reason = str(exc).split(":", 1)[0]
            return await self._fail(raw, approved, reason, str(exc), lane.name, source)
        try:
            answer, findings = await self._guard(completion.answer, approved)
        except Exception as exc:  # fail closed: an unscanned answer is never delivered
            log.error("response guard failed (%s)", type(exc).__name__)
            return await self._fail(
                raw, approved, "response_guard_failed", type(exc).__name__, lane.name, source
            )
        response = ok_response(approved, answer, completion, findings, lane.name)
        await self._send(answer_records(self._topics, approved, response))
        await self._store.put(str(approved["id"]), source.partition, dedup.done("ok"))
        self._count(Outcome.ANSWERED, source)
        return Outcome.ANSWERED

    async def _fail(
        self,
        raw: bytes,
        approved: dict[str, Any] | None,
        reason: str,
        error: str,
        destination: str,
        source: Source,
    ) -> str:
        records = failure_records(
            self._topics, raw, approved, reason, error, destination, source, self._keyring
        )
        await self._send(records)
        if approved is not None:
            await self._store.put(str(approved["id"]), source.partition, dedup.done("failed"))
        self._metrics.dlq.labels("dispatch", _reason_label(reason)).inc()
        # failed: the requester got a failed response; dlq: nobody to answer (bad event).
        outcome = Outcome.FAILED if approved is not None else Outcome.DLQ
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


def _parse(raw: bytes) -> tuple[dict[str, Any] | None, str]:
    """Return the approved event, or None and a reason code."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None, "invalid_json"
    if not isinstance(data, dict) or not validator("approved.json").is_valid(data):
        return None, "schema_violation"
    return data, ""
