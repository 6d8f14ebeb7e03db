"""Turn a schema-checked policy document into a ``Policy``, checking what a schema cannot.

Beyond the schema: rule ids unique in the file, override matches unique,
overrides' destinations declared, patterns the detection engine accepts.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pipeline.decide.loader import PathPart, SourceMap, read_policy_source
from pipeline.decide.policy import (
    DEFAULT_ATTACHMENTS,
    DEFAULT_CLASSIFICATION,
    DEFAULT_QUARANTINE_RETENTION_DAYS,
    DEFAULT_VAULT_TTL_SECONDS,
    PLACEHOLDER,
    DestinationPolicy,
    Limits,
    Lists,
    OperatorSpec,
    Override,
    Parameters,
    Policy,
    Rule,
)
from pipeline.detect.custom import CustomTerms
from pipeline.errors import ConfigError
from pipeline.events import Action, Category

__all__ = ["check_policy_file", "load_policy", "parse_policy"]

_REQUIRED = ("model", "messages")


def load_policy(path: Path | str) -> Policy:
    """Read, validate and build the policy file at ``path``; ``ConfigError`` if it is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError("policy_file", f"cannot read {path}: {exc.strerror}") from exc
    return parse_policy(text, name=path.name, source=str(path))


def check_policy_file(path: Path | str) -> Policy:
    """``prompt-dlp policy check FILE``: the policy, or a ``ConfigError`` naming key and line."""
    return load_policy(path)


def parse_policy(text: str, *, name: str = "<policy>", source: str = "<memory>") -> Policy:
    """Build a ``Policy`` from YAML text (``name`` appears in error messages)."""
    data, where = read_policy_source(text, name)
    return _Builder(where).policy(data, source)


def _operator(data: Mapping[str, Any] | None) -> OperatorSpec | None:
    if data is None:
        return None
    return OperatorSpec(str(data["name"]), MappingProxyType(dict(data.get("params", {}))))


def _limits(data: Mapping[str, Any] | None) -> Limits:
    data = data or {}
    return Limits(data.get("max_prompt_chars"), data.get("max_prompt_bytes"))


class _Builder:
    def __init__(self, where: SourceMap) -> None:
        self.where = where
        self.rule_ids: set[str] = set()

    def policy(self, data: Mapping[str, Any], source: str) -> Policy:
        lists = self.lists(data.get("lists") or {})
        destinations = tuple(
            DestinationPolicy(
                name,
                tuple(d["models"]),
                frozenset(d["classifications"]),
                bool(d.get("internal", False)),
            )
            for name, d in (data.get("destinations") or {}).items()
        )
        rules = self.rules(data["rules"], ["rules"])
        overrides = self.overrides(data.get("overrides") or [], {d.name for d in destinations})
        retention = data.get("retention") or {}
        return Policy(
            version=str(data["version"]),
            rules=rules,
            overrides=overrides,
            default_operator=_operator(data.get("default_operator")) or PLACEHOLDER,
            classification=MappingProxyType(
                {**DEFAULT_CLASSIFICATION, **(data.get("classification") or {})}
            ),
            limits=_limits(data.get("limits")),
            vault_ttl_seconds=retention.get("vault_ttl_seconds", DEFAULT_VAULT_TTL_SECONDS),
            quarantine_retention_days=retention.get(
                "quarantine_retention_days", DEFAULT_QUARANTINE_RETENTION_DAYS
            ),
            lists=lists,
            opted_out_users=frozenset(data.get("opted_out_users") or ()),
            reidentify=frozenset(data.get("reidentify") or ()),
            destinations=destinations,
            attachments=str(data.get("attachments", DEFAULT_ATTACHMENTS)),
            parameters=self.parameters(data.get("parameters"), ["parameters"])
            or Parameters(),
            source=source,
        )

    def rules(self, items: list[Mapping[str, Any]], path: list[PathPart]) -> tuple[Rule, ...]:
        out = []
        for i, item in enumerate(items):
            rid = str(item["id"])
            if rid in self.rule_ids or rid.startswith("builtin:"):
                raise self.where.error([*path, i, "id"], f"rule id {rid!r} is used twice/reserved")
            self.rule_ids.add(rid)
            types = item.get("entity_type", ())
            out.append(
                Rule(
                    id=rid,
                    action=Action(item["action"]),
                    entity_types=frozenset([types] if isinstance(types, str) else types),
                    category=Category(item["category"]) if "category" in item else None,
                    min_score=float(item.get("min_score", 0.0)),
                    operator=_operator(item.get("operator")),
                )
            )
        return tuple(out)

    def overrides(
        self, items: list[Mapping[str, Any]], destinations: set[str]
    ) -> tuple[Override, ...]:
        out: list[Override] = []
        seen: dict[tuple[str | None, ...], int] = {}
        for i, item in enumerate(items):
            match = item["match"]
            key = (match.get("tenant"), match.get("app"), match.get("destination"))
            if key in seen:
                raise self.where.error(
                    ["overrides", i, "match"], f"same match as overrides[{seen[key]}]"
                )
            seen[key] = i
            if key[2] is not None and key[2] not in destinations:
                raise self.where.error(
                    ["overrides", i, "match", "destination"],
                    f"destination {key[2]!r} is not declared under destinations",
                )
            reid = item.get("reidentify")
            out.append(
                Override(
                    id=str(item["id"]),
                    tenant=key[0],
                    app=key[1],
                    destination=key[2],
                    rules=self.rules(item.get("rules") or [], ["overrides", i, "rules"]),
                    limits=_limits(item.get("limits")),
                    reidentify=None if reid is None else frozenset(reid),
                    opted_out_users=frozenset(item.get("opted_out_users") or ()),
                    attachments=item.get("attachments"),
                    parameters=self.parameters(
                        item.get("parameters"), ["overrides", i, "parameters"]
                    ),
                )
            )
        return tuple(out)

    def parameters(
        self, data: Mapping[str, Any] | None, path: list[PathPart]
    ) -> Parameters | None:
        """Globs over request parameters; none may match ``model`` or ``messages``."""
        if data is None:
            return None
        out = Parameters(tuple(data.get("drop") or ()), tuple(data.get("block") or ()))
        for key in ("drop", "block"):
            for j, glob in enumerate(getattr(out, key)):
                if any(fnmatch.fnmatchcase(name, glob) for name in _REQUIRED):
                    raise self.where.error(
                        [*path, key, j], "model and messages cannot be dropped or blocked"
                    )
        return out

    def lists(self, data: Mapping[str, Any]) -> Lists:
        for key in ("deny_patterns", "allow_patterns"):
            for i, pattern in enumerate(data.get(key) or ()):
                try:  # the detection engine's own checks (regex syntax, length)
                    CustomTerms(deny_patterns=(pattern,))
                except ValueError as exc:
                    problem = str(exc).partition(" ")[2]  # drop its "<key>[0]"
                    raise self.where.error(["lists", key, i], problem) from None
        return Lists(
            deny_terms=tuple(data.get("deny_terms") or ()),
            deny_patterns=tuple(data.get("deny_patterns") or ()),
            allow_values=tuple(data.get("allow_values") or ()),
            allow_patterns=tuple(data.get("allow_patterns") or ()),
            fingerprints=frozenset(data.get("fingerprints") or ()),
        )
