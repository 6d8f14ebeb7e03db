"""Request policies: attachments (block, strip, allow) and parameters (drop, block), per scope."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from pipeline.decide import decide, parse_policy
from pipeline.decide.build import load_policy
from pipeline.errors import ConfigError
from pipeline.events import Action
from pipeline.ingest import parse_inbound
from tests.support.openai_requests import agent_request, event

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = load_policy(ROOT / "pipeline" / "decide" / "default_policy.yaml")
BASE = """\
version: "t"
rules: [{id: pii, category: pii, action: redact}]
"""


def image_prompt(model: str = "gpt-4o"):  # type: ignore[no-untyped-def]
    request = {**dict(agent_request()), "model": model}
    return parse_inbound(orjson.dumps(event("p", request)), 1_000_000)


def test_default_blocks_and_names_the_part() -> None:
    """Fail closed: an unscannable part holds the prompt; the reason says which part it was."""
    decision = decide(image_prompt(), [], DEFAULT)
    assert decision.action is Action.BLOCK
    assert "attachments.block" in decision.rule_ids
    reason = decision.reasons[decision.rule_ids.index("attachments.block")]
    assert "image_url at messages[2].content[1]" in reason
    assert [(a.path, a.type, a.action) for a in decision.attachments] == [
        ("messages[2].content[1]", "image_url", "block")
    ]


@pytest.mark.parametrize(("setting", "action"), [("strip", Action.REDACT), ("allow", Action.ALLOW)])
def test_strip_and_allow(setting: str, action: Action) -> None:
    policy = parse_policy(BASE + f"attachments: {setting}\n")
    decision = decide(image_prompt(), [], policy)
    assert decision.action is action
    assert decision.rule_ids == (f"attachments.{setting}",)
    assert decision.attachments[0].action == setting


def test_a_destination_override_restricts_attachments() -> None:
    """Allowed in general, blocked for one destination."""
    policy = parse_policy(BASE + """\
attachments: allow
destinations:
  internal: {models: ["llama-*"], classifications: [public, internal, confidential, restricted]}
  openai: {models: ["gpt-*"], classifications: [public, internal, confidential, restricted]}
overrides:
  - {id: no-images-out, match: {destination: openai}, attachments: block}
""")
    assert decide(image_prompt("llama-3"), [], policy).action is Action.ALLOW
    assert decide(image_prompt("gpt-4o"), [], policy).action is Action.BLOCK


def test_no_attachments_no_rule() -> None:
    prompt = parse_inbound(orjson.dumps(event("p", dict(agent_request(image=False)))), 1_000_000)
    decision = decide(prompt, [], DEFAULT)
    assert not decision.attachments
    assert not any(r.startswith("attachments.") for r in decision.rule_ids)


def test_unknown_setting_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="attachments"):
        parse_policy(BASE + "attachments: scan\n")


def test_decision_with_attachments_matches_the_v2_contract() -> None:
    import jsonschema

    common = json.loads((ROOT / "schemas" / "v2" / "common.json").read_text())
    schema = {"$defs": common["$defs"], "$ref": "#/$defs/decision"}
    jsonschema.Draft202012Validator(schema).validate(decide(image_prompt(), [], DEFAULT).to_dict())


def test_parameters_are_kept_unless_a_destination_drops_or_blocks_them() -> None:
    """Allow by default; an override restricts what one destination receives."""
    from pipeline.redact.engine import redact_request
    from pipeline.redact.pseudonyms import PseudonymBook

    policy = parse_policy(BASE + """\
attachments: allow
destinations:
  internal: {models: ["llama-*"], classifications: [public, internal, confidential, restricted]}
  openai: {models: ["gpt-*"], classifications: [public, internal, confidential, restricted]}
overrides:
  - id: openai-params
    match: {destination: openai}
    parameters: {drop: [metadata, "x_*"], block: [logit_bias]}
""")

    def judged(model: str, **extra: object):  # type: ignore[no-untyped-def]
        request = {**dict(agent_request()), "model": model, "x_trace": "t1", **extra}
        prompt = parse_inbound(orjson.dumps(event("p", request)), 1_000_000)
        decision = decide(prompt, [], policy)
        return decision, redact_request(prompt, [], decision, policy, PseudonymBook())

    decision, sent = judged("llama-3")
    assert decision.action is Action.ALLOW and sent["metadata"] == {"ticket": "T-88"}
    assert sent["x_trace"] == "t1"
    decision, sent = judged("gpt-4o")
    assert decision.action is Action.REDACT and "parameters.drop" in decision.rule_ids
    assert "metadata" not in sent and "x_trace" not in sent and sent["seed"] == 7
    decision, _ = judged("gpt-4o", logit_bias={"1": 1})
    assert decision.action is Action.BLOCK and "parameters.block" in decision.rule_ids


def test_model_and_messages_cannot_be_restricted() -> None:
    with pytest.raises(ConfigError, match="model and messages"):
        parse_policy(BASE + "parameters: {drop: ['m*']}\n")
