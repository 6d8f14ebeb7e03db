"""Summaries of one load phase: throughput, latency percentiles, worker histograms, CPU."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bench.harness.kafka_load import Output
from bench.harness.procs import Histogram

__all__ = ["hist_summary", "percentiles", "phase_summary"]

QUANTILES = (0.5, 0.95, 0.99)


def _q(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolated quantile of already sorted values."""
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def percentiles(values_ms: Sequence[float]) -> dict[str, float | int | None]:
    if not values_ms:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None, "mean": None}
    s = sorted(values_ms)
    out: dict[str, float | int | None] = {"n": len(s)}
    for q in QUANTILES:
        out[f"p{round(q * 100)}"] = round(_q(s, q), 1)
    out["max"] = round(s[-1], 1)
    out["mean"] = round(sum(s) / len(s), 1)
    return out


def hist_summary(hist: Histogram) -> dict[str, float | None]:
    """Count, mean and interpolated p50/p95/p99 of a histogram delta, in milliseconds."""
    def ms(v: float | None) -> float | None:
        return None if v is None else round(1000 * v, 2)

    out: dict[str, float | None] = {"count": hist.count, "mean_ms": ms(hist.mean())}
    for q in QUANTILES:
        out[f"p{round(q * 100)}_ms"] = ms(hist.quantile(q))
    return out


def phase_summary(
    sent_ms: Mapping[str, int],
    outputs: Mapping[str, Output],
    ids: Sequence[str],
    approved_topic: str,
) -> dict[str, Any]:
    """Throughput and latencies for the events ``ids`` of one phase."""
    done = [i for i in ids if i in outputs and i in sent_ms]
    by_topic: dict[str, int] = {}
    for i in done:
        by_topic[outputs[i].topic] = by_topic.get(outputs[i].topic, 0) + 1
    out: dict[str, Any] = {"events": len(ids), "routed": len(done),
                           "missing": len(ids) - len(done), "by_topic": by_topic}
    if not done:
        return out
    first_in = min(sent_ms[i] for i in done)
    last_in = max(sent_ms[i] for i in done)
    last_out = max(outputs[i].timestamp_ms for i in done)
    span = max(1, last_out - first_in) / 1000
    out["offered_rate"] = round(len(done) / max(0.001, (last_in - first_in) / 1000), 1)
    out["throughput"] = round(len(done) / span, 1)
    out["wall_seconds"] = round(span, 2)
    approved = [i for i in done if outputs[i].topic == approved_topic]
    out["e2e_approved_ms"] = percentiles([outputs[i].timestamp_ms - sent_ms[i] for i in approved])
    out["e2e_all_ms"] = percentiles([outputs[i].timestamp_ms - sent_ms[i] for i in done])
    classified = [i for i in approved if outputs[i].classified_ms is not None]
    if classified:
        out["inbound_to_classified_ms"] = percentiles(
            [float(outputs[i].classified_ms or 0) - sent_ms[i] for i in classified])
        out["classified_to_approved_ms"] = percentiles(
            [outputs[i].timestamp_ms - float(outputs[i].classified_ms or 0) for i in classified])
    return out
