"""The thin faust agent for dispatch: admit records in order, handle them concurrently, mark done.

Each record is admitted by the offset manager (its partition's next offset, else dropped and
refetched) and marked done only once ``Dispatcher.handle`` has made its outcome durable, in
whatever order the calls finish: the committed offset moves over done records only
(``pipeline.offsets``), so a record interrupted by a crash or a rebalance is redelivered, and
the dedup table keeps its LLM call single.

Records are pipelined, not handled batch by batch: a record fetched while others are in their
LLM call starts at once instead of waiting for the slowest of the batch before it (that wait
was most of dispatch's added latency). At most ``batch_size`` records are in flight; records
with the same Kafka key (one conversation, or one prompt id and its redeliveries) run one
after the other in offset order, so a duplicate sees its twin's dedup record and is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import replace
from typing import Any

import faust
import httpx2

from pipeline.app import WorkerContext, raw_topic
from pipeline.batching import take_ready
from pipeline.bus import Record, send_until_acked
from pipeline.crypto import configured_key_ring
from pipeline.dispatch.caller import Lane
from pipeline.dispatch.client import ChatClient
from pipeline.dispatch.dedup import TableDedupStore
from pipeline.dispatch.guard import ResponseGuard, identity_guard
from pipeline.dispatch.records import Source
from pipeline.dispatch.stage import Dispatcher
from pipeline.logs import bound_trace
from pipeline.offsets import Ticket
from pipeline.tracing import Headers, child_headers

__all__ = ["build_lanes", "register", "traced", "traced_from"]

log = logging.getLogger(__name__)


def build_lanes(
    ctx: WorkerContext, transport: httpx2.AsyncBaseTransport | None = None
) -> dict[str, Lane]:
    """One client, limiter and breaker per configured destination, sharing one semaphore."""
    ds = ctx.settings.dispatch
    semaphore = asyncio.Semaphore(ds.concurrency)
    return {
        name: Lane(ChatClient(name, dest, transport), ds, ctx.metrics, semaphore)
        for name, dest in ds.destinations.items()
    }


def register(
    app: faust.App,
    ctx: WorkerContext,
    guard: ResponseGuard = identity_guard,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> None:
    """Declare the dedup table and the dispatch agent on ``app``."""
    settings = ctx.settings
    ds = settings.dispatch
    approved = raw_topic(app, settings, settings.topics.approved)
    table = app.Table(
        ds.dedup_table,
        default=None,
        partitions=settings.partitions,
        # No key/value types: faust then uses json both ways (recovered keys are str
        # like ours); value_type=dict would break recovery (dict has no from_data).
    )
    dispatcher = Dispatcher(
        settings,
        ctx.metrics,
        build_lanes(ctx, transport),
        TableDedupStore(table),
        guard,
        _sender(ctx),
        configured_key_ring(ctx.settings),
    )

    @app.agent(approved, name="dispatch")
    async def dispatch(stream: Any) -> None:
        await _pipeline(ctx, dispatcher, take_ready(stream, ds.batch_size, ds.batch_wait_seconds),
                        ds.batch_size)


async def _pipeline(
    ctx: WorkerContext, dispatcher: Dispatcher, batches: AsyncIterator[list[Any]], limit: int
) -> None:
    """Start each admitted record as soon as a slot is free; cancel what runs when stopped."""
    slots = asyncio.Semaphore(limit)
    running: set[asyncio.Task[None]] = set()
    last_of_key: dict[Any, asyncio.Task[None]] = {}

    async def run(event: Any, ticket: Ticket, before: asyncio.Task[None] | None) -> None:
        try:
            if before is not None:
                await asyncio.wait([before])  # same key: strictly after its predecessor
            await _handle(ctx, dispatcher, event, ticket)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # Not done: its offset is not committed over; redelivered after a restart.
            log.error("dispatch left a record unfinished (%s)", type(exc).__name__)
        finally:
            slots.release()

    def forget(key: Any, task: asyncio.Task[None]) -> None:
        running.discard(task)
        if last_of_key.get(key) is task:
            del last_of_key[key]

    try:
        async for fetched in batches:
            for event in fetched:
                message = event.message
                ticket = await ctx.offsets.admit(message.topic, message.partition, message.offset)
                if ticket is None:
                    continue
                await slots.acquire()
                key = message.key
                task = asyncio.create_task(run(event, ticket, last_of_key.get(key)))
                running.add(task)
                if key is not None:  # an unkeyed record has no twin to wait for
                    last_of_key[key] = task
                task.add_done_callback(functools.partial(forget, key))
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)


# The trace headers of the approved record being handled (this task's), for what it produces.
_OUTGOING: contextvars.ContextVar[Headers] = contextvars.ContextVar("dispatch_out", default=())


async def _handle(ctx: WorkerContext, dispatcher: Dispatcher, event: Any, ticket: Ticket) -> None:
    message = event.message
    source = Source(message.topic, message.partition, message.offset, message.timestamp)
    value = event.value if isinstance(event.value, bytes) else bytes(event.value or b"")
    with traced_from(message.headers), bound_trace(message.headers, stage="dispatch"):
        await dispatcher.handle(value, source)
    ctx.offsets.done(ticket)


@contextlib.contextmanager
def traced_from(incoming: Any) -> Iterator[None]:
    """While one approved record is handled, what ``traced`` adds: its child trace headers."""
    token = _OUTGOING.set(child_headers(incoming))
    try:
        yield
    finally:
        _OUTGOING.reset(token)


def traced(records: Sequence[Record]) -> list[Record]:
    """The records with the handled record's trace headers.

    The same trace and ``x-correlation-id`` and a child span, as classify's outputs carry: a
    response, its audit event, a DLQ entry can be followed back to their prompt.
    """
    headers = _OUTGOING.get()
    return [r if r.headers or not headers else replace(r, headers=headers) for r in records]


def _sender(ctx: WorkerContext) -> Any:
    async def send(records: Sequence[Record]) -> None:
        await send_until_acked(ctx.sink, traced(records), ctx.metrics, "dispatch")

    return send
