"""Rule precedence: most specific override first, entity type before category, thresholds."""

from __future__ import annotations

import pytest

from pipeline.decide import parse_policy
from pipeline.decide.policy import Override, Policy

from .conftest import finding

POLICY = parse_policy("""\
version: "p"
rules:
  - {id: base.pii, category: pii, action: redact, min_score: 0.5}
  - {id: base.person, entity_type: PERSON, action: allow, min_score: 0.8}
  - {id: base.secret, category: secret, action: block}
reidentify: [PERSON]
limits: {max_prompt_chars: 100}
destinations:
  ext: {models: [gpt-*], classifications: [public, internal]}
  int: {models: [llama-*], classifications: [restricted]}
overrides:
  - id: t
    match: {tenant: t}
    rules: [{id: t.pii, category: pii, action: block}]
    reidentify: [EMAIL_ADDRESS]
  - id: a
    match: {app: chat}
    rules: [{id: a.pii, category: pii, action: allow}]
    limits: {max_prompt_chars: 50}
  - id: d
    match: {destination: int}
    rules: [{id: d.pii, category: pii, action: allow}]
  - id: ta
    match: {tenant: t, app: chat}
    rules: [{id: ta.email, entity_type: EMAIL_ADDRESS, action: redact}]
  - id: td
    match: {tenant: t, destination: int}
    opted_out_users: [bob]
""")


def rule_id(
    tenant: str, app: str | None, dest: str | None, entity: str, score: float = 0.9
) -> str | None:
    rule = POLICY.scoped(tenant, app, dest).rule_for(finding(entity, score=score))
    return None if rule is None else rule.id


@pytest.mark.parametrize(
    ("tenant", "app", "dest", "entity", "expected"),
    [
        ("x", None, None, "EMAIL_ADDRESS", "base.pii"),  # base category rule
        ("x", None, None, "PERSON", "base.person"),  # entity type beats category in a layer
        ("t", None, None, "PERSON", "t.pii"),  # tenant category beats base entity type
        ("x", "chat", None, "EMAIL_ADDRESS", "a.pii"),
        ("t", "chat", None, "EMAIL_ADDRESS", "ta.email"),  # two keys beat one
        ("t", "chat", None, "PERSON", "t.pii"),  # falls through tenant+app to tenant
        ("t", None, "int", "PERSON", "t.pii"),  # tie on one key: tenant beats destination
        ("x", "chat", "int", "PERSON", "a.pii"),  # tie on one key: app beats destination
        ("x", None, "int", "PERSON", "d.pii"),
        ("x", None, "ext", "PERSON", "base.person"),  # other destination's override ignored
        ("x", None, None, "AWS_ACCESS_KEY_ID", "base.secret"),
        ("x", None, None, "DENY_TERM", "builtin:custom"),  # nothing names custom: fail closed
    ],
)
def test_most_specific_rule_wins(
    tenant: str, app: str | None, dest: str | None, entity: str, expected: str
) -> None:
    """The rule chosen follows the documented precedence."""
    assert rule_id(tenant, app, dest, entity) == expected


def test_below_threshold_falls_through_to_next_rule() -> None:
    """A finding under an entity rule's min_score is judged by the category rule below it."""
    assert rule_id("x", None, None, "PERSON", score=0.6) == "base.pii"


def test_below_every_threshold_is_ignored() -> None:
    """A finding under the min_score of every rule naming it is decided by no rule."""
    judgement = POLICY.scoped("x").judge(finding("PERSON", score=0.3))
    assert judgement.rule is None
    assert "base.person" in judgement.why and "base.pii" in judgement.why


def test_unknown_secret_type_blocks_by_category() -> None:
    """A secret type no rule names is still covered by the secret category rule."""
    rule = POLICY.scoped("x").rule_for(finding("BRAND_NEW_TOKEN"))
    assert rule is not None and rule.id == "base.secret"


def test_unknown_secret_type_blocks_without_any_rule() -> None:
    """With no rule at all for secrets, the built-in fallback blocks (fail closed)."""
    empty = Policy(version="e", rules=())
    rule = empty.scoped("x").rule_for(finding("BRAND_NEW_TOKEN", score=0.01))
    assert rule is not None and rule.id == "builtin:secret" and rule.action == "block"


def test_settings_take_the_most_specific_layer() -> None:
    """Reidentify and limits come from the most specific layer setting them; opt-outs add up."""
    assert POLICY.scoped("x").reidentify == {"PERSON"}
    assert POLICY.scoped("t").reidentify == {"EMAIL_ADDRESS"}
    assert POLICY.scoped("t", "chat").limits.max_prompt_chars == 50
    assert POLICY.scoped("t").limits.max_prompt_chars == 100
    assert POLICY.scoped("t", None, "int").opted_out_users == {"bob"}
    assert POLICY.scoped("t").opted_out_users == frozenset()


def test_specificity_orders_every_combination() -> None:
    """The seven scope shapes are totally ordered: key count first, then tenant > app > dest."""
    shapes = [
        Override("t", tenant="t"),
        Override("a", app="a"),
        Override("d", destination="d"),
        Override("ta", tenant="t", app="a"),
        Override("td", tenant="t", destination="d"),
        Override("ad", app="a", destination="d"),
        Override("tad", tenant="t", app="a", destination="d"),
    ]
    ranked = [o.id for o in sorted(shapes, key=lambda o: o.specificity, reverse=True)]
    assert ranked == ["tad", "ta", "td", "ad", "t", "a", "d"]


def test_destination_is_chosen_by_model_glob() -> None:
    """The first destination whose glob matches the model is the prompt's destination."""
    assert (d := POLICY.destination_for("gpt-4o")) is not None and d.name == "ext"
    assert (d := POLICY.destination_for("llama-3-8b")) is not None and d.name == "int"
    assert POLICY.destination_for("claude-3") is None
