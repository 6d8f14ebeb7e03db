"""decide(): actions, rule ids, reasons, classification, destination; explain()."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pipeline.decide import decide, explain, explain_event, load_policy, parse_policy
from pipeline.decide.engine import CLEAN_RULE_ID
from pipeline.events import Action, Decision

from .conftest import finding, prompt

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = load_policy(ROOT / "pipeline" / "decide" / "default_policy.yaml")
EXAMPLE = load_policy(ROOT / "deploy" / "policies" / "example.yaml")
SECRET_TEXT = "key AKIAZZZZZZZZZZZZZZZZ and Jane Roe"


def decision_schema() -> dict[str, Any]:
    common = json.loads((ROOT / "schemas" / "v1" / "common.json").read_text())
    return {"$defs": common["$defs"], "$ref": "#/$defs/decision"}


def assert_valid(decision: Decision) -> None:
    jsonschema.Draft202012Validator(decision_schema()).validate(decision.to_dict())


@pytest.mark.parametrize(
    ("entities", "action", "rule_ids", "classification"),
    [
        ([], Action.ALLOW, (CLEAN_RULE_ID,), "internal"),
        (["PERSON"], Action.REDACT, ("pii.redact",), "confidential"),
        (["AWS_ACCESS_KEY_ID"], Action.BLOCK, ("secrets.block",), "restricted"),
        (["BRAND_NEW_TOKEN"], Action.BLOCK, ("secrets.block",), "restricted"),
        (["DENY_TERM"], Action.BLOCK, ("custom.block",), "confidential"),
        (["PERSON", "GITHUB_TOKEN"], Action.BLOCK, ("pii.redact", "secrets.block"), "restricted"),
    ],
)
def test_default_policy(
    entities: list[str], action: Action, rule_ids: tuple[str, ...], classification: str
) -> None:
    """The shipped default blocks secrets and deny terms, redacts PII, allows the rest."""
    d = decide(prompt(), [finding(e) for e in entities], DEFAULT, detector_version="det-3")
    assert (d.action, d.rule_ids, d.classification) == (action, rule_ids, classification)
    assert d.policy_version == DEFAULT.version and d.detector_version == "det-3"
    assert len(d.reasons) == len(d.rule_ids)
    assert_valid(d)


def test_low_score_pii_is_ignored_by_default() -> None:
    """PII under the default min_score neither redacts nor raises the classification."""
    d = decide(prompt(), [finding("PERSON", score=0.2)], DEFAULT)
    assert (d.action, d.rule_ids, d.classification) == (Action.ALLOW, (CLEAN_RULE_ID,), "internal")


def test_reasons_never_contain_the_detected_value() -> None:
    """Reasons name rules, types and counts, never the text of a finding."""
    findings = [finding("AWS_ACCESS_KEY_ID", 4, 24), finding("PERSON", 29, 37)]
    d = decide(prompt(SECRET_TEXT), findings, DEFAULT)
    text = json.dumps(d.to_dict())
    assert "AKIAZZZZ" not in text and "Jane" not in text
    assert d.reasons[d.rule_ids.index("secrets.block")] == "1 finding (AWS_ACCESS_KEY_ID) → block"


def test_opted_out_user_is_blocked() -> None:
    """A user on the opted-out list is blocked with the reason 'user opted out'."""
    d = decide(prompt(user="u-4412", model="llama-3"), [], EXAMPLE)
    assert d.action is Action.BLOCK and "opted-out-user" in d.rule_ids
    assert "user opted out" in d.reasons


@pytest.mark.parametrize(
    ("text", "limit_key", "words"),
    [("x" * 11, "max_prompt_chars", "11 characters"), ("é" * 6, "max_prompt_bytes", "12 bytes")],
)
def test_oversized_prompt_is_blocked(text: str, limit_key: str, words: str) -> None:
    """A prompt over the character or byte limit is blocked, saying by how much."""
    policy = parse_policy(f'version: "1"\nrules: []\nlimits: {{{limit_key}: 10}}\n')
    d = decide(prompt(text), [], policy)
    assert d.action is Action.BLOCK and d.rule_ids == ("max-prompt-size",)
    assert words in d.reasons[0] and "10" in d.reasons[0]


def test_model_outside_every_destination_is_blocked() -> None:
    """When destinations are listed, a model none of them serves is blocked."""
    d = decide(prompt(model="claude-3"), [], EXAMPLE)
    assert d.action is Action.BLOCK and d.rule_ids == ("unknown-destination",)
    assert d.destination is None


def test_destination_is_named_on_the_decision() -> None:
    """The destination chosen by the model map travels on the decision."""
    d = decide(prompt(model="gpt-4o-mini"), [], EXAMPLE)
    assert (d.action, d.destination) == (Action.ALLOW, "openai")
    assert_valid(d)


def test_redacted_pii_may_go_to_external_destination() -> None:
    """Redacted findings do not count against what a destination may receive."""
    d = decide(prompt(model="gpt-4o"), [finding("PERSON")], EXAMPLE)
    assert (d.action, d.classification, d.destination) == (Action.REDACT, "confidential", "openai")


def test_pii_in_clear_goes_only_to_internal_destination() -> None:
    """PII allowed in clear to the internal model is fine there."""
    d = decide(prompt(model="llama-3-70b"), [finding("PERSON")], EXAMPLE)
    assert (d.action, d.rule_ids, d.destination) == (
        Action.ALLOW,
        ("internal.pii.allow",),
        "internal-llm",
    )


def test_content_above_destination_classifications_is_blocked() -> None:
    """A tenant allowing PII in clear cannot send it to a destination not cleared for it."""
    policy = parse_policy("""\
