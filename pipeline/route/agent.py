"""The thin faust agent for the classify stage: take a batch, classify, send, ack, count.

Detection runs in a worker thread so the event loop keeps heartbeating
while spaCy works; a backstop timeout quarantines a batch whose detection
never returns (fail closed), and the stuck thread's executor is replaced.
A batch's outputs are acknowledged by the broker before its input events
are acked to faust and before the next batch is taken, so offsets are
committed only after the outputs are durable. (Overlapping the sends with
the next batch's detection saves a few ms per batch, but in the rebalance
fault test it lost records in about one run in fifteen: not worth it.)
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import faust

from pipeline.app import WorkerContext, raw_topic
from pipeline.batching import take_ready
from pipeline.bus import Record
from pipeline.flow import keep_unrewound_records_on_resume
from pipeline.route.classify import Classifier, RawEvent, Routed
from pipeline.tracing import child_headers

__all__ = ["register"]

log = logging.getLogger(__name__)
_SEND_RETRY_SECONDS = 2.0


def register(app: faust.App, ctx: WorkerContext, classifier: Classifier) -> None:
    """Declare the classify agent on ``app``."""
    settings = ctx.settings
    inbound = raw_topic(app, settings, settings.topics.inbound)
    runner = _BatchRunner(classifier, settings.detect_timeout_seconds)
    # faust's end-of-recovery resume would otherwise drop records fetched during it.
    keep_unrewound_records_on_resume(app, settings.topics.inbound)

    @app.agent(inbound, name="classify")
    async def classify(stream: Any) -> None:
        batches = take_ready(stream, settings.batch_size, settings.batch_linger_seconds)
        async for events in batches:
            started = time.monotonic()
            _observe_queue_wait(ctx, events)
            routed = await runner.run([_raw(event) for event in events])
            await _send(ctx, [r for item in routed for r in item.records])
            # Only now, with every output acknowledged by the broker, may these offsets be
            # committed; the next batch is taken after that (acks in offset order).
            for event in events:
                await stream.ack(event)
            _count(ctx, routed, events, started)


class _BatchRunner:
    """Runs ``Classifier.inspect`` off-loop with a backstop deadline."""

    def __init__(self, classifier: Classifier, per_event_budget: float) -> None:
        self._classifier = classifier
        self._budget = per_event_budget
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="detect")

    async def run(self, batch: Sequence[RawEvent]) -> list[Routed]:
        loop = asyncio.get_running_loop()
        deadline = self._budget * max(1, len(batch)) + 5.0
        future = loop.run_in_executor(self._executor, self._classifier.inspect, batch)
        try:
            inspected = await asyncio.wait_for(future, timeout=deadline)
        except TimeoutError as exc:
            log.error("detection overran its %.1fs deadline; batch quarantined", deadline)
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="detect")
            return self._classifier.fail_batch(batch, exc)
        except Exception as exc:  # never lose or approve a batch on a bug
            log.exception("classify stage raised; batch quarantined")
            return self._classifier.fail_batch(batch, exc)
        return self._classifier.route(inspected)


def _raw(event: Any) -> RawEvent:
    """The event as the stage sees it; its outputs carry a child span of its trace."""
    message = event.message
    incoming = [(k, v) for k, v in (message.headers or ()) if isinstance(v, bytes)]
    headers = tuple(child_headers(incoming))
    return RawEvent(event.value, message.topic, message.partition, message.offset, headers)


async def _send(ctx: WorkerContext, records: Sequence[Record]) -> None:
    """Send until acknowledged: while the broker is away the partition waits, nothing is dropped."""
    while True:
        try:
            await ctx.sink.send_all(records)
            return
        except Exception as exc:
            log.warning(
                "sending %d records failed (%s); retrying", len(records), type(exc).__name__
            )
            await asyncio.sleep(_SEND_RETRY_SECONDS)


def _observe_queue_wait(ctx: WorkerContext, events: Sequence[Any]) -> None:
    """Time each event spent on the topic before this worker picked it up."""
    now = time.time()
    for event in events:
        timestamp = getattr(event.message, "timestamp", None)
        if timestamp:
            ctx.metrics.queue_wait_seconds.labels("classify").observe(
                max(0.0, now - float(timestamp))
            )


def _count(
    ctx: WorkerContext, routed: Sequence[Routed], events: Sequence[Any], started: float
) -> None:
    m = ctx.metrics
    now = time.time()
    per_event = (time.monotonic() - started) / max(1, len(routed))
    outcome = {"approved": "approved", "quarantine": "quarantined", "dlq": "dlq"}
    for item, event in zip(routed, events, strict=True):
        m.events.labels("classify", outcome[item.route]).inc()
        m.classify_seconds.observe(per_event)
        if item.action is not None:
            m.decisions.labels(item.action).inc()
        for finding in item.findings:
            m.findings.labels(finding.entity_type, str(finding.category)).inc()
        if item.route == "dlq":
            m.dlq.labels("classify", item.reason or "unknown").inc()
        if item.reason is not None and item.route == "quarantine":
            m.detection_failures.labels(item.reason).inc()
        timestamp = getattr(event.message, "timestamp", None)
        if timestamp:
            m.e2e_seconds.labels("classify").observe(max(0.0, now - float(timestamp)))
