"""Delivery: inputs are acked only behind the broker's acks, in submission order."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import pytest

from pipeline.bus import Record
from pipeline.route import delivery as delivery_module
from pipeline.route.delivery import Delivery


class FakeSink:
    """Hands out one future per record; the test decides when (and how) each resolves."""

    def __init__(self) -> None:
        self.pending: list[tuple[Record, asyncio.Future[Any]]] = []
        self.resent: list[list[Record]] = []
        self.refuse_enqueue = False

    async def enqueue(self, records: Iterable[Record]) -> list[asyncio.Future[Any]]:
        if self.refuse_enqueue:
            raise ConnectionError("producer not connected")
        loop = asyncio.get_running_loop()
        out = []
        for record in records:
            future: asyncio.Future[Any] = loop.create_future()
            self.pending.append((record, future))
            out.append(future)
        return out

    async def send_all(self, records: Iterable[Record]) -> None:
        self.resent.append(list(records))

    def resolve(self, key: str, error: Exception | None = None) -> None:
        for record, future in self.pending:
            if record.key == key and not future.done():
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)


def _records(*keys: str) -> list[Record]:
    return [Record("out", key, {"id": key}) for key in keys]


def _delivery(sink: FakeSink, acked: list[str], depth: int = 4) -> Delivery:
    async def ack(event: str) -> None:
        acked.append(event)

    return Delivery(sink, ack, depth)  # type: ignore[arg-type]


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_events_are_acked_only_after_their_outputs() -> None:
    sink, acked, done = FakeSink(), list[str](), list[int]()
    delivery = _delivery(sink, acked)
    await delivery.submit(_records("a", "b"), ["e1", "e2"], lambda: done.append(1))
    sink.resolve("a")
    await _settle()
    assert acked == []  # "b" is not durable yet
    sink.resolve("b")
    await delivery.drain()
    assert acked == ["e1", "e2"]
    assert done == [1]


async def test_a_later_batch_never_acks_ahead_of_an_earlier_one() -> None:
    sink, acked = FakeSink(), list[str]()
    delivery = _delivery(sink, acked)
    await delivery.submit(_records("a"), ["e1"], lambda: None)
    await delivery.submit(_records("b"), ["e2"], lambda: None)
    sink.resolve("b")  # the broker acks the second batch first
    await _settle()
    assert acked == []
    sink.resolve("a")
    await delivery.drain()
    assert acked == ["e1", "e2"]


async def test_unacknowledged_records_are_sent_again_before_the_ack(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(delivery_module, "RETRY_SECONDS", 0.0)
    sink, acked = FakeSink(), list[str]()
    delivery = _delivery(sink, acked)
    await delivery.submit(_records("a", "b"), ["e1"], lambda: None)
    sink.resolve("a")
    sink.resolve("b", TimeoutError("request timed out"))
    await delivery.drain()
    assert [[r.key for r in batch] for batch in sink.resent] == [["a", "b"]]
    assert acked == ["e1"]


async def test_a_refused_enqueue_is_retried_not_dropped() -> None:
    sink, acked = FakeSink(), list[str]()
    sink.refuse_enqueue = True
    delivery = _delivery(sink, acked)
    await delivery.submit(_records("a"), ["e1"], lambda: None)
    await delivery.drain()
    assert [[r.key for r in batch] for batch in sink.resent] == [["a"]]
    assert acked == ["e1"]


async def test_depth_bounds_the_batches_in_flight() -> None:
    sink, acked = FakeSink(), list[str]()
    delivery = _delivery(sink, acked, depth=1)
    await delivery.submit(_records("a"), ["e1"], lambda: None)
    second = asyncio.create_task(delivery.submit(_records("b"), ["e2"], lambda: None))
    await _settle()
    assert not second.done()  # waits for the first batch to be durable
    sink.resolve("a")
    await second
    sink.resolve("b")
    await delivery.drain()
    assert acked == ["e1", "e2"]


async def test_abandoned_batches_are_never_acked() -> None:
    sink, acked = FakeSink(), list[str]()
    delivery = _delivery(sink, acked)
    await delivery.submit(_records("a"), ["e1"], lambda: None)
    delivery.abandon()
    sink.resolve("a")
    await _settle()
    assert acked == []  # not committed: delivered again after the restart

