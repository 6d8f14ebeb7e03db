"""Time to first chunk of a streamed answer, through the dispatch worker vs straight from the LLM.

    .venv/bin/python -m bench.stream_ttfc [--port 19820] [--prompts 30] [--latency-ms 200]
        [--chunk-ms 15] [--holdback 48 0] [--out bench/results]

Starts its own broker (``--port``..+3), the mock LLM (``--port`` + 4) with a model
latency of ``--latency-ms`` to the first token and ``--chunk-ms`` between chunks, and
one ``worker --role dispatch`` per hold-back setting (the real policy guard). For each
setting it sends ``--prompts`` approved v2 ``stream: true`` requests one at a time
and records, from the moment the approved record was acknowledged by the broker:
the first record on prompts.responses.stream (the role chunk), the first chunk with
content, and the final chunk. The baseline is the same requests streamed straight
from the mock with the openai SDK. Writes ``stream_ttfc.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson

from pipeline.crypto import KeyRing

_TEXT = ("[[echo]] Dear <PERSON_1>, thanks for the report on the quarterly plan. The owners and "
         "dates in the risks section are now clearer, and the budget impact fits in one table. "
         "We will review it again next week with the whole team before the steering meeting.")


def _request(n: int) -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "stream": True,
            "messages": [{"role": "user", "content": f"{_TEXT} (#{n})"}]}


def _pct(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    def q(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)
    return {"p50": round(statistics.median(ordered), 1), "p95": q(0.95), "max": q(1.0),
            "n": len(ordered)}


async def _direct(url: str, prompts: int) -> dict[str, Any]:
    import openai

    client = openai.AsyncOpenAI(api_key="k", base_url=url, max_retries=0)
    first, content, final = [], [], []
    try:
        for n in range(prompts):
            t0 = time.perf_counter()
            stream = await client.chat.completions.create(**_request(n))
            got_first = got_content = None
            async for chunk in stream:
                now = (time.perf_counter() - t0) * 1000
                got_first = got_first or now
                if got_content is None and chunk.choices and chunk.choices[0].delta.content:
                    got_content = now
            first.append(got_first or 0.0)
            content.append(got_content or 0.0)
            final.append((time.perf_counter() - t0) * 1000)
    finally:
        await client.close()
    return {"first_chunk_ms": _pct(first), "first_content_ms": _pct(content),
            "final_chunk_ms": _pct(final)}


async def _through(bootstrap: str, topics: Any, prompts: int) -> dict[str, Any]:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

    from bench.harness.dispatch_stack import approved_v2_event

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    consumer = AIOKafkaConsumer(topics.responses_stream, bootstrap_servers=bootstrap,
                                auto_offset_reset="latest", group_id=None)
    await producer.start()
    await consumer.start()
    first, content, final = [], [], []
    try:
        await consumer.seek_to_end()
        for n in range(prompts + 3):  # three warm-up prompts, not counted
            pid = f"ttfc-{uuid.uuid4().hex[:8]}"
            event = approved_v2_event(pid, _request(n))
            await producer.send_and_wait(topics.approved, orjson.dumps(event), key=pid.encode())
            t0 = time.perf_counter()
            got_first = got_content = None
            while True:
                batch = await consumer.getmany(timeout_ms=30_000)
                if not batch:
                    raise RuntimeError("no stream chunk within 30 s")
                now = (time.perf_counter() - t0) * 1000
                records = [orjson.loads(m.value) for ms in batch.values() for m in ms]
                mine = [r for r in records if r["id"] == pid]
                if mine and got_first is None:
                    got_first = now
                if got_content is None and any(
                    c["delta"].get("content") for r in mine if r["chunk"]
                    for c in r["chunk"]["choices"]
                ):
                    got_content = now
                if any(r["final"] for r in mine):
                    break
            if n >= 3:
                first.append(got_first or now)
                content.append(got_content or now)
                final.append(now)
    finally:
        await consumer.stop()
        await producer.stop()
    return {"first_chunk_ms": _pct(first), "first_content_ms": _pct(content),
            "final_chunk_ms": _pct(final)}


def main() -> None:
    from bench.harness import dispatch_stack as support
    from bench.harness.broker import LocalBroker

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=19820)
    parser.add_argument("--prompts", type=int, default=30)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--chunk-ms", type=float, default=15.0)
    parser.add_argument("--holdback", type=int, nargs="+", default=[48, 0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()

    support.BROKER_PORT = args.port  # the helpers address the broker through this
    bootstrap = f"127.0.0.1:{args.port}"
    tmp = Path(tempfile.mkdtemp(prefix="ttfc-"))
    broker = LocalBroker(args.port, tmp / "kafka")
    broker.start()
    mock = support.MockLLM(args.port + 4, tmp / "mock.log", latency_ms=args.latency_ms,
                           chunk_ms=args.chunk_ms)
    results: dict[str, Any] = {
        "prompts": args.prompts, "mock_latency_ms": args.latency_ms,
        "mock_chunk_ms": args.chunk_ms, "answer_chars": len(_TEXT) - len("[[echo]] ") + 6,
    }
    try:
        results["direct"] = asyncio.run(_direct(f"{mock.url}/v1", args.prompts))
        print("direct", results["direct"], flush=True)
        for holdback in args.holdback:
            topics = support.unique_topics()
            support.create_topics(topics)
            dispatch = {"destinations": {"default": {"base_url": f"{mock.url}/v1"}},
                        "stream_holdback_chars": holdback, "batch_wait_seconds": 0.005}
            env = support.worker_env(f"ttfc-{uuid.uuid4().hex[:6]}", tmp, topics, dispatch,
                                     KeyRing.generate_spec("b1"))
            env["PROMPT_DLP_LOG_LEVEL"] = "WARNING"
            proc = support.start_worker(env, tmp / f"worker-{holdback}.log")
            try:
                run = asyncio.run(_through(bootstrap, topics, args.prompts))
            finally:
                support.stop_process(proc)
            results[f"pipeline_holdback_{holdback}"] = run
            print(f"holdback {holdback}", run, flush=True)
    finally:
        mock.stop()
        broker.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "stream_ttfc.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "stream_ttfc.md").write_text(_markdown(results))


def _markdown(r: dict[str, Any]) -> str:
    lines = [
        "# Time to first chunk, streamed answers",
        "",
        f"{r['prompts']} prompts one at a time; mock LLM: {r['mock_latency_ms']:.0f} ms to the "
        f"first token, {r['mock_chunk_ms']:.0f} ms between chunks (1-5 characters each), "
        f"answers of ~{r['answer_chars']} characters. Times in ms, p50 / p95.",
        "",
        "| path | first chunk | first content | final chunk |",
        "|---|---|---|---|",
    ]
    for name, row in r.items():
        if not isinstance(row, dict):
            continue
        cells = [row.get(k) for k in ("first_chunk_ms", "first_content_ms", "final_chunk_ms")]
        fmt = [f"{c['p50']} / {c['p95']}" if c else "-" for c in cells]
        lines.append(f"| {name} | " + " | ".join(fmt) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
