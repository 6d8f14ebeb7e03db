"""The one registry of redaction operators: name → function (one module each)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pipeline.errors import ConfigError
from pipeline.redact.operators import drop, mask, placeholder
from pipeline.redact.operators import hash as hash_
from pipeline.redact.operators.base import Operator, OperatorContext

__all__ = ["OPERATORS", "Operator", "OperatorContext", "get_operator"]

OPERATORS: Mapping[str, Operator] = MappingProxyType(
    {module.NAME: module.apply for module in (placeholder, mask, hash_, drop)}
)


def get_operator(name: str) -> Operator:
    """Return the operator registered as ``name``; ``ConfigError`` for an unknown one."""
    try:
        return OPERATORS[name]
    except KeyError:
        raise ConfigError("operator", f"unknown redaction operator {name!r}") from None
