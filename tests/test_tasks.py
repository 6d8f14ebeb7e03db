"""``stop_task`` ends a loop whose cancellation ``asyncio.wait_for`` dropped (Python 3.11).

The loop below is the shape of the oracle sampler and of every periodic task of ours: it awaits
``wait_for`` on a call that finishes in the same loop turn as the cancel arrives. The first test
shows the premise on this interpreter (a bare cancel leaves the loop running); the second that
``stop_task`` ends it anyway.
"""

from __future__ import annotations

import asyncio
import sys

import pytest

from pipeline.tasks import stop_task


class Loop:
    """A periodic task; :meth:`land_cancel` cancels it just as its awaited call completes."""

    def __init__(self) -> None:
        self.rounds = 0
        self.waiting = asyncio.Event()
        self._call: asyncio.Future[None] | None = None

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._call = loop.create_future()
            self.waiting.set()
            await asyncio.wait_for(self._call, 10)
            self.waiting.clear()
            self.rounds += 1

    async def land_cancel(self, task: asyncio.Task[None]) -> None:
        await self.waiting.wait()
        assert self._call is not None
        self._call.set_result(None)  # the call finishes ...
        task.cancel()  # ... in the same turn as the cancellation arrives


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.12's wait_for keeps the cancel")
async def test_a_bare_cancel_can_be_dropped_by_wait_for() -> None:
    body = Loop()
    task = asyncio.create_task(body.run())
    await body.land_cancel(task)
    done, _ = await asyncio.wait({task}, timeout=0.3)
    assert not done and body.rounds == 1  # cancelled, yet still looping
    task.cancel()  # this one lands on a pending call
    await asyncio.wait({task}, timeout=1)
    assert task.cancelled()


async def test_stop_task_ends_a_loop_whose_cancel_was_dropped() -> None:
    body = Loop()
    task = asyncio.create_task(body.run())
    await body.waiting.wait()
    stopping = asyncio.create_task(stop_task(task, recancel_seconds=0.05))
    await asyncio.sleep(0)  # stop_task's first cancel is now pending on the task ...
    assert body._call is not None
    body._call.set_result(None)  # ... and the call finishes in that same turn
    await asyncio.wait_for(stopping, 5)
    assert task.done() and task.cancelled()


async def test_stop_task_returns_for_a_finished_or_failed_task_and_none() -> None:
    async def boom() -> None:
        raise RuntimeError("already failed")

    failed = asyncio.create_task(boom())
    await asyncio.sleep(0)
    await stop_task(failed)  # not raised: the component is stopping
    await stop_task(None)
    assert failed.done()
