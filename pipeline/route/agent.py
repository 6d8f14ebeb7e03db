"""The thin faust agent for the classify stage: take a batch, classify, deliver, count.

Detection runs in a worker thread so the event loop keeps heartbeating
while spaCy works; a backstop timeout quarantines a batch whose detection
never returns (fail closed), and the stuck thread's executor is replaced.
Batches are taken without faust's automatic acks (``take_ready``): a batch's
outputs go to the producer and the next batch is detected while the broker
acknowledges them; ``Delivery`` acks the input events, in order, only once
their outputs are durable, so offsets are committed after the outputs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import faust

from pipeline.app import WorkerContext, raw_topic
from pipeline.batching import take_ready
from pipeline.flow import keep_unrewound_records_on_resume
from pipeline.route.classify import Classifier, RawEvent, Routed
from pipeline.route.delivery import Delivery
from pipeline.tracing import child_headers

__all__ = ["register"]

log = logging.getLogger(__name__)


def register(app: faust.App, ctx: WorkerContext, classifier: Classifier) -> None:
    """Declare the classify agent on ``app``."""
    settings = ctx.settings
    inbound = raw_topic(app, settings, settings.topics.inbound)
    runner = _BatchRunner(classifier, settings.detect_timeout_seconds)
    # faust's end-of-recovery resume would otherwise drop records fetched during it.
    keep_unrewound_records_on_resume(app, settings.topics.inbound)

    @app.agent(inbound, name="classify")
    async def classify(stream: Any) -> None:
        delivery = Delivery(ctx.sink, stream.ack, settings.batches_in_flight)
        try:
            batches = take_ready(stream, settings.batch_size, settings.batch_linger_seconds)
            async for events in batches:
                started = time.monotonic()
                _observe_queue_wait(ctx, events)
                routed = await runner.run([_raw(event) for event in events])
                records = [r for item in routed for r in item.records]
                counted = partial(_count, ctx, routed, events, started)
                await delivery.submit(records, events, counted)
            await delivery.drain()
        finally:
            delivery.abandon()  # unacked events are not committed: delivered again, never lost


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
