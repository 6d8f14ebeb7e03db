"""Write the results: JSON (everything), a markdown table, and a plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["write_all"]


def write_all(results: dict[str, Any], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "e2e.json", out_dir / "e2e.md", out_dir / "e2e.png"]
    paths[0].write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    paths[1].write_text(markdown(results), encoding="utf-8")
    plot(results, paths[2])
    return paths


def _fmt(v: Any, suffix: str = "") -> str:
    return "-" if v is None else f"{v}{suffix}"


def markdown(results: dict[str, Any]) -> str:
    meta = results["meta"]
    lines = [
        f"# End-to-end benchmark ({meta['mode']} run, {meta['started']})",
        "",
        f"Machine: {meta['cpus']} CPUs, load average before start {meta['loadavg_before']}; "
        f"workload: {meta['workload']} (mean {meta['mean_event_bytes']} B/event); "
        f"{meta['partitions']} partitions; batch size {meta['batch_size']}, "
        f"batch linger {meta.get('batch_linger_seconds')} s.",
        "",
        "## Throughput (burst of pre-generated events, as fast as the producer can send)",
        "",
        "| config | workers | events/burst | max ev/s (each burst) | per worker ev/s | "
        "peak RSS MiB/worker | worker CPU ms/event | CPU cores: workers / broker / bench / "
        "whole machine |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for cfg in results["configs"]:
        burst: dict[str, Any] = next((b for b in cfg.get("bursts", []) if b.get("best")), {})
        tries = ", ".join(str(b.get("throughput")) for b in cfg.get("bursts", []))
        cores = burst.get("cpu_cores", {})
        wcores = sum(v for k, v in cores.items() if k.startswith(cfg["name"]))
        lines.append(
            f"| {cfg['name']} | {cfg['workers']} | {burst.get('routed')} | "
            f"{_fmt(cfg.get('max_throughput'))} ({tries}) | "
            f"{_fmt(round((cfg.get('max_throughput') or 0) / cfg['workers'], 1))} | "
            f"{', '.join(str(r) for r in cfg.get('peak_rss_mib', []))} | "
            f"{_fmt(burst.get('worker_cpu_ms_per_event'))} | "
            f"{wcores:.2f} / {cores.get('broker', 0):.2f} / {cores.get('bench', 0):.2f} / "
            f"{cores.get('machine', 0):.2f} |")
    lines += [
        "",
        "## Latency inbound → approved under paced load (Kafka timestamps, ms)",
        "",
        "`processing` is the worker's `prompt_dlp_classify_duration_seconds` (batch time / batch "
        "size, mean); `→classified` is inbound CreateTime → the record's `classified_at` "
        "(queue wait + the batch's detection); `emit` is `classified_at` → approved CreateTime.",
        "",
        "| config | load | offered ev/s | p50 | p95 | p99 | max | →classified p50/p99 | "
        "emit p50/p99 | processing mean | queue_wait (worker) p50/p99 |",
        "|---|---|---:|---:|---:|---:|---:|---|---|---:|---|",
    ]
    for cfg in results["configs"]:
        for ph in cfg.get("phases", []):
            lat = ph.get("e2e_approved_ms", {})
            cls = ph.get("inbound_to_classified_ms", {})
            emit = ph.get("classified_to_approved_ms", {})
            wm = ph.get("worker_metrics", {})
            proc = wm.get("classify_duration_seconds", {})
            qw = wm.get("queue_wait_seconds", {})
            qw_txt = (f"{qw.get('p50_ms')}/{qw.get('p99_ms')}" if qw.get("count")
                      else ("not observed" if cfg["kind"] == "ours" else "n/a"))
            lines.append(
                f"| {cfg['name']} | {ph['phase']} | {_fmt(ph.get('offered_rate'))} | "
                f"{_fmt(lat.get('p50'))} | {_fmt(lat.get('p95'))} | {_fmt(lat.get('p99'))} | "
                f"{_fmt(lat.get('max'))} | {_fmt(cls.get('p50'))}/{_fmt(cls.get('p99'))} | "
                f"{_fmt(emit.get('p50'))}/{_fmt(emit.get('p99'))} | "
                f"{_fmt(proc.get('mean_ms'), ' ms')} | {qw_txt} |")
    lines += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for t in results["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else 'no'} |")
    notes = results.get("notes", [])
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_lat, ax_tp) = plt.subplots(1, 2, figsize=(13, 6.5), width_ratios=(3, 2))
    styles = {"p50": ":", "p95": "--", "p99": "-"}
    for index, cfg in enumerate(results["configs"]):
        color = f"C{index}"
        paced = [ph for ph in cfg.get("phases", []) if ph.get("e2e_approved_ms", {}).get("n")]
        for key, style in styles.items():
            xs = [ph["offered_rate"] for ph in paced]
            ys = [ph["e2e_approved_ms"][key] for ph in paced]
            ax_lat.plot(xs, ys, style, marker="o", color=color, label=f"{cfg['name']} {key}")
    ax_lat.axhline(250, color="grey", linewidth=0.8)
    ax_lat.text(0.01, 250, " 250 ms target (p99 @ 50%)", color="grey", va="bottom",
                transform=ax_lat.get_yaxis_transform())
    ax_lat.set_yscale("log")
    ax_lat.set_xlabel("offered load (events/s; 25/50/75% of each config's max "
                      "or of --reference-rate)")
    ax_lat.set_ylabel("inbound → approved latency (ms, log)")
    ax_lat.set_title("Latency percentiles vs load")
    ax_lat.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    names = [c["name"] for c in results["configs"]]
    values = [c.get("max_throughput") or 0 for c in results["configs"]]
    bars = ax_tp.bar(names, values, color=[f"C{i}" for i in range(len(names))])
    ax_tp.bar_label(bars, fmt="%.1f")
    ax_tp.axhline(100, color="grey", linewidth=0.8)
    ax_tp.text(0.01, 100, " 100 ev/s per worker target", color="grey", va="bottom",
               transform=ax_tp.get_yaxis_transform())
    ax_tp.set_ylabel("events/s")
    ax_tp.set_title("Max classify throughput")
    ax_tp.tick_params(axis="x", labelrotation=20)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
