"""``RecoveryWatch`` on faust's own ``Recovery`` object: a stalled table recovery is reported.

The recovery's state is set through its public counters (``active_highwaters``,
``active_offsets``, ``in_recovery``), as faust's changelog reader sets them.
"""

from __future__ import annotations

import faust
from faust.types import TP

from pipeline.faustcompat import RecoveryWatch

CHANGELOG = TP("app-dispatch-dedup-changelog", 0)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _recovering(highwater: int, offset: int) -> tuple[faust.App, Clock, RecoveryWatch]:
    app = faust.App("recovery-watch-test", broker="memory://")
    recovery = app.tables.recovery  # type: ignore[attr-defined]
    recovery.active_highwaters[CHANGELOG] = highwater
    recovery.active_offsets[CHANGELOG] = offset
    recovery.in_recovery = True
    clock = Clock()
    return app, clock, RecoveryWatch(app, stall_seconds=60.0, clock=clock)


def test_a_recovery_that_reads_nothing_for_the_stall_time_is_reported_once_per_stall() -> None:
    _, clock, watch = _recovering(highwater=50, offset=3)
    assert not watch.stalled()  # first look: the clock starts
    clock.now = 59.0
    assert not watch.stalled()
    clock.now = 60.0
    assert watch.stalled()
    clock.now = 61.0
    assert not watch.stalled()  # the clock restarted with the re-join
    clock.now = 120.0
    assert watch.stalled()  # still stuck after it: reported again


def test_a_recovery_that_moves_is_never_reported() -> None:
    app, clock, watch = _recovering(highwater=50, offset=3)
    recovery = app.tables.recovery  # type: ignore[attr-defined]
    for step in range(1, 40):
        clock.now = step * 30.0
        recovery.active_offsets[CHANGELOG] = 3 + step  # one record per 30 s, slow but moving
        assert not watch.stalled()


def test_no_recovery_or_a_finished_one_is_never_reported() -> None:
    app, clock, watch = _recovering(highwater=50, offset=50)  # faust: done at the highwater
    assert not watch.stalled()
    clock.now = 1000.0
    assert not watch.stalled()
    recovery = app.tables.recovery  # type: ignore[attr-defined]
    recovery.active_offsets[CHANGELOG] = 3
    recovery.in_recovery = False  # behind, but not recovering (a standby, say)
    assert not watch.stalled()
    clock.now = 2000.0
    assert not watch.stalled()
