"""Throughput of DetectionEngine vs vanilla presidio on a corpus, one process, one core.

    python bench/bench_detect.py /work/shared/corpus/dev.jsonl [--presidio-events 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from pipeline.config import Settings
from pipeline.detect.engine import DetectionEngine
from pipeline.events import Message


def _texts(event: dict) -> list[str]:  # type: ignore[type-arg]
    return [m["content"] for m in event["messages"]]


def bench_ours(events: list[dict], batch: int) -> float:  # type: ignore[type-arg]
    engine = DetectionEngine(Settings())
    engine.detect([Message("user", "warm up")])
    prompts = [[Message(m["role"], m["content"]) for m in e["messages"]] for e in events]
    start = time.perf_counter()
    for i in range(0, len(prompts), batch):
        engine.detect_batch(prompts[i : i + batch])
    return len(prompts) / (time.perf_counter() - start)


def bench_presidio(events: list[dict], model: str) -> float:  # type: ignore[type-arg]
    from bench.vanilla import vanilla_analyzer

    analyzer = vanilla_analyzer(model)
    analyzer.analyze("warm up", language="en")
    start = time.perf_counter()
    for event in events:
        for text in _texts(event):
            analyzer.analyze(text, language="en")
    return len(events) / (time.perf_counter() - start)


def bench_large(events: list[dict]) -> dict[str, float]:  # type: ignore[type-arg]
    """Latency of single 8-64 KB prompts built from corpus text (cache cleared each time)."""
    engine = DetectionEngine(Settings())
    pool = "\n\n".join(t for e in events for t in _texts(e))
    out: dict[str, float] = {}
    for kb in (8, 16, 32, 64):
        times = []
        for offset in range(0, 20):
            text = pool[offset * 5000 : offset * 5000 + kb * 1024]
            engine.nlp.tagger.clear_cache()
            start = time.perf_counter()
            engine.detect([Message("user", text)])
            times.append(time.perf_counter() - start)
        out[f"{kb}KB_p50_ms"] = 1000 * statistics.median(times)
        out[f"{kb}KB_max_ms"] = 1000 * max(times)
    return out


def run_detect(
    events: list[dict], batch: int = 32, presidio_events: int = 200  # type: ignore[type-arg]
) -> dict[str, float]:
    """Events per second, ours vs vanilla presidio, and large-prompt latencies."""
    ours = bench_ours(events, batch)
    vanilla = bench_presidio(events[:presidio_events], Settings().spacy_model)
    return {"ours_events_per_s": round(ours, 1),
            "presidio_events_per_s": round(vanilla, 1),
            "speedup": round(ours / vanilla, 2),
            **{k: round(v, 1) for k, v in bench_large(events).items()}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("--presidio-events", type=int, default=200)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    with open(args.corpus, encoding="utf-8") as fh:
        events = [json.loads(line) for line in fh if line.strip()]
    print(json.dumps(run_detect(events, args.batch, args.presidio_events), indent=2))


if __name__ == "__main__":
    main()
