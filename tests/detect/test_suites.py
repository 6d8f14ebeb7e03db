"""Targets of issue #12 on every frozen suite in ``tests/detect/suites`` (all helpers' files).

Personal-data leak <= 1 % per recall suite, no secret leak, clean texts blocked <= 0.5 % and
altered <= 2 %. The figures and the failing lines: ``python -m tests.detect.suites --failures``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.detect.engine import DetectionEngine
from tests.detect.suites import load, score_clean, score_recall, suite_files
from tests.detect.suites.detectors import ours

_SECRET_KINDS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "JWT")


@pytest.mark.parametrize("path", suite_files("recall"), ids=lambda p: p.stem)
def test_recall_suite(path: Path, engine: DetectionEngine) -> None:
    """Personal data leaks at most 1 % per suite, and no secret leaks at all."""
    result = score_recall(path, ours(engine))
    leaked = [(o.id, kind) for o in result.outcomes for kind, _ in o.leaked]
    secrets = [item for item in leaked if any(k in item[1] for k in _SECRET_KINDS)]
    assert not secrets, secrets
    assert result.leak_rate <= 0.01, leaked


@pytest.mark.parametrize("path", suite_files("clean"), ids=lambda p: p.stem)
def test_clean_suite(path: Path, engine: DetectionEngine) -> None:
    """Hard negatives: blocked at most 0.5 %, altered at most 2 %."""
    result = score_clean(path, ours(engine))
    altered = [o.id for o in result.outcomes if o.found]
    assert result.blocked <= 0.005 * result.lines, altered
    assert result.altered <= 0.02 * result.lines, altered


def test_suites_are_well_formed() -> None:
    """Every suite line has an id and text; recall values are exact substrings (load checks)."""
    paths = suite_files("recall") + suite_files("clean")
    assert paths
    for path in paths:
        rows = load(path)
        assert rows, path.name
        assert len({r["id"] for r in rows}) == len(rows), path.name
        if path.stem.startswith("recall"):
            assert all(r["expect"] for r in rows), path.name
