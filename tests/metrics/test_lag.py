"""Consumer lag: end offset minus committed, per partition, from the broker."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from prometheus_client import CollectorRegistry

from pipeline.metrics.catalog import Metrics
from pipeline.metrics.lag import LagCollector, Offsets, Partition, compute_lag

P0, P1, P2 = ("t", 0), ("t", 1), ("t", 2)


@pytest.mark.parametrize(
    ("start", "end", "committed", "expected"),
    [
        ({P0: 0}, {P0: 10}, {P0: 4}, {P0: 6}),
        ({P0: 0}, {P0: 10}, {P0: 10}, {P0: 0}),
        ({P0: 3}, {P0: 10}, {}, {P0: 7}),  # nothing committed: from the log start
        ({P0: 3}, {P0: 10}, {P0: -1}, {P0: 7}),  # -1 = no committed offset
        ({P0: 0}, {P0: 5}, {P0: 9}, {P0: 0}),  # never negative
        ({P0: 0}, {}, {P0: 1}, {}),  # unknown end: skipped
    ],
)
def test_compute_lag(start: Offsets, end: Offsets, committed: Offsets, expected: Offsets) -> None:
    """Lag per partition is end minus position, position defaulting to the log start."""
    assert compute_lag([P0], start, end, committed) == expected


class FakeOffsets:
    """An OffsetSource with fixed answers; ``fail`` makes every call raise."""

    def __init__(self, end: Offsets, committed: Offsets, fail: bool = False) -> None:
        self.end, self.committed_offsets, self.fail, self.closed = end, committed, fail, False
        self.calls = 0

    async def partitions(self, topics: Sequence[str]) -> list[Partition]:
        self.calls += 1
        if self.fail:
            raise ConnectionError("broker away")
        return sorted(p for p in self.end if p[0] in topics)

    async def log_offsets(self, parts: Sequence[Partition]) -> tuple[Offsets, Offsets]:
        return {p: 0 for p in parts}, {p: self.end[p] for p in parts}

    async def committed(self, group: str) -> Offsets:
        return dict(self.committed_offsets)

    async def close(self) -> None:
        self.closed = True


async def test_collect_once_sets_a_series_per_partition() -> None:
    """Every partition gets a lag series labelled with group, topic and partition, even at 0."""
    metrics = Metrics(CollectorRegistry(), process_metrics=False)
    source = FakeOffsets({P0: 10, P1: 5, P2: 0, ("other", 0): 99}, {P0: 7})
    lag = await LagCollector(metrics, source, "grp", ["t"]).collect_once()
    assert lag == {P0: 3, P1: 5, P2: 0}
    get = metrics.registry.get_sample_value
    assert get("prompt_dlp_consumer_lag", {"group": "grp", "topic": "t", "partition": "0"}) == 3
    assert get("prompt_dlp_consumer_lag", {"group": "grp", "topic": "t", "partition": "2"}) == 0
    other = {"group": "grp", "topic": "other", "partition": "0"}
    assert get("prompt_dlp_consumer_lag", other) is None


async def test_periodic_task_counts_failures_and_keeps_going() -> None:
    """A broker outage is counted, not fatal; stop() cancels and closes the clients."""
    metrics = Metrics(CollectorRegistry(), process_metrics=False)
    source = FakeOffsets({}, {}, fail=True)
    collector = LagCollector(metrics, source, "grp", ["t"], interval=0.01)
    collector.start()
    for _ in range(100):
        await asyncio.sleep(0.01)
        if source.calls >= 3:
            break
    await collector.stop()
    assert source.calls >= 3
    errors = metrics.registry.get_sample_value("prompt_dlp_consumer_lag_errors_total")
    assert errors is not None and errors >= 3
    assert source.closed
