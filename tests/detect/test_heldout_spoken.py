"""The spoken/spaced identifier generator (``tests.detect.heldout_spoken``) as a regression gate."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.detect.engine import DetectionEngine
from tests.detect.heldout import run
from tests.detect.heldout_spoken import generate

SEED = 77  # not the seed the README reports (31): a gate on other draws of the same shapes


@pytest.fixture(scope="module")
def report(engine: DetectionEngine) -> dict[str, Any]:
    print(f"heldout_spoken seed={SEED}")
    events = generate(n=120, seed=SEED)
    for event in events:
        for label in event["labels"]:
            content = event["messages"][label["message"]]["content"]
            assert content[label["start"] : label["end"]] == label["text"]
    result, _ = run(events, engine)
    return result


def test_no_spoken_or_spaced_identifier_leaks(report: dict[str, Any]) -> None:
    """Cards, IBANs, SSNs and phones read out or spaced per character are all redacted."""
    assert report["leak_rate"]["redact_class"] == 0


def test_separated_clean_numbers_stay(report: dict[str, Any]) -> None:
    """Version lists, matrices, scores and number words are not altered."""
    assert report["over_redaction_events"] == 0
