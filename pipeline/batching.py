"""Batches from a faust stream that start when the first event is there, not on a timer.

faust's ``take_events``/``noack_take`` wake every ``within`` seconds and, after each batch,
wait that long again unless the buffer fills: a short ``within`` costs CPU on an idle worker
(hundreds of empty wake-ups a second), a long one adds its full length to every event's
latency. ``take_ready`` waits for the first event without a timer, then lingers ``linger``
seconds for more (or none once ``max_`` are buffered). Like ``noack_take`` it yields events
and never acks them: the caller acks each event once its outputs are durable.

It is faust's ``noack_take`` with the wait changed; the stream internals it needs (a passive
processor) are reached through ``pipeline.faustcompat``, which checks the faust version.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from pipeline.faustcompat import attach_processor, detach_processor

__all__ = ["take_ready"]

log = logging.getLogger(__name__)


async def take_ready(stream: Any, max_: int, linger: float) -> AsyncIterator[list[Any]]:
    """Yield lists of 1..``max_`` unacked events: first event, then ``linger`` seconds or full."""
    buffer: list[Any] = []
    filled = asyncio.Event()  # at least one event buffered
    full = asyncio.Event()
    consumed = asyncio.Event()
    consuming: asyncio.Future[None] | None = None

    async def add_to_buffer(value: Any) -> Any:
        # The stream's passive drainer calls this for every event, in offset order.
        nonlocal consuming
        try:
            if consuming is not None:  # the previous batch is being handed out: wait for it
                try:
                    await consuming
                finally:
                    consuming = None
            event = stream.current_event
            if event is None:
                raise RuntimeError("take_ready found no current event")
            buffer.append(event)
            filled.set()
            if len(buffer) >= max_:
                full.set()
                consumed.clear()
                await stream.wait(consumed)  # never more than max_ in one batch
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("error adding to the take buffer")
            await stream.crash(exc)
        return value

    enable_acks = stream.enable_acks
    stream.enable_acks = False  # the caller acks, once outputs are durable
    attach_processor(stream, add_to_buffer)
    loop = asyncio.get_running_loop()
    try:
        while not stream.should_stop:
            if await stream.wait_for_stopped(filled):  # no timer while idle
                break
            if not full.is_set() and linger > 0:
                await stream.wait_for_stopped(full, timeout=linger)
            if not buffer:
                continue
            handing_out: asyncio.Future[None] = loop.create_future()
            consuming = handing_out
            try:
                yield list(buffer)
            finally:
                buffer.clear()
                filled.clear()
                full.clear()
                if not handing_out.done():
                    handing_out.set_result(None)  # let the waiting event into the next batch
                consumed.set()
    finally:
        stream.enable_acks = enable_acks
        detach_processor(stream, add_to_buffer)
