"""A batch that timed out while the worker was frozen is detected again; a real overrun is not."""

from __future__ import annotations

import asyncio
from typing import Any

from pipeline.errors import DetectionFailure
from pipeline.route.agent import _detect
from pipeline.route.classify import Routed

HELD = Routed("quarantine", (), reason=DetectionFailure.TIMEOUT)
PASSED = Routed("approved", ())


class Clocks:
    """Wall and CPU clocks the test moves: a machine's load can no longer change the verdict."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def wall_clock(self) -> float:
        return self.wall

    def cpu_clock(self) -> float:
        return self.cpu


class Runner:
    """Times out on the first call after ``cpu`` seconds of CPU in 0.3 s of wall time."""

    def __init__(self, clocks: Clocks, cpu: float) -> None:
        self.clocks, self.cpu = clocks, cpu
        self.calls = 0

    async def run(self, batch: Any) -> list[Routed]:
        self.calls += 1
        if self.calls > 1:
            return [PASSED]
        self.clocks.wall += 0.3
        self.clocks.cpu += self.cpu
        return [HELD]


async def _run(cpu: float) -> tuple[list[Routed], int]:
    clocks = Clocks()
    runner = Runner(clocks, cpu)
    routed = await _detect(runner, [], clocks.wall_clock, clocks.cpu_clock)  # type: ignore[arg-type]
    return routed, runner.calls


async def test_a_timeout_without_cpu_is_detected_again() -> None:
    assert await _run(cpu=0.0) == ([PASSED], 2)  # frozen (SIGSTOP)
    assert await _run(cpu=0.1) == ([PASSED], 2)  # starved: a third of a core


async def test_a_timeout_that_burned_its_budget_stands() -> None:
    assert await _run(cpu=0.3) == ([HELD], 1)
    assert await _run(cpu=0.2) == ([HELD], 1)


async def test_the_real_clocks_see_a_frozen_batch() -> None:
    """Default clocks: a batch that only waits is detected again."""

    class Sleeper:
        calls = 0

        async def run(self, batch: Any) -> list[Routed]:
            self.calls += 1
            if self.calls == 1:
                await asyncio.sleep(0.3)
                return [HELD]
            return [PASSED]

    assert await _detect(Sleeper(), []) == [PASSED]  # type: ignore[arg-type]
