#!/usr/bin/env bash
# Whole-command throughput of `prompt-dlp scan` vs vanilla presidio on one core, same run.
#   bench/scan_vs_presidio.sh [CORPUS] [RUNS]   (CORPUS defaults to ../shared's dev corpus if there)
# Both commands are pinned to CPU 0 (taskset) and timed by hyperfine, start-up included;
# results go to bench/results/scan_vs_presidio.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/dev.jsonl}
runs=${2:-3}
if [ ! -f "$corpus" ]; then
  # The dev corpus lives beside the checkout on dev machines only: on any other clone, measure
  # on 1000 events of the project's own held-out generator instead (same shape of events).
  echo "no corpus at $corpus; generating 1000 held-out events (tests.detect.heldout --seed 4242)" >&2
  corpus=$(mktemp --suffix=.jsonl)
  .venv/bin/python -m tests.detect.heldout --n 1000 --seed 4242 --out "$corpus" > /dev/null
fi
events=$(grep -c . "$corpus")
mkdir -p bench/results
hyperfine --warmup 1 --runs "$runs" --export-json bench/results/scan_vs_presidio.json \
  -n prompt-dlp-scan "taskset -c 0 .venv/bin/prompt-dlp scan $corpus -o /dev/null" \
  -n vanilla-presidio "taskset -c 0 .venv/bin/python -m bench.vanilla_scan $corpus > /dev/null"
.venv/bin/python - "$events" <<'PY'
import json, sys
events = int(sys.argv[1])
runs = {r["command"]: r for r in json.load(open("bench/results/scan_vs_presidio.json"))["results"]}
ours, base = runs["prompt-dlp-scan"], runs["vanilla-presidio"]
# Wall time on a shared machine is mostly other processes' load; user+system CPU is what each
# command itself spent, so both ratios are reported.
cpu = {name: r["user"] + r["system"] for name, r in runs.items()}
rows = [
    "| command (one core, start-up included) | mean wall s | events/s | user+sys CPU s |",
    "| --- | --- | --- | --- |",
    f"| `prompt-dlp scan` | {ours['mean']:.2f} | {events / ours['mean']:.1f} "
    f"| {cpu['prompt-dlp-scan']:.1f} |",
    f"| vanilla presidio (AnalyzerEngine defaults) | {base['mean']:.2f} "
    f"| {events / base['mean']:.1f} | {cpu['vanilla-presidio']:.1f} |",
    f"| **ratio** | **{base['mean'] / ours['mean']:.1f}x** | "
    f"| **{cpu['vanilla-presidio'] / cpu['prompt-dlp-scan']:.1f}x** |",
]
open("bench/results/scan_vs_presidio.md", "w").write("\n".join(rows) + "\n")
print("\n".join(rows))
PY
