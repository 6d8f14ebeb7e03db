"""Vanilla presidio over the same JSONL a ``prompt-dlp scan`` reads: the speed baseline.

AnalyzerEngine with its defaults and the same spaCy model, one ``analyze`` per
message, one JSON line of findings per event out. Run as a whole command next
to ``prompt-dlp scan`` (bench/scan_vs_presidio.sh) so both pay their start-up.

    python -m bench.vanilla_scan CORPUS.jsonl > /dev/null
"""

from __future__ import annotations

import sys

import orjson

from bench.vanilla import VANILLA_MODEL, vanilla_analyzer

MODEL = VANILLA_MODEL


def main(path: str) -> None:
    analyzer = vanilla_analyzer(MODEL)
    out = sys.stdout.buffer
    with open(path, "rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            event = orjson.loads(line)
            findings = [
                {"message_index": i, "entity_type": r.entity_type, "start": r.start, "end": r.end}
                for i, m in enumerate(event["messages"])
                for r in analyzer.analyze(m["content"], language="en")
            ]
            out.write(orjson.dumps({"id": event["id"], "findings": findings}) + b"\n")


if __name__ == "__main__":
    main(sys.argv[1])
