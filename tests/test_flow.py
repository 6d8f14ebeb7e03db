"""faust's end-of-recovery flow resume must not drop fetched records nobody re-fetches."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from mode.utils.queues import FlowControlEvent, FlowControlQueue

from pipeline.flow import keep_unrewound_records_on_resume

TOPIC = "x.prompts.approved"


@dataclass(frozen=True)
class _TP:
    topic: str
    partition: int


@dataclass
class _Message:
    topic: str
    partition: int
    offset: int
    generation_id: int

    @property
    def tp(self) -> _TP:
        return _TP(self.topic, self.partition)


@dataclass
class _Event:
    message: _Message


@dataclass
class _Consumer:
    assigned: set[_TP]
    _committed_offset: dict[_TP, int | None] = field(default_factory=dict)

    def assignment(self) -> set[_TP]:
        return self.assigned


@dataclass
class _App:
    flow_control: FlowControlEvent
    consumer: _Consumer
    consumer_generation_id: int = 2


def _event(offset: int, partition: int = 0, gen: int = 2, topic: str = TOPIC) -> _Event:
    return _Event(_Message(topic, partition, offset, gen))


def _setup(committed: dict[_TP, int | None]) -> tuple[_App, FlowControlQueue[Any]]:
    async def make() -> tuple[_App, FlowControlQueue[Any]]:
        flow = FlowControlEvent(initially_suspended=True)
        queue: FlowControlQueue[Any] = FlowControlQueue(flow_control=flow, clear_on_resume=True)
        consumer = _Consumer({_TP(TOPIC, 0), _TP(TOPIC, 1)}, dict(committed))
        app = _App(flow, consumer)
        keep_unrewound_records_on_resume(app, TOPIC)
        return app, queue

    return asyncio.run(make())


def _items(queue: FlowControlQueue[Any]) -> list[tuple[int, int]]:
    return [(e.message.partition, e.message.offset) for e in list(queue._queue)]  # type: ignore[attr-defined]


def test_resume_keeps_current_records_of_partitions_without_commit() -> None:
    app, queue = _setup({_TP(TOPIC, 1): 7})
    for item in (
        _event(4),
        _event(8, partition=1),
        _event(5),
        _event(3, gen=1),
        _event(0, topic="other"),
    ):
        queue.put_nowait(item)
    app.flow_control.resume()
    # p0 has no commit (seek_to_committed did not rewind it): kept, in order.
    # p1 was rewound to 7 (refetched), the stale generation and other topics are dropped.
    assert _items(queue) == [(0, 4), (0, 5)]


def test_clear_while_suspended_drops_everything() -> None:
    app, queue = _setup({})
    queue.put_nowait(_event(4))
    app.flow_control.suspend()
    app.flow_control.clear()  # what a revoke / shutdown does
    assert _items(queue) == []


def test_unassigned_partition_is_dropped_and_wrapping_is_idempotent() -> None:
    app, queue = _setup({})
    keep_unrewound_records_on_resume(app, TOPIC)
    app.consumer.assigned = {_TP(TOPIC, 1)}
    queue.put_nowait(_event(4))
    queue.put_nowait(_event(6, partition=1))
    app.flow_control.resume()
    assert _items(queue) == [(1, 6)]
