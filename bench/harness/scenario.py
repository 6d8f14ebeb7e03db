"""One benchmark configuration: start N workers, warm up, burst to find the max, then paced loads.

Each configuration gets fresh topics and a fresh consumer group, so nothing carries over.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import procs
from bench.harness.kafka_load import Collector, Producer, create_topics
from bench.harness.stats import hist_summary, phase_summary
from bench.harness.workload import Workload

__all__ = ["Config", "Plan", "run_config"]

PARTITIONS = 4
WARMUP_EVENTS = 4 * PARTITIONS
_HISTOGRAMS = {
    "prompt_dlp_classify_duration_seconds": {},
    "prompt_dlp_queue_wait_seconds": {"stage": "classify"},
    "prompt_dlp_end_to_end_latency_seconds": {"stage": "classify"},
}


@dataclass(frozen=True)
class Config:
    """What to run: ``kind`` is ``ours`` or ``vanilla``; ``env`` adds PROMPT_DLP_* settings."""

    name: str
    kind: str
    workers: int
    env: dict[str, str] = field(default_factory=dict)
    code: Path | None = None  # run ``pipeline`` from this checkout (a baseline commit)


@dataclass(frozen=True)
class Plan:
    """How much load: burst size per worker and repeats (the best burst is the max, since
    interference from other processes only ever slows a burst), seconds per phase, rates."""

    burst_events: int
    phase_seconds: float
    fractions: tuple[float, ...]
    min_phase_events: int = 40
    burst_reps: int = 1


def _topics(tag: str) -> dict[str, str]:
    from pipeline.config import TopicNames

    return {k: f"{tag}.{v}" for k, v in TopicNames().model_dump().items()}


def _workers(cfg: Config, topics: dict[str, str], bootstrap: str, tag: str, run_dir: Path,
             metrics_base: int, vault_keys: str) -> list[procs.WorkerProc]:
    out = []
    for i in range(cfg.workers):
        log = run_dir / f"{cfg.name}-{i}.log"
        if cfg.kind == "vanilla":
            argv = procs.python_argv("-m", "bench.vanilla_worker", "--broker", bootstrap,
                                     "--inbound", topics["inbound"], "--approved",
                                     topics["approved"], "--group", f"bench-{tag}",
                                     "--partitions", str(PARTITIONS))
            out.append(procs.WorkerProc(f"{cfg.name}-{i}", argv, dict(os.environ), log))
            continue
        data_dir = run_dir / f"{cfg.name}-{i}"
        data_dir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPT_DLP_")}
        env |= {f"PROMPT_DLP_TOPICS__{k.upper()}": v for k, v in topics.items()}
        env |= {
            "PROMPT_DLP_BROKER": f"kafka://{bootstrap}",
            "PROMPT_DLP_APP_ID": f"bench-{tag}",
            "PROMPT_DLP_DATA_DIR": str(data_dir),
            "PROMPT_DLP_VAULT_KEYS": vault_keys,
            "PROMPT_DLP_METRICS_PORT": str(metrics_base + i),
            "PROMPT_DLP_PARTITIONS": str(PARTITIONS),
            "PROMPT_DLP_LOG_LEVEL": "WARNING",
            **{k: v for k, v in os.environ.items() if k in ("PROMPT_DLP_BATCH_SIZE",
                                                             "PROMPT_DLP_BATCH_LINGER_SECONDS")},
            **cfg.env,
        }
        if cfg.code is not None:  # the same venv, another commit's code first on the path
            env["PYTHONPATH"] = str(cfg.code)
        argv = procs.python_argv("-m", "pipeline", "worker", "--role", "classify")
        out.append(procs.WorkerProc(f"{cfg.name}-{i}", argv, env, log, metrics_base + i,
                                    cwd=cfg.code or procs.REPO))
    return out


def _scrape(workers: list[procs.WorkerProc]) -> dict[str, procs.Histogram]:
    total = {name: procs.Histogram() for name in _HISTOGRAMS}
    for w in workers:
        if w.metrics_port is None:
            continue
        for name, hist in procs.scrape(w.metrics_port, _HISTOGRAMS).items():
            total[name] = total[name] + hist
    return total


def _cpu(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds per process so far, plus ``machine`` (all processes, all cores)."""
    out = {name: procs.cpu_seconds(pid) or 0.0 for name, pid in pids.items()}
    return out | {"machine": procs.machine_busy_seconds()}


