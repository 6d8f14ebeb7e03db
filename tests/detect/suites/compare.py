"""Per-kind recall of our engine next to vanilla presidio on labelled event sets, same scorer.

    python -m tests.detect.suites.compare [--dev PATH] [--json OUT]

Sets: the dev corpus (if given), ``tests.detect.heldout`` (seed 4242, 400 events) and
``tests.detect.heldout_shapes`` (seed 12, 300 events) and ``tests.detect.heldout_spoken`` (seed
31, 200 events). Vanilla presidio is ``AnalyzerEngine``
with its defaults and the same spaCy model; its findings are redacted the same naive way (it
never blocks: it has no notion of a credential that must not leave).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.config import Settings
from pipeline.detect.engine import DetectionEngine
from pipeline.detect.evaluate import naive_outputs
from tests.detect import heldout, heldout_shapes, heldout_spoken
from tests.detect.suites import Detector, redact
from tests.detect.suites.detectors import vanilla


def _vanilla_outputs(events: list[dict[str, Any]], detect: Detector) -> Iterator[dict[str, Any]]:
    for event in events:
        texts = [m["content"] for m in event["messages"]]
        spans = detect(texts)
        sent = [{"role": m["role"], "content": redact(t, s) or ""}
                for m, t, s in zip(event["messages"], texts, spans, strict=True)]
        action = "redact" if any(spans) else "allow"
        yield {"id": event["id"], "action": action, "messages": sent}


def _recall(stats: dict[str, Any] | None) -> float | None:
    """Recall of one kind: the project scorer reports leaks (``leak_rate``), not recall."""
    if not stats or stats.get("leak_rate") is None:
        return None
    return 1 - float(stats["leak_rate"])


def _sets(dev: Path | None) -> list[tuple[str, list[dict[str, Any]]]]:
    sets = [("heldout seed=4242", heldout.generate(400, 4242)),
            ("heldout_shapes seed=12", heldout_shapes.generate(300, 12)),
            ("heldout_spoken seed=31", heldout_spoken.generate(200, 31))]
    if dev is not None:
        events = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines()
                  if line.strip()]
        sets.insert(0, (dev.name, events))
    return sets


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    score = heldout.scorer()
    engine, base = DetectionEngine(Settings()), vanilla()
    figures: dict[str, Any] = {}
    for name, events in _sets(args.dev):
        ours = score.score(events, list(naive_outputs(events, engine)))
        theirs = score.score(events, list(_vanilla_outputs(events, base)))
        figures[name] = {"ours": ours, "presidio": theirs}
        print(f"== {name}: {len(events)} events")
        print(f"  personal-data leak {100 * ours['leak_rate']['redact_class']:.1f}% "
              f"(presidio {100 * theirs['leak_rate']['redact_class']:.1f}%), secret leak "
              f"{100 * (ours['leak_rate']['block_class'] or 0):.1f}%, clean blocked "
              f"{100 * (ours['over_blocking'] or 0):.1f}%, clean altered "
              f"{100 * (ours['over_redaction_events'] or 0):.1f}% "
              f"(presidio {100 * (theirs['over_redaction_events'] or 0):.1f}%)")
        print("  | kind | n | recall | presidio recall |")
        print("  | --- | --- | --- | --- |")
        for kind, stats in sorted(ours["per_kind"].items()):
            other = _recall(theirs["per_kind"].get(kind))
            print(f"  | {kind} | {stats['n']} | {100 * (_recall(stats) or 0):.1f}% | "
                  f"{'-' if other is None else f'{100 * other:.1f}%'} |")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=1, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
