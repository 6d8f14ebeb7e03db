"""Added latency of the gateway path vs the mock LLM direct, and vs a LiteLLM proxy, same run.

    .venv/bin/python -m bench.gateway.run [--port 19660] [--rates 10,25,50,75] [--seconds 20]
        [--litellm /tmp/litellm-venv/bin/litellm] [--out bench/results]

Starts a local broker, the mock LLM (20 ms), one ``worker --role all``, one
``gateway`` and (if the binary exists) ``litellm --config`` proxying the same
mock. For each rate, each target gets an open-loop schedule (request i at
t0 + i/rate, so a slow target queues instead of slowing the load) of plain
requests; then streaming requests at the lowest rate for time to first chunk.
Added latency = target percentile - direct percentile; the gateway also reports
per request its own upstream time (``x-prompt-dlp-upstream-ms``), so
``gateway - upstream`` is the per-request added latency, queue wait included.
LiteLLM is installed in its own venv (never in the project's): see README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.harness.broker import LocalBroker
from bench.harness.gateway_stack import Proc, Stack
from bench.harness.stats import percentiles
from bench.harness.support import free_port
from pipeline.crypto import KeyRing

REPO = Path(__file__).resolve().parents[2]
MODEL = "gpt-4o-mini"


def _body(i: int, stream: bool = False) -> dict[str, Any]:
    return {"model": MODEL, "stream": stream,
            "messages": [{"role": "user", "content": f"Summarise the plan for week {i}."}]}


async def _one(session: aiohttp.ClientSession, url: str, key: str, i: int) -> dict[str, Any]:
    started = time.perf_counter()
    async with session.post(url, json=_body(i), headers={"Authorization": f"Bearer {key}"}) as r:
        await r.read()
        upstream = r.headers.get("x-prompt-dlp-upstream-ms")
        return {"ms": 1000 * (time.perf_counter() - started), "status": r.status,
                "upstream_ms": float(upstream) if upstream else None,
                "id": r.headers.get("x-request-id"), "sent_at": time.time() - (
                    time.perf_counter() - started)}


async def _first_chunk(
    session: aiohttp.ClientSession, url: str, key: str, i: int
) -> dict[str, Any]:
    started = time.perf_counter()
    first: float | None = None
    async with session.post(
        url, json=_body(i, stream=True), headers={"Authorization": f"Bearer {key}"}
    ) as r:
        async for line in r.content:
            if first is None and line.startswith(b"data: ") and b"[DONE]" not in line:
                first = 1000 * (time.perf_counter() - started)
        total = 1000 * (time.perf_counter() - started)
        return {"ms": first if first is not None else total, "total_ms": total,
                "status": r.status if first is not None else -1}


async def _phase(url: str, key: str, rate: float, seconds: float, stream: bool = False,
                 offset: int = 0) -> list[dict[str, Any]]:
    """Open loop: request i is sent at t0 + i/rate whatever the earlier ones are doing."""
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        count = int(rate * seconds)
        t0 = time.perf_counter() + 0.05
        tasks = []
        for i in range(count):
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            call = _first_chunk if stream else _one
            tasks.append(asyncio.create_task(call(session, url, key, offset + i)))
        return list(await asyncio.gather(*tasks, return_exceptions=False))


def _summary(results: list[dict[str, Any]], direct: dict[str, Any] | None) -> dict[str, Any]:
    ok = [r for r in results if r["status"] == 200]
    out: dict[str, Any] = {"sent": len(results), "ok": len(ok)}
    out |= percentiles([r["ms"] for r in ok])
    own = [r["ms"] - r["upstream_ms"] for r in ok if r.get("upstream_ms") is not None]
    if own:
        out["own_added"] = percentiles(own)
    if direct is not None and out.get("p50") is not None:
        out["added_p50"] = round(out["p50"] - direct["p50"], 1)
        out["added_p99"] = round(out["p99"] - direct["p99"], 1)
    return out


async def _stage_times(bootstrap: str, stack: Stack) -> dict[str, tuple[int, ...]]:
    """Broker timestamps (ms) per id: inbound, approved, response, and the LLM call time."""
    from aiokafka import AIOKafkaConsumer

    topics = {stack.topics.inbound: 0, stack.topics.approved: 1, stack.topics.responses: 2}
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap,
                                auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    seen: dict[str, list[int]] = {}
    try:
        idle = 0
        while idle < 3:
            batches = await consumer.getmany(timeout_ms=500)
            idle = 0 if batches else idle + 1
            for tp, messages in batches.items():
                for m in messages:
                    record = json.loads(m.value)
                    row = seen.setdefault(record["id"], [0, 0, 0, 0])
                    row[topics[tp.topic]] = m.timestamp
                    if topics[tp.topic] == 2:
                        row[3] = round(1000 * float(record.get("latency_seconds") or 0))
    finally:
        await consumer.stop()
    return {k: tuple(v) for k, v in seen.items() if all(v[:3])}


def _breakdown(raw: list[dict[str, Any]], stages: dict[str, tuple[int, ...]]) -> dict[str, Any]:
    """Where a gateway request's time goes, from broker timestamps (ms, same clock)."""
    parts: dict[str, list[float]] = {"to_inbound": [], "classify": [], "dispatch_overhead": [],
                                     "llm": [], "reply_to_caller": []}
    for r in raw:
        st = stages.get(r.get("id") or "")
        if st is None or r["status"] != 200:
            continue
        inbound, approved, response, llm = st
        sent = 1000 * r["sent_at"]
        parts["to_inbound"].append(inbound - sent)
        parts["classify"].append(approved - inbound)
        parts["dispatch_overhead"].append(response - approved - llm)
        parts["llm"].append(llm)
        parts["reply_to_caller"].append(sent + r["ms"] - response)
    return {k: percentiles(v) for k, v in parts.items()}


