"""Deliver classify outputs while the next batch is detected; ack inputs only behind the broker.

A batch's records are handed to the producer in input order, then the agent goes on to the
next batch: the round trip to the broker overlaps detection instead of idling the detector.
Each batch's input events are acknowledged to faust only when the broker has acknowledged every
output of that batch *and* every earlier batch has been acknowledged: acks reach faust in offset
order, so a committed offset never passes an event whose outputs are not durable (faust's
commit logic tolerates a one-offset hole, so order is what keeps it exact). If sending fails,
the batch is sent again until the broker takes it; the batches behind it wait. If the agent
stops, unacknowledged events are simply not committed and are delivered again.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pipeline.bus import KafkaSink, Record

__all__ = ["Delivery"]

log = logging.getLogger(__name__)
RETRY_SECONDS = 2.0

Ack = Callable[[Any], Awaitable[Any]]
Done = Callable[[], None]


class Delivery:
    """At most ``depth`` batches in flight; acknowledgements strictly in submission order."""

    def __init__(self, sink: KafkaSink, ack: Ack, depth: int = 4) -> None:
        self._sink = sink
        self._ack = ack
        self._depth = max(1, depth)
        self._in_flight: deque[asyncio.Task[None]] = deque()

    async def submit(self, records: Sequence[Record], events: Sequence[Any], done: Done) -> None:
        """Enqueue ``records`` now; ack ``events`` and call ``done`` once they are durable."""
        while len(self._in_flight) >= self._depth:
            await self._in_flight.popleft()  # a failed delivery surfaces here, in the agent
        futures: list[asyncio.Future[Any]] | None
        try:
            futures = await self._sink.enqueue(records)
        except Exception as exc:  # refused outright (e.g. producer not connected): resend later
            log.warning("enqueueing %d records failed (%s)", len(records), type(exc).__name__)
            futures = None
        previous = self._in_flight[-1] if self._in_flight else None
        self._in_flight.append(
            asyncio.create_task(self._settle(records, futures, previous, events, done))
        )

    async def drain(self) -> None:
        """Wait until every submitted batch is durable and acknowledged."""
        while self._in_flight:
            await self._in_flight.popleft()

    def abandon(self) -> None:
        """Stop waiting: unacknowledged events stay uncommitted and are delivered again."""
        while self._in_flight:
            self._in_flight.popleft().cancel()

    async def _settle(
        self,
        records: Sequence[Record],
        futures: list[asyncio.Future[Any]] | None,
        previous: asyncio.Task[None] | None,
        events: Sequence[Any],
        done: Done,
    ) -> None:
        if futures is None or not await _all_acked(futures, len(records)):
            await _send_until_acked(self._sink, records)
        if previous is not None:
            await previous  # acks leave in offset order; if it failed, so does this one
        for event in events:
            await self._ack(event)
        done()


async def _all_acked(futures: list[asyncio.Future[Any]], count: int) -> bool:
    results = await asyncio.gather(*futures, return_exceptions=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed:
        log.warning("%d of %d records not acknowledged (%s); sending the batch again",
                    len(failed), count, type(failed[0]).__name__)
    return not failed


async def _send_until_acked(sink: KafkaSink, records: Sequence[Record]) -> None:
    """While the broker is away the partition waits; nothing is dropped."""
    while True:
        try:
            await sink.send_all(records)
            return
        except Exception as exc:
            log.warning("sending %d records failed (%s); retrying", len(records),
                        type(exc).__name__)
            await asyncio.sleep(RETRY_SECONDS)
