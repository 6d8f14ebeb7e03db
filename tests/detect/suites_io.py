"""Load the frozen JSONL suites beside this file (fixtures written by hand, never corpus lines)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SUITES = Path(__file__).parent / "suites"


def load(name: str) -> list[dict[str, Any]]:
    """Every event of ``suites/<name>.jsonl``."""
    with (SUITES / f"{name}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def covered(text: str, value: str, entity: str, spans: list[tuple[str, int, int]]) -> bool:
    """Tell whether findings of ``entity`` cover every character of ``value`` in ``text``."""
    start = text.index(value)
    end = start + len(value)
    hit: set[int] = set()
    for kind, s, e in spans:
        if kind == entity:
            hit.update(range(max(start, s), min(end, e)))
    return len(hit) == end - start
