"""Worker processes under test: start, wait until ready, sample /proc, scrape /metrics, stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

__all__ = ["Histogram", "WorkerProc", "cpu_seconds", "machine_busy_seconds", "peak_rss_bytes",
           "scrape"]

REPO = Path(__file__).resolve().parents[2]
_CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class WorkerProc:
    """One worker subprocess; ``metrics_port`` is None for the vanilla worker (no exposition)."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    metrics_port: int | None = None
    cwd: Path = REPO
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    peak_rss: int | None = field(default=None)

    def start(self) -> None:
        log = self.log_path.open("wb")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(self.argv, env=self.env, cwd=self.cwd, stdout=log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def ready(self) -> bool:
        """Ours: /readyz (producer connected and partitions assigned). Vanilla: process alive."""
        if not self.alive():
            tail = self.log_path.read_text(errors="replace").strip().splitlines()[-5:]
            raise RuntimeError(f"{self.name} exited early: " + " | ".join(tail))
        if self.metrics_port is None:
            return True
        try:
            url = f"http://127.0.0.1:{self.metrics_port}/readyz"
            with urllib.request.urlopen(url, timeout=1) as resp:
                return bool(resp.status == 200)
        except OSError:
            return False

    def sample(self) -> None:
        """Remember peak RSS while the process is alive (VmHWM is lost once it exits)."""
        if self.alive():
            self.peak_rss = peak_rss_bytes(self.pid) or self.peak_rss

    def stop(self, timeout: float = 30.0) -> None:
        if self.proc is None:
            return
        self.sample()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def python_argv(*args: str) -> list[str]:
    return [sys.executable, *args]


def peak_rss_bytes(pid: int) -> int | None:
    """VmHWM (peak resident set) from /proc/<pid>/status, in bytes."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User+system CPU time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK


def machine_busy_seconds() -> float:
    """CPU seconds spent not idle, summed over all cores, since boot (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / _CLK_TCK


@dataclass
class Histogram:
    """A Prometheus histogram's cumulative buckets, count and sum (summed over processes)."""

    buckets: dict[float, float] = field(default_factory=dict)
    count: float = 0.0
    total: float = 0.0

    def __sub__(self, other: Histogram) -> Histogram:
        return Histogram({le: v - other.buckets.get(le, 0.0) for le, v in self.buckets.items()},
                         self.count - other.count, self.total - other.total)

    def __add__(self, other: Histogram) -> Histogram:
        keys = set(self.buckets) | set(other.buckets)
        return Histogram({le: self.buckets.get(le, 0.0) + other.buckets.get(le, 0.0)
                          for le in keys}, self.count + other.count, self.total + other.total)

    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    def quantile(self, q: float) -> float | None:
        """Linear interpolation inside the bucket, as PromQL's histogram_quantile does."""
        if not self.count:
            return None
        rank = q * self.count
        prev_le, prev_count = 0.0, 0.0
        for le in sorted(self.buckets):
            count = self.buckets[le]
            if count >= rank:
                if le == float("inf"):
                    return prev_le
                span = count - prev_count
                return prev_le + (le - prev_le) * ((rank - prev_count) / span if span else 1.0)
            prev_le, prev_count = le, count
        return prev_le


def scrape(port: int, names: Mapping[str, Mapping[str, str]]) -> dict[str, Histogram]:
    """The histograms ``names`` (name → required labels) from a worker's /metrics."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        text = resp.read().decode()
    out = {name: Histogram() for name in names}
    for family in text_string_to_metric_families(text):
        if family.name not in names:
            continue
        want = names[family.name]
        hist = out[family.name]
        for s in family.samples:
            if any(s.labels.get(k) != v for k, v in want.items()):
                continue
            if s.name.endswith("_bucket"):
                hist.buckets[float(s.labels["le"])] = s.value
            elif s.name.endswith("_count"):
                hist.count = s.value
            elif s.name.endswith("_sum"):
                hist.total = s.value
    return out
