"""The thin faust agent for the classify stage: take a batch, classify, send, ack, count.

Detection runs in a worker thread so the event loop keeps heartbeating
while spaCy works; a backstop timeout quarantines a batch whose detection
never returns (fail closed), and the stuck thread's executor is replaced.
Every event is admitted by the offset manager first (in offset order per
partition; anything else is dropped and refetched), and marked done only once
the broker has acknowledged its outputs: offsets are committed over done
records only (``pipeline.offsets``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import faust

from pipeline.app import WorkerContext, raw_topic
from pipeline.batching import take_ready
from pipeline.bus import send_until_acked
from pipeline.detect.starvation import starved
from pipeline.errors import DetectionFailure
from pipeline.logs import bound_traces
from pipeline.offsets import Ticket
from pipeline.route.classify import Classifier, RawEvent, Routed
from pipeline.route.runner import BatchRunner
from pipeline.tracing import child_headers

__all__ = ["register"]

log = logging.getLogger(__name__)


def register(app: faust.App, ctx: WorkerContext, classifier: Classifier) -> None:
    """Declare the classify agent on ``app``."""
    settings = ctx.settings
    inbound = raw_topic(app, settings, settings.topics.inbound)
    runner = BatchRunner(classifier, settings.detect_timeout_seconds)

    @app.agent(inbound, name="classify")
    async def classify(stream: Any) -> None:
        batches = take_ready(stream, settings.batch_size, settings.batch_linger_seconds)
        async for fetched in batches:
            started = time.monotonic()
            events, tickets = await _admit(ctx, fetched)
            if not events:
                continue
            with bound_traces([e.message.headers for e in events], stage="classify"):
                _observe_queue_wait(ctx, events)
                routed = await _detect(runner, [_raw(event) for event in events])
                records = [r for item in routed for r in item.records]
                await send_until_acked(ctx.sink, records, ctx.metrics, "classify")
                # Only now, with every output acknowledged by the broker, may these offsets
                # be committed over.
                for ticket in tickets:
                    ctx.offsets.done(ticket)
                _count(ctx, routed, events, started)


async def _detect(
    runner: BatchRunner,
    raws: list[RawEvent],
    wall_clock: Callable[[], float] = time.monotonic,
    cpu_clock: Callable[[], float] = time.process_time,
) -> list[Routed]:
    """Run the batch; once more if it timed out while this process was frozen or starved.

    A worker stopped (SIGSTOP, a paused VM) or starved of CPU mid-detection wakes to find its
    wall-clock budget spent without having computed anything, and would hold clean prompts
    for review — which another worker, having taken over the partition, approves: two
    outcomes for one prompt. A real overrun burns CPU for its whole budget; a frozen one does
    not. So a batch whose timeouts came with less CPU than half its wall time runs again, and
    whatever that run decides stands (a genuine overrun times out again: fail closed).
    """
    wall, cpu = wall_clock(), cpu_clock()
    routed = await runner.run(raws)
    timed_out = any(r.reason is DetectionFailure.TIMEOUT for r in routed)
    if timed_out and starved(wall, cpu, wall_clock, cpu_clock):
        log.warning("detection timed out while the worker was frozen or starved; detecting again")
        routed = await runner.run(raws)
    return routed


async def _admit(ctx: WorkerContext, fetched: Sequence[Any]) -> tuple[list[Any], list[Ticket]]:
    """The events that are their partition's next offsets, with their tickets."""
    events: list[Any] = []
    tickets: list[Ticket] = []
    for event in fetched:
        message = event.message
        ticket = await ctx.offsets.admit(message.topic, message.partition, message.offset)
        if ticket is not None:
            events.append(event)
            tickets.append(ticket)
    return events, tickets


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
