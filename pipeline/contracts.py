"""Loads the JSON Schemas in ``schemas/v1`` and hands out compiled validators.

They are read from the package (``pipeline/schemas``, shipped in the wheel); the repository's
top-level ``schemas/`` is the published copy, kept identical by a test.

The schemas are the contract with the teams on the bus; the code validates
inbound events against them and the tests validate everything we produce.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

__all__ = ["SCHEMA_DIR", "schema", "validator"]

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas" / "v1"
_BASE = "https://prompt-dlp.dev/schemas/v1/"


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((_BASE + path.name, Resource.from_contents(contents)))
    return Registry().with_resources(resources)


@cache
def schema(name: str) -> dict[str, Any]:
    """The parsed schema file ``schemas/v1/<name>``."""
    data: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return data


@cache
def validator(name: str) -> Draft202012Validator:
    """A compiled, format-checking validator for ``schemas/v1/<name>``."""
    return Draft202012Validator(schema(name), registry=_registry(), format_checker=FormatChecker())
