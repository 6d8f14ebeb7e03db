"""The answer guard scans again when its timeout came from a frozen worker, not an overrun."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import pytest

from pipeline.config import Settings
from pipeline.crypto import KeyRing
from pipeline.decide.build import load_policy
from pipeline.detect.errors import DetectionTimeout
from pipeline.detect.starvation import starved
from pipeline.dispatch.request import parse_approved
from pipeline.events import Finding, Message
from pipeline.wiring import PolicyResponseGuard
from tests.dispatch.support import approved_event


class _Clocks:
    """Wall and CPU clocks the engine's first scan moves: 10 s of wall time, ``cpu`` s of CPU."""

    def __init__(self, cpu: float) -> None:
        self.wall = self.used = 0.0
        self.cpu = cpu

    def spend(self) -> None:
        self.wall += 10.0
        self.used += self.cpu


class _Engine:
    """A detection engine whose first scan times out, having spent what ``clocks`` says."""

    def __init__(self, clocks: _Clocks) -> None:
        self.clocks, self.calls = clocks, 0
        self.policy = load_policy(Settings().policy_file)  # the shipped policy, as the engine's

    def detect(self, messages: Sequence[Message]) -> list[Finding]:
        self.calls += 1
        if self.calls == 1:
            self.clocks.spend()
            raise DetectionTimeout("detection time budget exceeded")
        return []


def _session(engine: _Engine) -> Any:
    settings = Settings(vault_keys=KeyRing.generate_spec("k"))
    clocks = engine.clocks
    guard = PolicyResponseGuard(settings, engine, (lambda: clocks.wall, lambda: clocks.used))  # type: ignore[arg-type]
    request, problem = parse_approved(json.dumps(approved_event("p1")).encode())
    assert request is not None, problem
    return guard.session(request)


def test_frozen_scan_runs_again() -> None:
    engine = _Engine(_Clocks(cpu=0.0))  # a SIGSTOPped worker wakes with no CPU spent
    assert asyncio.run(_session(engine).detect(["Here is your summary."])) == [[]]
    assert engine.calls == 2


def test_real_overrun_fails_closed() -> None:
    engine = _Engine(_Clocks(cpu=9.0))  # a real overrun burns its whole budget
    with pytest.raises(DetectionTimeout):
        asyncio.run(_session(engine).detect(["Here is your summary."]))
    assert engine.calls == 1


def test_starved_compares_cpu_with_wall_time() -> None:
    assert starved(0.0, 0.0, wall_clock=lambda: 10.0, cpu_clock=lambda: 1.0)
    assert not starved(0.0, 0.0, wall_clock=lambda: 10.0, cpu_clock=lambda: 9.0)