def _litellm(binary: Path, mock_url: str, run_dir: Path) -> tuple[Proc, str] | None:
    if not binary.exists():
        return None
    config = run_dir / "litellm.yaml"
    config.write_text(json.dumps({
        "model_list": [{"model_name": MODEL, "litellm_params": {
            "model": f"openai/{MODEL}", "api_base": f"{mock_url}/v1", "api_key": "mock"}}],
        "litellm_settings": {"telemetry": False, "drop_params": True},
    }))
    port = free_port()
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_TELEMETRY": "False",
           "DISABLE_SCHEMA_UPDATE": "true"}
    proc = Proc("litellm", [str(binary), "--config", str(config), "--host", "127.0.0.1",
                            "--port", str(port), "--num_workers", "1"], env, run_dir)
    url = f"http://127.0.0.1:{port}"
    proc.wait_http(url + "/health/liveliness", 180)
    return proc, url


def _version(binary: Path) -> str:
    try:
        done = subprocess.run([str(binary), "--version"], capture_output=True, text=True,
                              timeout=120, check=False)
        return (done.stdout + done.stderr).strip().splitlines()[-1]
    except (OSError, IndexError):
        return "unknown"


async def _measure(targets: dict[str, tuple[str, str]], rates: list[float],
                   seconds: float, stack: Stack) -> dict[str, Any]:
    results: dict[str, Any] = {"plain": {}, "stream": {}, "breakdown": {}}
    gateway_raw: dict[str, list[dict[str, Any]]] = {}
    for url, key in targets.values():  # warm-up: connections, JIT-ish caches, spaCy
        await _phase(url, key, 20, 2)
    offset = 0
    for rate in rates:
        row: dict[str, Any] = {}
        for name, (url, key) in targets.items():
            raw = await _phase(url, key, rate, seconds, offset=offset)
            offset += len(raw)
            row[name] = _summary(raw, row.get("direct"))
            if name == "gateway":
                gateway_raw[str(rate)] = raw
            print(f"rate {rate:g}/s {name}: {row[name]}", flush=True)
        results["plain"][str(rate)] = row
    for name, (url, key) in targets.items():
        raw = await _phase(url, key, rates[0], seconds, stream=True, offset=offset)
        offset += len(raw)
        results["stream"][name] = _summary(raw, None)
        print(f"stream {name}: {results['stream'][name]}", flush=True)
    stages = await _stage_times(stack.bootstrap, stack)
    for rate_label, raw in gateway_raw.items():
        results["breakdown"][rate_label] = _breakdown(raw, stages)
    return results


