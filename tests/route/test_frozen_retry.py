"""A batch that timed out while the worker was frozen is detected again; a real overrun is not."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from pipeline.errors import DetectionFailure
from pipeline.route.agent import _detect
from pipeline.route.classify import Routed

HELD = Routed("quarantine", (), reason=DetectionFailure.TIMEOUT)
PASSED = Routed("approved", ())


class Runner:
    """Times out on the first call, by sleeping (frozen: no CPU) or by spinning (a real overrun)."""

    def __init__(self, spin: bool) -> None:
        self.spin = spin
        self.calls = 0

    async def run(self, batch: Any) -> list[Routed]:
        self.calls += 1
        if self.calls > 1:
            return [PASSED]
        if self.spin:
            end = time.process_time() + 0.3
            while time.process_time() < end:
                pass
        else:
            await asyncio.sleep(0.3)
        return [HELD]


async def test_a_timeout_without_cpu_is_detected_again() -> None:
    runner = Runner(spin=False)
    assert await _detect(runner, []) == [PASSED]  # type: ignore[arg-type]
    assert runner.calls == 2


async def test_a_timeout_that_burned_its_budget_stands() -> None:
    runner = Runner(spin=True)
    assert await _detect(runner, []) == [HELD]  # type: ignore[arg-type]
    assert runner.calls == 1
