"""``make soak``: every oracle scenario ``--runs`` times on one broker; one log line per run.

    .venv/bin/python -m tests.faults.oracle.soak --runs 20 [--scenario issue16 ...] [--seed N]

Each run appends to ``tests/faults/oracle/soak.log``: UTC date, scenario, seed, counts and the
verdict; a failing run adds its violations (indented) and keeps its worker logs. The seeds are
fresh random ones unless ``--seed``/``PROMPT_DLP_FAULT_SEED`` pins the first run's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from tests.faults.oracle.harness import fault_seed, run_scenario
from tests.faults.oracle.scenarios import SCENARIOS
from tests.support.broker import LocalBroker

LOG = Path(__file__).with_name("soak.log")


def _append(line: str) -> None:
    with LOG.open("a", encoding="utf-8") as out:
        out.write(line + "\n")


async def soak(runs: int, names: list[str], seed: int | None, keep: Path) -> int:
    port = int(os.environ.get("PROMPT_DLP_ORACLE_KAFKA_PORT", "19720"))
    failures = 0
    keep.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="oracle-soak-") as tmp:
        broker = LocalBroker(port, Path(tmp) / "kafka", start_timeout=240)
        broker.start()
        try:
            for run in range(1, runs + 1):
                for name in names:
                    run_seed = seed if seed is not None else random.randrange(1 << 31)
                    seed = None  # only the first run replays a pinned seed
                    work = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=keep))
                    spec = SCENARIOS[name]
                    try:
                        result = await run_scenario(
                            name, spec.run, broker, work, run_seed, events=spec.events
                        )
                    except Exception as exc:  # a harness error is logged, never a pass
                        failures += 1
                        _append(f"{_now()} run={run}/{runs} scenario={name} seed={run_seed} "
                                f"ERROR {type(exc).__name__}: {str(exc)[:300]!r} logs={work}")
                        continue
                    stamp = f"{_now()} run={run}/{runs} {result.line()} {result.seconds:.0f}s"
                    if result.verdict.ok:
                        _append(stamp)
                        shutil.rmtree(work, ignore_errors=True)
                    else:
                        failures += 1
                        details = result.failure().replace("\n", "\n    ")
                        _append(f"{stamp}\n    {details}")
        finally:
            broker.stop()
    return failures


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=int(os.environ.get("SOAK_RUNS", "20")))
    parser.add_argument("--scenario", action="append", choices=list(SCENARIOS))
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()),
                        help="where failing runs' worker logs are kept")
    args = parser.parse_args(argv)
    seed = args.seed
    if seed is None and os.environ.get("PROMPT_DLP_FAULT_SEED"):
        seed = fault_seed()
    names = args.scenario or list(SCENARIOS)
    failures = asyncio.run(soak(args.runs, names, seed, args.keep))
    print(f"soak: {args.runs} x {len(names)} runs, {failures} failed; log {LOG}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
