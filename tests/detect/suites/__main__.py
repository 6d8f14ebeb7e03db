"""Report over every frozen suite: ours, and vanilla presidio beside it with ``--presidio``.

    python -m tests.detect.suites [--presidio] [--failures] [--json OUT] [--dir DIR]

``--dir tests/detect/probes`` reports the probe sets (same format, kept apart because they
measure what is still missed rather than gate ``make test`` at the suites' targets).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.config import Settings
from pipeline.detect.engine import DetectionEngine
from tests.detect.suites import SUITES, SuiteResult, score_clean, score_recall, suite_files
from tests.detect.suites.detectors import ours, vanilla


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


def _recall_table(mine: list[SuiteResult], base: list[SuiteResult] | None) -> list[str]:
    lines = ["suite                       kind             n   leak   recall  part" +
             ("  presidio" if base else "")]
    for i, res in enumerate(mine):
        for kind in sorted(res.values):
            row = (f"{res.name:27s} {kind:14s} {res.values[kind]:4d} "
                   f"{res.leaks[kind]:4d} {_pct(res.recall(kind))}  {res.partial[kind]:4d}")
            if base:
                row += f"  {_pct(base[i].recall(kind))}"
            lines.append(row)
        lines.append(f"{res.name:27s} {'(all)':14s} {sum(res.values.values()):4d} "
                     f"{sum(res.leaks.values()):4d} {_pct(1 - res.leak_rate)}  "
                     f"{sum(res.partial.values()):4d}"
                     + (f"  {_pct(1 - base[i].leak_rate)}" if base else ""))
    return lines


def _clean_table(mine: list[SuiteResult], base: list[SuiteResult] | None) -> list[str]:
    lines = ["suite                          n  blocked  altered" +
             ("  presidio altered" if base else "")]
    for i, res in enumerate(mine):
        row = (f"{res.name:27s} {res.lines:4d}  {_pct(res.blocked / res.lines)}"
               f"  {_pct(res.altered / res.lines)}")
        if base:
            row += f"  {_pct(base[i].altered / base[i].lines)}"
        lines.append(row)
    return lines


def _failures(results: list[SuiteResult]) -> None:
    for res in results:
        for o in res.outcomes:
            if o.leaked or o.partial or (res.name.startswith("clean") and o.found):
                print(f"--- {res.name}:{o.id} {o.text!r}")
                for kind, value in o.leaked:
                    print(f"    LEAK {kind}: {value!r}")
                for kind, value in o.partial:
                    print(f"    PARTIAL {kind}: {value!r}")
                for kind, value in o.found:
                    print(f"    found {kind}: {value!r}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presidio", action="store_true", help="also run vanilla presidio")
    parser.add_argument("--failures", action="store_true", help="list every leak / alteration")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--dir", type=Path, default=SUITES, help="another folder of suites")
    args = parser.parse_args(argv)
    detect = ours(DetectionEngine(Settings()))
    recall_files, clean_files = suite_files("recall", args.dir), suite_files("clean", args.dir)
    recall = [score_recall(p, detect) for p in recall_files]
    clean = [score_clean(p, detect) for p in clean_files]
    base_recall = base_clean = None
    if args.presidio:
        base = vanilla()
        base_recall = [score_recall(p, base) for p in recall_files]
        base_clean = [score_clean(p, base) for p in clean_files]
    if args.failures:
        _failures(recall + clean)
    print("\n".join(_recall_table(recall, base_recall)))
    print()
    print("\n".join(_clean_table(clean, base_clean)))
    if args.json is not None:
        figures = {
            "recall": {r.name: {"values": dict(r.values), "leaks": dict(r.leaks)} for r in recall},
            "clean": {c.name: {"n": c.lines, "altered": c.altered, "blocked": c.blocked}
                      for c in clean},
        }
        if base_recall is not None and base_clean is not None:
            figures["presidio_recall"] = {r.name: {"values": dict(r.values),
                                                   "leaks": dict(r.leaks)} for r in base_recall}
            figures["presidio_clean"] = {c.name: {"n": c.lines, "altered": c.altered}
                                         for c in base_clean}
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
