"""``make bench``: the detection benchmark, then the end-to-end one on a real broker.

    python -m bench.run [--corpus FILE] [--detect-only] [-- e2e options...]

Both use the bench workload (``bench.harness.workload``): the dev corpus beside
the checkout when it exists, else the synthetic mix, so this runs on any clone.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.bench_detect import run_detect
from bench.harness.workload import DEFAULT_CORPUS, load_workload


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--detect-only", action="store_true", help="skip the e2e benchmark")
    parser.add_argument("e2e_args", nargs="*", help="passed on to bench.e2e (after --)")
    args = parser.parse_args(argv)
    workload = load_workload(args.corpus)
    print(f"workload: {workload.source} ({len(workload.templates)} events)", flush=True)
    print(json.dumps(run_detect(workload.templates), indent=2), flush=True)
    if args.detect_only:
        return 0
    from bench import e2e

    sys.argv = ["bench.e2e", "--corpus", str(args.corpus), *args.e2e_args]
    e2e.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
