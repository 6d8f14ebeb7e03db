"""Semantic checks a schema cannot express, and the data a valid file builds."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.decide import check_policy_file, parse_policy
from pipeline.decide.policy import Limits
from pipeline.errors import ConfigError
from pipeline.events import Action, Category

FP = "ab" * 32
BASE = """\
version: "7"
rules:
  - id: secrets.block
    category: secret
    action: block
"""


def reject(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_policy(text, name="p.yaml")
    return info.value


def test_rule_ids_are_unique_across_base_and_overrides() -> None:
    """A rule id used in the base and again in an override is rejected at the second use."""
    err = reject(
        BASE + "overrides:\n  - id: o\n    match: {tenant: t}\n    rules:\n"
        "      - {id: secrets.block, category: secret, action: allow}\n"
    )
    assert err.key == "overrides[0].rules[0].id"
    assert "(p.yaml line 10)" in str(err)


def test_builtin_rule_ids_are_reserved() -> None:
    """Rule ids starting with builtin: belong to the fallback rules."""
    assert reject(BASE.replace("secrets.block", "builtin:secret")).key == "rules[0].id"


def test_two_overrides_with_the_same_match_are_rejected() -> None:
    """Two overrides for the same scope would make precedence ambiguous."""
    err = reject(
        BASE + "overrides:\n  - id: a\n    match: {tenant: t}\n  - id: b\n    match: {tenant: t}\n"
    )
    assert err.key == "overrides[1].match"
    assert "overrides[0]" in str(err) and "(p.yaml line 10)" in str(err)


def test_override_destination_must_be_declared() -> None:
    """An override for a destination not under destinations is a typo, not a no-op."""
    err = reject(BASE + "overrides:\n  - id: a\n    match: {destination: nowhere}\n")
    assert err.key == "overrides[0].match.destination"


def test_bad_regular_expression_is_rejected_with_line() -> None:
    """A deny pattern that does not compile names its list index and line."""
    err = reject(BASE + "lists:\n  deny_patterns:\n    - ok\n    - '(unclosed'\n")
    assert err.key == "lists.deny_patterns[1]"
    assert "(p.yaml line 9)" in str(err) and "not a valid regex" in str(err)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    """A policy path that does not exist stops with a ConfigError naming policy_file."""
    with pytest.raises(ConfigError) as info:
        check_policy_file(tmp_path / "absent.yaml")
    assert info.value.key == "policy_file"


def test_valid_file_builds_every_section() -> None:
    """Rules, overrides, limits, retention, lists and destinations are all carried over."""
    policy = parse_policy(
        BASE
        + """\
  - id: people
    entity_type: [PERSON, LOCATION]
    action: redact
    operator: {name: mask, params: {keep_last: 2}}
limits: {max_prompt_chars: 10}
retention: {vault_ttl_seconds: 600}
lists: {deny_terms: [Bluebird], fingerprints: ['<FP>']}
opted_out_users: [u1]
reidentify: [PERSON]
destinations:
  internal: {models: [llama-*], classifications: [restricted], internal: true}
overrides:
  - id: acme
    match: {tenant: acme, destination: internal}
    reidentify: []
    limits: {max_prompt_bytes: 5}
""".replace("<FP>", FP)
    )
    people = policy.rules[1]
    assert people.entity_types == {"PERSON", "LOCATION"} and people.action is Action.REDACT
    assert people.operator is not None and people.operator.params == {"keep_last": 2}
    assert policy.rules[0].category is Category.SECRET
    assert policy.limits == Limits(max_prompt_chars=10)
    assert policy.vault_ttl_seconds == 600 and policy.quarantine_retention_days == 30
    assert policy.lists.deny_terms == ("Bluebird",) and policy.lists.fingerprints == {FP}
    assert policy.opted_out_users == {"u1"} and policy.reidentify == {"PERSON"}
    assert policy.destinations[0].internal and policy.destinations[0].serves("llama-3-70b")
    acme = policy.overrides[0]
    assert (acme.tenant, acme.app, acme.destination) == ("acme", None, "internal")
    assert acme.reidentify == frozenset() and acme.limits.max_prompt_bytes == 5
