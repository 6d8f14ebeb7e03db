"""The policy model: rules in layers, and the view of it one prompt gets.

``Policy`` is what a policy file says; ``Policy.scoped(tenant, app, destination)``
is the ``ScopedPolicy`` a prompt is judged by: its layers ordered most specific
first. The precedence is documented once, in ``schemas/policy.schema.json``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from pipeline.detect.custom import CustomTerms
from pipeline.errors import ConfigError
from pipeline.events import Action, Category, Finding

__all__ = [
    "ATTACHMENT_ACTIONS",
    "BUILTIN_RULES",
    "DEFAULT_ATTACHMENTS",
    "DEFAULT_QUARANTINE_RETENTION_DAYS",
    "DEFAULT_VAULT_TTL_SECONDS",
    "LEVELS",
    "DestinationPolicy",
    "Judgement",
    "Layer",
    "Limits",
    "Lists",
    "OperatorSpec",
    "Override",
    "Parameters",
    "Policy",
    "Rule",
    "ScopedPolicy",
]

LEVELS = ("public", "internal", "confidential", "restricted")
DEFAULT_VAULT_TTL_SECONDS = 24 * 3600
DEFAULT_QUARANTINE_RETENTION_DAYS = 30
DEFAULT_CLASSIFICATION: Mapping[str, str] = MappingProxyType(
    {"clean": "internal", "secret": "restricted", "pii": "confidential", "custom": "confidential"}
)
_EMPTY: Mapping[str, Any] = MappingProxyType({})
ATTACHMENT_ACTIONS = ("block", "strip", "allow")
_MAX_SCOPES = 4096  # distinct scopes remembered; past it the memo starts again
DEFAULT_ATTACHMENTS = "block"  # an image or file cannot be scanned: fail closed


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    """A redaction operator by registry name, with its parameters."""

    name: str
    params: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)


PLACEHOLDER = OperatorSpec("placeholder")


@dataclass(frozen=True, slots=True)
class Rule:
    """Action for findings of some entity types, or of one category, above a score."""

    id: str
    action: Action
    entity_types: frozenset[str] = frozenset()
    category: Category | None = None
    min_score: float = 0.0
    operator: OperatorSpec | None = None

    def names(self, finding: Finding) -> bool:
        """Whether this rule is written about the finding's entity type or category."""
        if self.entity_types:
            return finding.entity_type in self.entity_types
        return self.category == finding.category


BUILTIN_RULES: Mapping[Category, Rule] = MappingProxyType(
    {
        Category.SECRET: Rule("builtin:secret", Action.BLOCK, category=Category.SECRET),
        Category.PII: Rule("builtin:pii", Action.REDACT, category=Category.PII),
        Category.CUSTOM: Rule("builtin:custom", Action.BLOCK, category=Category.CUSTOM),
    }
)


@dataclass(frozen=True, slots=True)
class Limits:
    """Prompt size limits; ``None`` = not set at this layer."""

    max_prompt_chars: int | None = None
    max_prompt_bytes: int | None = None

    def under(self, other: Limits) -> Limits:
        """Return these limits, falling back to ``other`` where unset."""
        return Limits(
            self.max_prompt_chars if self.max_prompt_chars is not None else other.max_prompt_chars,
            self.max_prompt_bytes if self.max_prompt_bytes is not None else other.max_prompt_bytes,
        )


@dataclass(frozen=True, slots=True)
class Lists:
    """Organisation allow/deny lists for the detection engine."""

    deny_terms: tuple[str, ...] = ()
    deny_patterns: tuple[str, ...] = ()
    allow_values: tuple[str, ...] = ()
    allow_patterns: tuple[str, ...] = ()
    fingerprints: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Parameters:
    """Request parameters (fnmatch globs over top-level keys) a scope drops or blocks.

    Parameters are forwarded by default (unknown ones included); this is how a
    policy restricts them, e.g. per destination.
    """

    drop: tuple[str, ...] = ()
    block: tuple[str, ...] = ()

    def dropped(self, names: Iterable[str]) -> list[str]:
        return [n for n in names if any(fnmatch.fnmatchcase(n, g) for g in self.drop)]

    def blocked(self, names: Iterable[str]) -> list[str]:
        return [n for n in names if any(fnmatch.fnmatchcase(n, g) for g in self.block)]


@dataclass(frozen=True, slots=True)
class DestinationPolicy:
    """A named place prompts go, chosen by model glob, and what it may receive."""

    name: str
    models: tuple[str, ...]
    classifications: frozenset[str]
    internal: bool = False

    def serves(self, model: str) -> bool:
        return any(fnmatch.fnmatchcase(model, glob) for glob in self.models)


@dataclass(frozen=True, slots=True)
class Override:
    """A layer of rules and settings for one tenant / app / destination combination."""

    id: str
    tenant: str | None = None
    app: str | None = None
    destination: str | None = None
    rules: tuple[Rule, ...] = ()
    limits: Limits = Limits()
    reidentify: frozenset[str] | None = None
    opted_out_users: frozenset[str] = frozenset()
    attachments: str | None = None
    parameters: Parameters | None = None

    @property
    def specificity(self) -> tuple[int, bool, bool, bool]:
        """More keys named wins; then tenant > app > destination."""
        keys = (self.tenant is not None, self.app is not None, self.destination is not None)
        return (sum(keys), *keys)

    def applies(self, tenant: str, app: str | None, destination: str | None) -> bool:
        return (
            self.tenant in (None, tenant)
            and self.app in (None, app)
            and self.destination in (None, destination)
        )


