"""The thin faust agent for dispatch: take a batch, handle it concurrently, mark what finished.

Each record is admitted by the offset manager (its partition's next offset, else dropped and
refetched) and marked done only once ``Dispatcher.handle`` has made its outcome durable, in
whatever order the calls finish: the committed offset moves over done records only
(``pipeline.offsets``), so a record interrupted by a crash or a rebalance is redelivered, and
the dedup table keeps its LLM call single.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
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

__all__ = ["build_lanes", "register"]

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
        async for fetched in take_ready(stream, ds.batch_size, ds.batch_wait_seconds):
            admitted: list[tuple[Any, Ticket]] = []
            for event in fetched:
                message = event.message
                ticket = await ctx.offsets.admit(message.topic, message.partition, message.offset)
                if ticket is not None:
                    admitted.append((event, ticket))
            results = await asyncio.gather(
                *(_handle(ctx, dispatcher, event, ticket) for event, ticket in admitted),
                return_exceptions=True,
            )
            for result in results:
                if isinstance(result, BaseException):
                    # Not done: its offset is not committed over; redelivered after a restart.
                    log.error("dispatch left a record unfinished (%s)", type(result).__name__)


async def _handle(ctx: WorkerContext, dispatcher: Dispatcher, event: Any, ticket: Ticket) -> None:
    message = event.message
    source = Source(message.topic, message.partition, message.offset, message.timestamp)
    value = event.value if isinstance(event.value, bytes) else bytes(event.value or b"")
    with bound_trace(message.headers, stage="dispatch"):
        await dispatcher.handle(value, source)
    ctx.offsets.done(ticket)


def _sender(ctx: WorkerContext) -> Any:
    async def send(records: Sequence[Record]) -> None:
        await send_until_acked(ctx.sink, records, ctx.metrics, "dispatch")

    return send