version: "1"
rules: [{id: pii.allow, category: pii, action: allow}]
destinations:
  ext: {models: ["*"], classifications: [public, internal]}
""")
    d = decide(prompt(), [finding("PERSON")], policy)
    assert d.action is Action.BLOCK and d.rule_ids == ("pii.allow", "destination:ext")
    assert d.reasons[1] == "confidential content may not be sent to ext"


def test_tenant_override_blocks_all_personal_data() -> None:
    """Globex blocks PII that every other tenant gets redacted, even to the internal model."""
    for model in ("gpt-4o", "llama-3"):
        d = decide(prompt(tenant="globex", model=model), [finding("EMAIL_ADDRESS")], EXAMPLE)
        assert (d.action, d.rule_ids) == (Action.BLOCK, ("globex.pii.block",))
    other = decide(prompt(tenant="acme"), [finding("EMAIL_ADDRESS")], EXAMPLE)
    assert (other.action, other.rule_ids) == (Action.REDACT, ("pii.redact",))


def test_app_override_applies_only_to_that_tenant_and_app() -> None:
    """Initech's HR assistant hashes names; Initech's other apps use the base rule."""
    f = [finding("PERSON")]
    hr = decide(prompt(tenant="initech", app="hr-assistant"), f, EXAMPLE)
    assert hr.rule_ids == ("initech.hr.person",)
    assert decide(prompt(tenant="initech", app="wiki"), f, EXAMPLE).rule_ids == ("pii.redact",)
    assert decide(prompt(tenant="acme", app="hr-assistant"), f, EXAMPLE).rule_ids == ("pii.redact",)


def test_allow_rule_ids_are_named_too() -> None:
    """Allow rules that fired are listed, so an audit shows why a finding passed."""
    d = decide(prompt(), [finding("IP_ADDRESS"), finding("PERSON")], EXAMPLE)
    assert d.action is Action.REDACT and d.rule_ids == ("ip.allow", "pii.redact")


def test_explain_lists_rule_per_finding_without_values() -> None:
    """explain() gives entity, message, offsets, score, rule id, action and why per finding."""
    findings = [finding("AWS_ACCESS_KEY_ID", 4, 24), finding("PERSON", 29, 37, score=0.1)]
    rows = explain(prompt(SECRET_TEXT), findings, DEFAULT)
    secret, person = rows
    assert secret["rule_id"] == "secrets.block" and secret["action"] == "block"
    assert (secret["message_index"], secret["start"], secret["end"]) == (0, 4, 24)
    assert secret["why"] == "category rule of base" and secret["operator"] == "placeholder"
    assert person["rule_id"] is None and person["action"] == "ignored"
    assert "min_score" in person["why"]
    assert "AKIAZZZZ" not in json.dumps(rows) and "Jane" not in json.dumps(rows)


def test_explain_includes_prompt_wide_rules() -> None:
    """Opt-out and size rules appear as prompt-scope rows."""
    rows = explain(prompt(user="u-4412", model="gpt-4o"), [], EXAMPLE)
    assert rows == [
        {"scope": "prompt", "rule_id": "opted-out-user", "action": "block", "why": "user opted out"}
    ]


def test_explain_event_reads_event_dicts() -> None:
    """explain_event takes the event JSON and finding dicts, as the CLI reads them."""
    event = {
        "id": "e1",
        "tenant": "globex",
        "user": "u",
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "hi Jane"}],
        "findings": [finding("PERSON", 3, 7).to_dict()],
    }
    out = explain_event(event, None, EXAMPLE)
    assert out["decision"]["action"] == "block"
    assert out["decision"]["rule_ids"] == ["globex.pii.block"]
    assert out["rules"][0]["entity_type"] == "PERSON"
    assert explain_event(event, [], EXAMPLE)["decision"]["action"] == "allow"
