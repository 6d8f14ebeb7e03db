"""take_ready: batches start at the first event, respect max_, keep order, leave acks to us."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import faust

from pipeline.batching import take_ready


def _app() -> faust.App:
    # test_context never connects: the broker URL only has to parse.
    return faust.App(f"t-take-{time.monotonic_ns()}", broker="kafka://localhost:1")


async def _run(
    max_: int, linger: float, puts: list[tuple[float, int]], ack: bool = True,
    one_by_one: bool = False,
) -> list[dict[str, Any]]:
    """Feed (delay, value) pairs to an agent using take_ready; return what each batch saw.

    ``one_by_one``: each value is put only once every earlier one was handed out in a batch,
    so batch boundaries do not depend on how fast a loaded machine runs the delays.
    """
    app = _app()
    seen: list[dict[str, Any]] = []
    earlier: list[Any] = []

    @app.agent()
    async def agent(stream: Any) -> Any:
        async for events in take_ready(stream, max_, linger):
            seen.append({
                "values": [e.value for e in events],
                "at": time.monotonic(),
                "earlier_acked": [e.message.acked for e in earlier],
            })
            earlier.extend(events)
            if ack:
                for event in events:
                    await stream.ack(event)
            yield len(events)

    async with agent.test_context() as ctx:
        started = time.monotonic()
        for i, (delay, value) in enumerate(puts):
            await asyncio.sleep(delay)
            deadline = time.monotonic() + 5
            while one_by_one and _taken(seen) < i and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
            await ctx.put(value, wait=False)
        deadline = time.monotonic() + 5
        while _taken(seen) < len(puts) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
    for batch in seen:
        batch["at"] -= started
    return seen


def _taken(seen: list[dict[str, Any]]) -> int:
    return sum(len(b["values"]) for b in seen)


async def test_batches_hold_at_most_max_events_in_offset_order() -> None:
    seen = await _run(3, 0.05, [(0, i) for i in range(8)])
    assert [v for b in seen for v in b["values"]] == list(range(8))
    assert all(1 <= len(b["values"]) <= 3 for b in seen)


async def test_a_full_batch_does_not_wait_for_the_linger() -> None:
    seen = await _run(3, 10.0, [(0, 1), (0, 2), (0, 3)])
    assert seen[0]["values"] == [1, 2, 3]
    assert seen[0]["at"] < 2.0  # the 10 s linger was not waited out


async def test_events_apart_by_more_than_the_linger_come_in_separate_batches() -> None:
    seen = await _run(10, 0.01, [(0, 1), (0.3, 2)])
    assert [b["values"] for b in seen] == [[1], [2]]


async def test_events_stay_unacked_until_the_caller_acks_them() -> None:
    # faust's take_events would have acked batch 1 by the time batch 2 is taken.
    seen = await _run(4, 0.01, [(0, 1), (0, 2), (0, 3)], ack=False, one_by_one=True)
    assert [b["values"] for b in seen] == [[1], [2], [3]]
    assert seen[2]["earlier_acked"] == [False, False]
