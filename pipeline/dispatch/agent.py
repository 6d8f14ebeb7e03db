"""The thin faust agent for dispatch: take a batch, handle it concurrently, ack what finished.

Each record of a batch gets an extra reference (``Message.incref``) that is only
released once ``Dispatcher.handle`` has made its outcome durable. faust's
``take_events`` acks a batch in a ``finally`` — also when the agent is cancelled
on shutdown — so without that hold a half-processed batch could be committed and
lost; with it, an interrupted record stays uncommitted and is redelivered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import faust
import httpx2

from pipeline.app import WorkerContext, raw_topic
from pipeline.bus import Record
from pipeline.crypto import configured_key_ring
from pipeline.dispatch.caller import Lane
from pipeline.dispatch.client import ChatClient
from pipeline.dispatch.dedup import TableDedupStore
from pipeline.dispatch.guard import ResponseGuard, identity_guard
from pipeline.dispatch.records import Source
from pipeline.dispatch.stage import Dispatcher
from pipeline.flow import keep_unrewound_records_on_resume

__all__ = ["build_lanes", "register"]

log = logging.getLogger(__name__)
_SEND_RETRY_SECONDS = 1.0


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
    # faust's end-of-recovery resume would otherwise drop records fetched during it.
    keep_unrewound_records_on_resume(app, settings.topics.approved)

    @app.agent(approved, name="dispatch")
    async def dispatch(stream: Any) -> None:
        async for events in stream.take_events(ds.batch_size, within=ds.batch_wait_seconds):
            for event in events:
                event.message.incref()  # held until the outcome is durable
            results = await asyncio.gather(
                *(_handle(dispatcher, event) for event in events), return_exceptions=True
            )
            for result in results:
                if isinstance(result, BaseException):
                    log.error("dispatch left a record unacked (%s)", type(result).__name__)


async def _handle(dispatcher: Dispatcher, event: Any) -> None:
    message = event.message
    source = Source(message.topic, message.partition, message.offset, message.timestamp)
    value = event.value if isinstance(event.value, bytes) else bytes(event.value or b"")
    await dispatcher.handle(value, source)
    event.ack()


def _sender(ctx: WorkerContext) -> Any:
    async def send(records: Sequence[Record]) -> None:
        """Send until acknowledged: while the broker is away the record waits, nothing drops."""
        while True:
            try:
                await ctx.sink.send_all(records)  # connects on first use
                return
            except Exception as exc:
                log.warning(
                    "sending %d records failed (%s); retrying", len(records), type(exc).__name__
                )
                await asyncio.sleep(_SEND_RETRY_SECONDS)

    return send
