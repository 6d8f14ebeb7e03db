"""The dispatch agent's pipelining (pipeline/dispatch/agent.py ``_pipeline``), without Kafka.

A record fetched while an earlier one is still in its LLM call starts at once; records with
one key run in offset order; a bound caps what is in flight; a record whose handling raised
is never marked done.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from pipeline.dispatch.agent import _pipeline


@dataclass
class Message:
    offset: int
    key: bytes | None
    topic: str = "prompts.approved"
    partition: int = 0
    timestamp: float | None = None
    headers: tuple[tuple[str, bytes], ...] = ()


@dataclass
class Event:
    message: Message
    value: bytes


@dataclass
class Offsets:
    done_offsets: list[int] = field(default_factory=list)

    async def admit(self, topic: str, partition: int, offset: int) -> int:
        return offset

    def done(self, ticket: int) -> None:
        self.done_offsets.append(ticket)


@dataclass
class Ctx:
    offsets: Offsets = field(default_factory=Offsets)


class Dispatcher:
    """Each record's handling waits until the test releases its value."""

    def __init__(self) -> None:
        self.release: dict[bytes, asyncio.Event] = {}
        self.started: list[bytes] = []
        self.in_flight = 0
        self.most_in_flight = 0

    def gate(self, value: bytes) -> asyncio.Event:
        return self.release.setdefault(value, asyncio.Event())

    async def handle(self, raw: bytes, source: Any) -> str:
        self.started.append(raw)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await self.gate(raw).wait()
        finally:
            self.in_flight -= 1
        if raw.startswith(b"boom"):
            raise RuntimeError("handler bug")
        return "answered"


async def feed(batches: asyncio.Queue[list[Event] | None]) -> AsyncIterator[list[Event]]:
    while (batch := await batches.get()) is not None:
        yield batch


def ev(offset: int, value: bytes, key: bytes | None = None) -> Event:
    return Event(Message(offset, key if key is not None else value), value)


async def until(condition: Any) -> None:
    """Wait for the condition; a generous bound turns "never" into a failure, not a hang."""
    async with asyncio.timeout(10):
        while not condition():
            await asyncio.sleep(0.001)


async def test_a_later_record_starts_while_an_earlier_one_is_still_running() -> None:
    ctx, dispatcher = Ctx(), Dispatcher()
    batches: asyncio.Queue[list[Event] | None] = asyncio.Queue()
    task = asyncio.create_task(_pipeline(ctx, dispatcher, feed(batches), 8))  # type: ignore[arg-type]
    batches.put_nowait([ev(0, b"slow")])
    await until(lambda: dispatcher.started == [b"slow"])
    batches.put_nowait([ev(1, b"fast")])
    await until(lambda: dispatcher.started == [b"slow", b"fast"])  # not behind "slow"
    dispatcher.gate(b"fast").set()
    await until(lambda: ctx.offsets.done_offsets == [1])
    dispatcher.gate(b"slow").set()
    await until(lambda: ctx.offsets.done_offsets == [1, 0])
    batches.put_nowait(None)
    await task


async def test_same_key_runs_in_offset_order_and_a_failure_is_not_done() -> None:
    ctx, dispatcher = Ctx(), Dispatcher()
    batches: asyncio.Queue[list[Event] | None] = asyncio.Queue()
    task = asyncio.create_task(_pipeline(ctx, dispatcher, feed(batches), 8))  # type: ignore[arg-type]
    batches.put_nowait([ev(0, b"boom-first", b"k"), ev(1, b"twin", b"k"), ev(2, b"other")])
    await until(lambda: len(dispatcher.started) == 2)
    assert dispatcher.started == [b"boom-first", b"other"]  # the twin waits for its key
    dispatcher.gate(b"boom-first").set()
    await until(lambda: b"twin" in dispatcher.started)
    dispatcher.gate(b"twin").set()
    dispatcher.gate(b"other").set()
    await until(lambda: sorted(ctx.offsets.done_offsets) == [1, 2])
    batches.put_nowait(None)
    await task
    assert 0 not in ctx.offsets.done_offsets  # raised: redelivered, never committed over


async def test_in_flight_is_bounded_and_stopping_cancels_what_runs() -> None:
    ctx, dispatcher = Ctx(), Dispatcher()
    batches: asyncio.Queue[list[Event] | None] = asyncio.Queue()
    task = asyncio.create_task(_pipeline(ctx, dispatcher, feed(batches), 3))  # type: ignore[arg-type]
    batches.put_nowait([ev(i, f"r{i}".encode()) for i in range(5)])
    await until(lambda: len(dispatcher.started) == 3)
    for _ in range(20):
        await asyncio.sleep(0)
    assert dispatcher.most_in_flight == 3 and len(dispatcher.started) == 3
    dispatcher.gate(b"r0").set()
    await until(lambda: len(dispatcher.started) == 4)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert ctx.offsets.done_offsets == [0] and dispatcher.in_flight == 0
