"""Score-ready outputs for the labelled corpus with a naive policy (block/redact/allow).

    python -m pipeline.detect.evaluate /work/shared/corpus/dev.jsonl out.jsonl

block if any SECRET/CUSTOM finding, redact if any PII finding, else allow; redaction replaces each
span with ``<ENTITY_TYPE>``. The real policy and redaction live in decide/ and redact/.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any

from pipeline.config import Settings
from pipeline.detect.engine import DetectionEngine
from pipeline.events import Category, Finding, Message

__all__ = ["naive_outputs"]

_BATCH = 32


def naive_outputs(
    events: Iterable[dict[str, Any]], engine: DetectionEngine
) -> Iterator[dict[str, Any]]:
    """Yield one scorer output line per corpus event."""
    batch: list[dict[str, Any]] = []
    for event in events:
        batch.append(event)
        if len(batch) == _BATCH:
            yield from _run(batch, engine)
            batch = []
    if batch:
        yield from _run(batch, engine)


def _run(batch: list[dict[str, Any]], engine: DetectionEngine) -> Iterator[dict[str, Any]]:
    prompts = [[Message(m["role"], m["content"]) for m in e["messages"]] for e in batch]
    for event, messages, findings in zip(batch, prompts, engine.detect_batch(prompts), strict=True):
        categories = {f.category for f in findings}
        if categories & {Category.SECRET, Category.CUSTOM}:
            yield {"id": event["id"], "action": "block", "messages": None}
            continue
        action = "redact" if findings else "allow"
        out = [{"role": m.role, "content": _redact(m.content, [f for f in findings
                                                                  if f.message_index == i])}
               for i, m in enumerate(messages)]
        yield {"id": event["id"], "action": action, "messages": out,
               "findings": [f.to_dict() for f in findings]}


def _redact(text: str, findings: list[Finding]) -> str:
    for f in sorted(findings, key=lambda f: f.start, reverse=True):
        text = text[: f.start] + f"<{f.entity_type}>" + text[f.end :]
    return text


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m pipeline.detect.evaluate CORPUS.jsonl OUT.jsonl", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as fh:
        events = [json.loads(line) for line in fh if line.strip()]
    engine = DetectionEngine(Settings())
    started = time.perf_counter()
    with open(argv[1], "w", encoding="utf-8") as out:
        for line in naive_outputs(events, engine):
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    elapsed = time.perf_counter() - started
    print(f"{len(events)} events in {elapsed:.1f}s ({len(events) / elapsed:.0f} events/s), "
          f"detector set {engine.version}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
