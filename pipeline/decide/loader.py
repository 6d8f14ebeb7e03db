"""Read a policy YAML file into plain data, rejecting it with the key path and line.

The YAML is composed first (not just loaded) so every value keeps the mark of
where it was written; a schema violation or a semantic problem found later is
reported as ``ConfigError("rules[2].action", "... (policy.yaml line 14)")``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from pipeline.errors import ConfigError

__all__ = ["SCHEMA_PATH", "SourceMap", "format_path", "policy_schema", "read_policy_source"]

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "policy.schema.json"

PathPart = str | int


def format_path(path: Sequence[PathPart]) -> str:
    """``["rules", 2, "action"]`` → ``rules[2].action``; the empty path is ``<root>``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "<root>"


@dataclass(frozen=True, slots=True)
class SourceMap:
    """The composed YAML tree, to turn a key path back into a line number."""

    root: yaml.Node | None
    name: str

    def line(self, path: Sequence[PathPart], *, key: bool = False) -> int | None:
        """1-based line of the value at ``path`` (of its key when ``key``), or nearest parent's."""
        node, key_node = self.root, None
        for part in path:
            child = _child(node, part)
            if child is None:
                break
            key_node, node = child
        target = key_node if key and key_node is not None else node
        return None if target is None else target.start_mark.line + 1

    def error(self, path: Sequence[PathPart], problem: str, *, key: bool = False) -> ConfigError:
        """Build a ``ConfigError`` naming the key path and the line it was written on."""
        line = self.line(path, key=key)
        where = f" ({self.name} line {line})" if line is not None else f" ({self.name})"
        return ConfigError(format_path(path), problem + where)


def _child(node: yaml.Node | None, part: PathPart) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                return k, v
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return None, node.value[part]
    return None


def _duplicate_keys(
    node: yaml.Node | None, path: list[PathPart]
) -> Iterator[tuple[list[PathPart], int]]:
    """Yield (path, line) of every key written a second time in its mapping."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k, v in node.value:
            name = str(k.value)
            if name in seen:
                yield [*path, name], k.start_mark.line + 1
            seen.add(name)
            yield from _duplicate_keys(v, [*path, name])
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _duplicate_keys(item, [*path, i])


@lru_cache(maxsize=1)
def policy_schema() -> dict[str, Any]:
    """Return the policy JSON Schema (2020-12), read once."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def _describe(error: jsonschema.ValidationError) -> tuple[list[PathPart], str, bool]:
    """Path, message and whether to point at the key rather than the value."""
    path: list[PathPart] = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {})
        extra = sorted(k for k in error.instance if k not in allowed)
        if extra and allowed:
            return [*path, extra[0]], f"unknown key (expected one of {sorted(allowed)})", True
    if error.validator == "oneOf" and all("required" in b for b in error.validator_value):
        return path, "a rule names exactly one of entity_type or category", False
    if error.validator in ("oneOf", "anyOf") and error.context:
        # the branch whose type fits says what is wrong (a pattern, not "not an array")
        fitting = [e for e in error.context if e.validator != "type"] or error.context
        return _describe(jsonschema.exceptions.best_match(fitting))
    return path, error.message, False


def read_policy_source(text: str, name: str) -> tuple[dict[str, Any], SourceMap]:
    """Parse and schema-check policy YAML; raise ``ConfigError`` on the first problem."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError("<root>", f"not valid YAML: {exc.problem} ({name}{where})") from exc
    source = SourceMap(root, name)
    for dup, line in _duplicate_keys(root, []):
        raise ConfigError(format_path(dup), f"key given twice ({name} line {line})")
    if not isinstance(data, dict):
        raise source.error([], "a policy file is a mapping (version, rules, ...)")
    validator = jsonschema.Draft202012Validator(policy_schema())
    described = [_describe(e) for e in validator.iter_errors(data)]
    if described:
        # the first problem in reading order, the deepest one on that line
        path, message, key = min(
            described, key=lambda d: (source.line(d[0], key=d[2]) or 0, -len(d[0]))
        )
        raise source.error(path, message, key=key)
    return data, source
