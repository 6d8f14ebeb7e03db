"""``mask``: ``************1111``; keeps at most half of a value's maskable characters.

Params: ``char`` (default ``*``), ``keep_last`` (default 4), ``keep_first``
(default 0), ``preserve`` (characters left as they are, e.g. ``" -"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.redact.operators.base import OperatorContext

NAME = "mask"


def apply(value: str, entity_type: str, params: Mapping[str, Any], ctx: OperatorContext) -> str:
    char = str(params.get("char", "*"))
    preserve = str(params.get("preserve", ""))
    maskable = [i for i, c in enumerate(value) if c not in preserve]
    budget = len(maskable) // 2  # never reveal most of a short value
    keep_last = min(int(params.get("keep_last", 4)), budget)
    keep_first = min(int(params.get("keep_first", 0)), budget - keep_last)
    shown = set(maskable[:keep_first]) | set(maskable[len(maskable) - keep_last :])
    return "".join(c if i in shown or c in preserve else char for i, c in enumerate(value))
