"""Every operator module is registered once, by name, and the policy schema knows them all."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import pipeline.redact.operators as package
from pipeline.decide.loader import policy_schema
from pipeline.errors import ConfigError
from pipeline.redact.operators import OPERATORS, get_operator


def operator_modules() -> list[str]:
    return [m.name for m in pkgutil.iter_modules(package.__path__) if m.name != "base"]


def test_every_operator_module_is_registered() -> None:
    """A module in operators/ that the registry does not list fails this test."""
    for name in operator_modules():
        module = importlib.import_module(f"{package.__name__}.{name}")
        assert OPERATORS[module.NAME] is module.apply


def test_policy_schema_lists_exactly_the_registered_operators() -> None:
    """The schema's operator enum and the registry never drift apart."""
    enum = policy_schema()["$defs"]["operator"]["properties"]["name"]["enum"]
    assert sorted(enum) == sorted(OPERATORS) == ["drop", "hash", "mask", "placeholder"]


def test_unknown_operator_is_a_config_error() -> None:
    """Looking up a name nobody registered names the operator."""
    with pytest.raises(ConfigError, match="shred"):
        get_operator("shred")