def _markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Gateway benchmark: added latency vs the mock LLM direct, and vs LiteLLM proxy",
        "",
        f"Run {report['started']} on {report['machine']} (load average at start "
        f"{report['loadavg_start']}, at end {report['loadavg_end']}; the 2 cores are shared "
        "with other sessions, so treat differences under ~10 ms as noise).",
        f"Mock LLM latency {report['mock_latency_ms']} ms; one `worker --role all`, one "
        f"gateway, LiteLLM {report['litellm_version']} in its own venv; {report['seconds']} s "
        "per target per rate, open loop. Latencies in ms.",
        "",
        "| rate/s | target | ok/sent | p50 | p99 | added p50 | added p99 | own added p50/p99 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rate, row in report["results"]["plain"].items():
        for name, s in row.items():
            own = s.get("own_added")
            own_txt = f"{own['p50']} / {own['p99']}" if own else ""
            lines.append(
                f"| {rate} | {name} | {s['ok']}/{s['sent']} | {s.get('p50')} | {s.get('p99')} | "
                f"{s.get('added_p50', '')} | {s.get('added_p99', '')} | {own_txt} |"
            )
    lines += ["", "Time to first streamed chunk (stream=true, lowest rate):", "",
              "| target | ok/sent | first chunk p50 | p99 |", "|---|---|---|---|"]
    for name, s in report["results"]["stream"].items():
        lines.append(f"| {name} | {s['ok']}/{s['sent']} | {s.get('p50')} | {s.get('p99')} |")
    lines += ["", "Where a gateway request's time goes (broker timestamps; p50 / p99 ms):", "",
              "| rate/s | HTTP→inbound acked | classify | dispatch overhead | LLM call | "
              "response→caller |", "|---|---|---|---|---|---|"]
    for rate, b in report["results"]["breakdown"].items():
        cells = [f"{b[k]['p50']} / {b[k]['p99']}" for k in
                 ("to_inbound", "classify", "dispatch_overhead", "llm", "reply_to_caller")]
        lines.append(f"| {rate} | " + " | ".join(cells) + " |")
    lines += ["", "`own added` is per request: gateway time minus the LLM call time dispatch "
              "measured (header `x-prompt-dlp-upstream-ms`), i.e. gateway + bus + classify + "
              "dispatch overhead including queue wait. `added` is the percentile difference "
              "against direct calls in the same run.", ""]
    return "\n".join(lines)


def _loadavg() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=19660)
    parser.add_argument("--rates", default="10,25,50,75")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--mock-latency-ms", type=float, default=20)
    parser.add_argument("--litellm", type=Path, default=Path("/tmp/litellm-venv/bin/litellm"))
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    run_dir = Path(tempfile.mkdtemp(prefix="gw-bench-"))
    report: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "loadavg_start": _loadavg(),
        "mock_latency_ms": args.mock_latency_ms, "seconds": args.seconds,
        "litellm_version": _version(args.litellm) if args.litellm.exists() else "not run",
    }
    broker = LocalBroker(args.port, run_dir / "kafka")
    broker.start()
    litellm: tuple[Proc, str] | None = None
    try:
        with Stack(broker.bootstrap, KeyRing.generate_spec("b1"), run_dir,
                   mock_latency_ms=args.mock_latency_ms) as stack:
            stack.start(workers=1, gateways=1)
            key = stack.callers[0].key
            targets = {
                "direct": (f"{stack.mock_url}/v1/chat/completions", "mock"),
                "gateway": (f"{stack.url}/v1/chat/completions", key),
            }
            litellm = _litellm(args.litellm, stack.mock_url, run_dir)
            if litellm is not None:
                targets["litellm"] = (f"{litellm[1]}/v1/chat/completions", "mock")
            report["results"] = asyncio.run(_measure(targets, rates, args.seconds, stack))
    finally:
        if litellm is not None:
            litellm[0].stop()
        broker.stop()
    report["loadavg_end"] = _loadavg()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gateway.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "gateway.md").write_text(_markdown(report))
    print(_markdown(report))


if __name__ == "__main__":
    main()
