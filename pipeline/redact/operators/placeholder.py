"""``placeholder``: ``<PERSON_1>``, consistent for the whole conversation (reversible)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.redact.operators.base import OperatorContext

NAME = "placeholder"


def apply(value: str, entity_type: str, params: Mapping[str, Any], ctx: OperatorContext) -> str:
    return ctx.book.placeholder_for(value, entity_type, ctx.taken)
