"""Runs ``Classifier.inspect`` off the event loop with a backstop deadline, on one thread.

Detection enforces its own budget (``pipeline.detect.artifacts.Deadline`` is
checked between recognizers, and every regex gets the remaining time), so an
overrun normally ends inside the engine as a ``DetectionTimeout``. The backstop
here is for a call that still does not return (a stuck model): its batch is
quarantined, and the thread is *not* abandoned for a new one, because a
Python thread cannot be killed and each replacement would leak one. Instead
the runner keeps its single detection thread; while a stuck call still holds
it, later batches wait for it within their own deadline and are quarantined
if it is still busy (fail closed), never queued behind it.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from pipeline.route.classify import Classifier, Inspected, RawEvent, Routed

__all__ = ["BACKSTOP_SLACK_SECONDS", "BatchRunner"]

log = logging.getLogger(__name__)
# Past the batch's detection budget, how long to wait before the backstop fires.
BACKSTOP_SLACK_SECONDS = 5.0


class BatchRunner:
    """``await run(batch)``: one ``Routed`` per event; detection never runs on two threads."""

    def __init__(
        self,
        classifier: Classifier,
        per_event_budget: float,
        *,
        slack_seconds: float = BACKSTOP_SLACK_SECONDS,
    ) -> None:
        self._classifier = classifier
        self._budget = per_event_budget
        self._slack = slack_seconds
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="detect")
        self._running: Future[Inspected] | None = None
        self.overruns = 0

    async def run(self, batch: Sequence[RawEvent]) -> list[Routed]:
        deadline = time.monotonic() + self._budget * max(1, len(batch)) + self._slack
        try:
            if self._running is not None and not self._running.done():
                # A previous overrun still holds the thread: wait for it to end (its outcome
                # belongs to the batch already quarantined) inside our own deadline.
                await _idle(self._running, deadline)
            # The thread logs with the caller's bound context (the batch's trace ids).
            context = contextvars.copy_context()
            self._running = self._executor.submit(context.run, self._classifier.inspect, batch)
            inspected = await _wait(self._running, deadline)
        except TimeoutError as exc:
            self.overruns += 1
            log.error("detection overran its deadline; batch of %d quarantined", len(batch))
            return self._classifier.fail_batch(batch, exc)
        except Exception as exc:  # never lose or approve a batch on a bug
            log.exception("classify stage raised; batch quarantined")
            return self._classifier.fail_batch(batch, exc)
        return self._classifier.route(inspected)

    def close(self) -> None:
        """Stop taking work; a call still running finishes on its own."""
        self._executor.shutdown(wait=False, cancel_futures=True)


def _wrapped(future: Future[Inspected]) -> asyncio.Future[Inspected]:
    """An awaitable view of ``future`` whose late outcome is never reported as unretrieved."""
    wrapped = asyncio.wrap_future(future)
    wrapped.add_done_callback(lambda f: f.cancelled() or f.exception())
    return wrapped


async def _wait(future: Future[Inspected], deadline: float) -> Inspected:
    """The future's result by ``deadline``; on timeout the call keeps its thread (shielded)."""
    remaining = max(0.0, deadline - time.monotonic())
    return await asyncio.wait_for(asyncio.shield(_wrapped(future)), remaining)


async def _idle(future: Future[Inspected], deadline: float) -> None:
    """Wait until ``future`` is done, whatever its outcome; ``TimeoutError`` at ``deadline``."""
    remaining = max(0.0, deadline - time.monotonic())
    done, _ = await asyncio.wait({_wrapped(future)}, timeout=remaining)
    if not done:
        raise TimeoutError("the detection thread is still busy")
