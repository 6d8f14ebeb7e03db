"""Telling a frozen or starved detection from a real overrun, by the CPU it got.

A worker stopped (SIGSTOP, a paused VM) or starved of CPU mid-detection wakes to find its
wall-clock budget spent without having computed anything. A real overrun burns CPU for its
whole budget; a frozen one does not. Classify and the answer guard both run such a timed-out
detection once more; whatever that run decides stands (a real overrun times out again).
Kept free of heavy imports: the worker's entry modules import it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["starved"]


def starved(wall_start: float, cpu_start: float,
            wall_clock: Callable[[], float] = time.monotonic,
            cpu_clock: Callable[[], float] = time.process_time) -> bool:
    """Whether less CPU than half the wall time passed since the starts."""
    return cpu_clock() - cpu_start < 0.5 * (wall_clock() - wall_start)
