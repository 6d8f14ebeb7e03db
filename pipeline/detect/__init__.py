"""Detection stage: ``DetectionEngine`` turns messages into typed ``Finding`` records.

The engine (spaCy, presidio, word lists: seconds to import) is loaded on first use, so
modules that only need ``CustomTerms`` (policy loading, the CLI's ``--help``) stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.detect.custom import CustomTerms
    from pipeline.detect.engine import DetectionEngine
    from pipeline.detect.errors import DetectionError

__all__ = ["CustomTerms", "DetectionEngine", "DetectionError"]

_HOMES = {
    "CustomTerms": "pipeline.detect.custom",
    "DetectionEngine": "pipeline.detect.engine",
    "DetectionError": "pipeline.detect.errors",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
