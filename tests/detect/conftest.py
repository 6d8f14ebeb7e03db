"""Detection fixtures: one engine (one spaCy load) per session, and span helpers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pipeline.config import Settings
from pipeline.detect.base import Recognizer
from pipeline.detect.engine import DetectionEngine
from pipeline.events import Message

Spans = Callable[[Recognizer, str], list[str]]
Found = Callable[[str], list[tuple[str, str]]]

_ENGINE: list[DetectionEngine] = []


@pytest.fixture(scope="session")
def engine() -> DetectionEngine:
    if not _ENGINE:
        _ENGINE.append(DetectionEngine(Settings()))
    return _ENGINE[0]


@pytest.fixture(scope="session")
def spans() -> Spans:
    """Matched texts of one recognizer run through its presidio ``analyze`` on a text."""

    def run(recognizer: Recognizer, text: str) -> list[str]:
        results = recognizer.analyze(text, recognizer.supported_entities, None)
        return [text[r.start : r.end] for r in results]

    return run


@pytest.fixture(scope="session")
def found(engine: DetectionEngine) -> Found:
    """(entity_type, original text) pairs from the full engine on a one-message prompt."""

    def run(text: str) -> list[tuple[str, str]]:
        findings = engine.detect([Message("user", text)])
        return [(f.entity_type, text[f.start : f.end]) for f in findings]

    return run
