"""The held-out style set (``tests.detect.heldout``) at a small size, as a regression gate."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.detect.engine import DetectionEngine
from tests.detect.heldout import generate, run


@pytest.fixture(scope="module")
def report(engine: DetectionEngine) -> dict[str, Any]:
    events = generate(n=150, seed=101)
    for event in events:
        for label in event["labels"]:
            content = event["messages"][label["message"]]["content"]
            assert content[label["start"] : label["end"]] == label["text"]
    result, _ = run(events, engine)
    return result


def test_no_credential_leaks(report: dict[str, Any]) -> None:
    """Every credential, disguised or not, is blocked."""
    assert report["leak_rate"]["block_class"] == 0
    assert report["block_recall"] == 1


def test_clean_prompts_left_alone(report: dict[str, Any]) -> None:
    """Hard negatives (tech terms, brands, ids, placeholders) are neither blocked nor altered."""
    assert report["over_blocking"] == 0
    assert report["over_redaction_events"] <= 0.03


def test_personal_data_mostly_removed(report: dict[str, Any]) -> None:
    """Redact-class leaks stay low on names and formats the dev corpus does not use."""
    assert report["leak_rate"]["redact_class"] <= 0.06
