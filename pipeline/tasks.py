"""Stopping a background task: one place, because one ``task.cancel()`` is not always enough.

On Python 3.11 ``asyncio.wait_for`` returns its result and *drops* a cancellation that lands in
the same loop turn as the awaited call finishing (CPython gh-86296; 3.12 rewrote ``wait_for`` on
``asyncio.timeout``). A periodic loop that calls ``wait_for`` — ours, or aiokafka's inside a
commit or a fetch — then runs on, and ``task.cancel(); await task`` waits for ever: the oracle's
offset sampler did exactly that in CI (the scale scenario, which had settled, sat until the
test's 600 s timeout). :func:`stop_task` cancels again until the task has ended.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

__all__ = ["stop_task"]


async def stop_task(task: asyncio.Task[Any] | None, *, recancel_seconds: float = 1.0) -> None:
    """Cancel ``task`` and wait until it has ended, re-cancelling if a cancellation was dropped.

    The task's own exception (other than the cancellation) is not raised here: a stopping
    component has nothing left to do with it, and its loop logs its own failures.
    """
    if task is None:
        return
    while not task.done():
        task.cancel()
        # ``wait`` (unlike ``wait_for``) never cancels or swallows anything; it only times out.
        await asyncio.wait({task}, timeout=recancel_seconds)
    with contextlib.suppress(asyncio.CancelledError, Exception):
        task.result()
