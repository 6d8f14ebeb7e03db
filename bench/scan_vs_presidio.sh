#!/usr/bin/env bash
# Whole-command throughput of `prompt-dlp scan` vs vanilla presidio on one core, same run.
#   bench/scan_vs_presidio.sh [CORPUS] [RUNS]
# Both commands are pinned to CPU 0 (taskset) and timed by hyperfine, start-up included;
# results go to bench/results/scan_vs_presidio.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/dev.jsonl}
runs=${2:-3}
events=$(grep -c . "$corpus")
mkdir -p bench/results
hyperfine --warmup 1 --runs "$runs" --export-json bench/results/scan_vs_presidio.json \
  -n prompt-dlp-scan "taskset -c 0 .venv/bin/prompt-dlp scan $corpus -o /dev/null" \
  -n vanilla-presidio "taskset -c 0 .venv/bin/python -m bench.vanilla_scan $corpus > /dev/null"
.venv/bin/python - "$events" <<'PY'
import json, sys
events = int(sys.argv[1])
runs = {r["command"]: r for r in json.load(open("bench/results/scan_vs_presidio.json"))["results"]}
ours, base = runs["prompt-dlp-scan"]["mean"], runs["vanilla-presidio"]["mean"]
rows = [
    "| command (one core, start-up included) | mean s | events/s |",
    "| --- | --- | --- |",
    f"| `prompt-dlp scan` | {ours:.2f} | {events / ours:.1f} |",
    f"| vanilla presidio (AnalyzerEngine defaults) | {base:.2f} | {events / base:.1f} |",
    f"| **ratio** | | **{base / ours:.1f}x** |",
]
open("bench/results/scan_vs_presidio.md", "w").write("\n".join(rows) + "\n")
print("\n".join(rows))
PY