@dataclass(frozen=True, slots=True)
class Layer:
    """The rules of one override (or the base rules), named for explanations."""

    name: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class Judgement:
    """Which rule decides a finding (``None``: below every threshold) and why."""

    rule: Rule | None
    why: str


@dataclass(frozen=True, slots=True)
class ScopedPolicy:
    """The policy as it applies to one tenant/app/destination: layers most specific first."""

    policy: Policy
    layers: tuple[Layer, ...]
    limits: Limits
    reidentify: frozenset[str]
    opted_out_users: frozenset[str]
    destination: DestinationPolicy | None
    attachments: str = DEFAULT_ATTACHMENTS
    parameters: Parameters = Parameters()

    def judge(self, finding: Finding) -> Judgement:
        """Apply the precedence of ``schemas/policy.schema.json`` to one finding."""
        below: list[str] = []
        for layer in self.layers:
            for by_type in (True, False):
                for rule in layer.rules:
                    if bool(rule.entity_types) != by_type or not rule.names(finding):
                        continue
                    if finding.score >= rule.min_score:
                        kind = "entity type" if by_type else "category"
                        return Judgement(rule, f"{kind} rule of {layer.name}")
                    below.append(rule.id)
        if below:
            return Judgement(None, f"score below min_score of {', '.join(below)}; ignored")
        return Judgement(
            BUILTIN_RULES[finding.category],
            f"no rule names {finding.entity_type} or {finding.category}; built-in fallback",
        )

    def rule_for(self, finding: Finding) -> Rule | None:
        """Return the rule deciding ``finding``; ``None`` below every naming rule's score."""
        return self.judge(finding).rule

    def operator_for(self, rule: Rule) -> OperatorSpec:
        return rule.operator or self.policy.default_operator

    def level_of(self, finding: Finding) -> str:
        """Classification level a finding gives the prompt (unknown → restricted)."""
        table = self.policy.classification
        return table.get(finding.entity_type) or table.get(str(finding.category), LEVELS[-1])


@dataclass(frozen=True, slots=True)
class Policy:
    """A validated policy file; build it with ``load_policy`` / ``check_policy_file``."""

    version: str
    rules: tuple[Rule, ...]
    overrides: tuple[Override, ...] = ()
    default_operator: OperatorSpec = PLACEHOLDER
    classification: Mapping[str, str] = field(default_factory=lambda: DEFAULT_CLASSIFICATION)
    limits: Limits = Limits()
    vault_ttl_seconds: int = DEFAULT_VAULT_TTL_SECONDS
    quarantine_retention_days: int = DEFAULT_QUARANTINE_RETENTION_DAYS
    lists: Lists = Lists()
    opted_out_users: frozenset[str] = frozenset()
    reidentify: frozenset[str] = frozenset()
    destinations: tuple[DestinationPolicy, ...] = ()
    attachments: str = DEFAULT_ATTACHMENTS
    parameters: Parameters = Parameters()
    source: str = field(default="<memory>", compare=False)
    # ``scoped`` per (tenant, app, destination): called several times per prompt, it only
    # depends on its arguments and this (frozen) policy.
    _scopes: dict[tuple[str, str | None, str | None], ScopedPolicy] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @property
    def clean_level(self) -> str:
        return self.classification.get("clean", DEFAULT_CLASSIFICATION["clean"])

    def destination_for(self, model: str) -> DestinationPolicy | None:
        """Return the first destination whose model globs match, if any."""
        return next((d for d in self.destinations if d.serves(model)), None)

    def scoped(
        self, tenant: str, app: str | None = None, destination: str | None = None
    ) -> ScopedPolicy:
        """Return the view of this policy for one scope: its layers, most specific first."""
        key = (tenant, app, destination)
        cached = self._scopes.get(key)
        if cached is None:
            if len(self._scopes) >= _MAX_SCOPES:
                self._scopes.clear()
            cached = self._scopes[key] = self._scope(tenant, app, destination)
        return cached

    def _scope(self, tenant: str, app: str | None, destination: str | None) -> ScopedPolicy:
        found = [o for o in self.overrides if o.applies(tenant, app, destination)]
        found.sort(key=lambda o: o.specificity, reverse=True)
        limits, reidentify, attachments = self.limits, self.reidentify, self.attachments
        parameters = self.parameters
        for o in reversed(found):  # least specific first, so the most specific wins
            limits = o.limits.under(limits)
            reidentify = o.reidentify if o.reidentify is not None else reidentify
            attachments = o.attachments if o.attachments is not None else attachments
            parameters = o.parameters if o.parameters is not None else parameters
        opted_out = self.opted_out_users.union(*(o.opted_out_users for o in found))
        dest = next((d for d in self.destinations if d.name == destination), None)
        return ScopedPolicy(
            self,
            (*(Layer(f"override {o.id}", o.rules) for o in found), Layer("base", self.rules)),
            limits,
            reidentify,
            opted_out,
            dest,
            attachments,
            parameters,
        )

    def custom_terms(self, fingerprint_key: bytes | None = None) -> CustomTerms:
        """Return the allow/deny lists as the detection engine takes them.

        ``fingerprint_key`` is the HMAC key (``Settings.hmac_key``); it is
        required when the policy lists fingerprints.
        """
        if self.lists.fingerprints and not fingerprint_key:
            raise ConfigError("hmac_key", "the policy lists fingerprints; set PROMPT_DLP_HMAC_KEY")
        return CustomTerms(
            deny_terms=frozenset(self.lists.deny_terms),
            deny_patterns=self.lists.deny_patterns,
            allow_values=frozenset(self.lists.allow_values),
            allow_patterns=self.lists.allow_patterns,
            fingerprints=self.lists.fingerprints,
            fingerprint_key=fingerprint_key,
        )
