"""The detect → decide → redact engine is assembled in one place (``pipeline.engine``)."""

from __future__ import annotations

import ast
from pathlib import Path

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"
# A detection-only scoring tool of the detect package (no policy, no HMAC key involved).
DETECTION_ONLY = {"detect/evaluate.py"}


def _calls(name: str) -> set[str]:
    found = set()
    for path in PIPELINE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called == name:
                    found.add(str(path.relative_to(PIPELINE)))
    return found


def test_detectors_and_their_policy_terms_are_built_only_by_the_engine() -> None:
    """Every path (classify, guard, scan, explain, rescan, eval) gets them from build_dlp_engine,
    so the HMAC key (inline or _FILE) and the policy's lists are read the same way everywhere."""
    assert _calls("DetectionEngine") - DETECTION_ONLY == {"engine.py"}
    assert _calls("custom_terms") == {"engine.py"}