async def run_config(cfg: Config, plan: Plan, workload: Workload, bootstrap: str,
                     broker_pid: int | None, run_dir: Path, metrics_base: int,
                     max_rate_hint: float | None = None,
                     reference_rate: float | None = None) -> dict[str, Any]:
    """Run one configuration; paced rates are fractions of ``reference_rate`` if given, else
    of this configuration's own measured max (so sweeps compare at the same offered load)."""
    from pipeline.crypto import KeyRing

    tag = f"b{uuid.uuid4().hex[:6]}.{cfg.name}"
    topics = _topics(tag)
    await create_topics(bootstrap, topics.values(), PARTITIONS)
    workers = _workers(cfg, topics, bootstrap, tag, run_dir, metrics_base,
                       KeyRing.generate_spec("bench"))
    outputs = [topics["approved"]] + ([topics["quarantine"], topics["dlq"]]
                                      if cfg.kind == "ours" else [])
    collector = Collector(bootstrap, outputs)
    producer = Producer(bootstrap, topics["inbound"])
    result: dict[str, Any] = {"name": cfg.name, "kind": cfg.kind, "workers": cfg.workers,
                              "env": cfg.env, "bursts": [], "phases": []}
    try:
        for w in workers:
            w.start()
        await _wait_ready(workers, timeout=240)
        ready_at = time.monotonic() - workers[0].started_at
        # /readyz exists only on ours; vanilla's start-up shows in ``warm_seconds`` alone.
        result["ready_seconds"] = round(ready_at, 1) if workers[0].metrics_port else None
        await collector.start()
        await producer.start()
        warm = list(workload.events(f"{tag}-warm", WARMUP_EVENTS))
        await producer.burst(warm)
        if not await collector.wait_for([i for i, _ in warm], timeout=180):
            raise RuntimeError(f"{cfg.name}: warm-up events never came out")
        result["warm_seconds"] = round(time.monotonic() - workers[0].started_at, 1)
        pids = {w.name: w.pid for w in workers} | {"bench": os.getpid()}
        if broker_pid is not None:
            pids["broker"] = broker_pid
        for w in workers:
            w.sample()
        result["rss_after_warmup_mib"] = [round((w.peak_rss or 0) / 2**20) for w in workers]

        async def phase(label: str, events: list[tuple[str, bytes]], rate: float | None,
                        fraction: float | None) -> dict[str, Any]:
            before, cpu0, t0 = _scrape(workers), _cpu(pids), time.monotonic()
            if rate is None:
                await producer.burst(events)
            else:
                await producer.paced(events, rate)
            budget = 60 + len(events) / max(1.0, (max_rate_hint or 5.0) / 4)
            await collector.wait_for([i for i, _ in events], timeout=budget)
            wall, cpu1, after = time.monotonic() - t0, _cpu(pids), _scrape(workers)
            for w in workers:
                w.sample()
            summary = phase_summary(producer.sent_ms, collector.outputs,
                                    [i for i, _ in events], topics["approved"])
            summary |= {"phase": label, "fraction_of_max": fraction,
                        "target_rate": None if rate is None else round(rate, 1),
                        "cpu_cores": {k: round((cpu1[k] - cpu0[k]) / wall, 2) for k in cpu1},
                        "worker_cpu_ms_per_event": round(1000 * sum(
                            cpu1[w.name] - cpu0[w.name] for w in workers) / len(events), 2),
                        "loadavg_1m_after": round(os.getloadavg()[0], 2),
                        "worker_metrics": {k.removeprefix("prompt_dlp_"):
                                           hist_summary(v - before[k]) for k, v in after.items()}}
            print(f"  [{cfg.name}] {label}: {_brief(summary)}", flush=True)
            return summary

        for rep in range(plan.burst_reps):
            # N per worker: every configuration's burst lasts about as long, so the fixed
            # ramp-up and drain of a burst weigh the same in each max.
            count = plan.burst_events * cfg.workers
            events = list(workload.events(f"{tag}-max{rep}", count))
            result["bursts"].append(await phase(f"max#{rep + 1}", events, None, None))
        best = max(result["bursts"], key=lambda b: float(b.get("throughput") or 0.0))
        best["best"] = True
        max_rate = float(best.get("throughput") or 1.0)
        max_rate_hint = max_rate
        result["max_throughput"] = max_rate
        result["rates_relative_to"] = reference_rate or max_rate
        for fraction in plan.fractions:
            rate = fraction * (reference_rate or max_rate)
            count = max(plan.min_phase_events, round(rate * plan.phase_seconds))
            events = list(workload.events(f"{tag}-r{round(fraction * 100)}", count))
            result["phases"].append(await phase(f"{round(fraction * 100)}%", events, rate,
                                                fraction))
    finally:
        await producer.stop()
        await collector.stop()
        for w in workers:
            w.stop()
    result["peak_rss_mib"] = [round((w.peak_rss or 0) / 2**20) for w in workers]
    return result


async def _wait_ready(workers: list[procs.WorkerProc], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(w.ready() for w in workers):
            return
        await asyncio.sleep(0.5)
    raise RuntimeError(f"workers not ready within {timeout:.0f}s")


def _brief(s: dict[str, Any]) -> str:
    lat = s.get("e2e_approved_ms") or {}
    return (f"{s.get('routed')}/{s.get('events')} routed, {s.get('throughput')} ev/s, "
            f"approved p50/p95/p99 = {lat.get('p50')}/{lat.get('p95')}/{lat.get('p99')} ms")
