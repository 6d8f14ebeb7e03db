"""``drop``: remove the span; surrounding text is left as it is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.redact.operators.base import OperatorContext

NAME = "drop"


def apply(value: str, entity_type: str, params: Mapping[str, Any], ctx: OperatorContext) -> str:
    return ""
