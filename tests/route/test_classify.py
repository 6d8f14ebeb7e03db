"""The classify stage: one routed outcome per input, fail closed, contracts honoured."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import orjson
import pytest

from pipeline.config import Settings
from pipeline.contracts import validator
from pipeline.crypto import Envelope
from pipeline.decide.build import load_policy
from pipeline.detect.errors import DetectionTimeout, RecognizerFailed
from pipeline.engine import DlpEngine
from pipeline.events import Category, Finding, InboundPrompt
from pipeline.ingest.units import locate
from pipeline.metrics.catalog import DETECTION_FAILURE_KINDS
from pipeline.redact.vault import MappingVaultStore, open_book
from pipeline.route.classify import Classifier, RawEvent, Routed
from pipeline.wiring import VaultPolicyStage, key_ring

SECRET = "AKIAQWERTYUIOPASDFGH"
_PATTERNS = {
    "PERSON": (re.compile(r"\b(?:Alice Moreau|Bob Stone)\b"), Category.PII),
    "AWS_ACCESS_KEY_ID": (re.compile(r"\bAKIA[A-Z0-9]{16}\b"), Category.SECRET),
}
SCHEMA_OF = {"approved": "approved.json", "quarantine": "quarantine.json", "dlq": "dlq.json"}


class RegexDetect:
    """A deterministic detector double: two regexes over the prompt's text units (located on
    request paths like the engine stage's), optional failure on a marker."""

    version = "test-detect-1"

    def detect_many(self, prompts: Sequence[InboundPrompt]) -> list[list[Finding] | Exception]:
        out: list[list[Finding] | Exception] = []
        for prompt in prompts:
            if any("[[explode]]" in m.content for m in prompt.messages):
                out.append(RuntimeError("recognizer crashed"))
                continue
            found = [
                Finding(kind, cat, i, m.start(), m.end(), 0.9, "RegexDetect")
                for i, msg in enumerate(prompt.messages)
                for kind, (rx, cat) in _PATTERNS.items()
                for m in rx.finditer(msg.content)
            ]
            out.append(locate(prompt.units, found))
        return out


@pytest.fixture
def vault() -> dict[str, dict[str, Any]]:
    return {}


@pytest.fixture
def classifier(settings: Settings, vault: dict[str, dict[str, Any]]) -> Classifier:
    keys = key_ring(settings)
    detect = RegexDetect()
    engine = DlpEngine(settings, load_policy(settings.policy_file), detect, None)  # type: ignore[arg-type]
    policy = VaultPolicyStage(engine, keys, MappingVaultStore(vault))
    return Classifier(settings, detect, policy, keys)


def event(content: str, **extra: Any) -> bytes:
    body = {
        "id": extra.pop("id", "p-1"),
        "tenant": "t-acme",
        "user": "u-1",
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": content}],
        **extra,
    }
    return orjson.dumps(body)


def text_of(routed: Routed, index: int = 0) -> Any:
    value = routed.records[0].value
    assert value is not None
    return value["request"]["messages"][index]["content"]


def run(classifier: Classifier, *values: bytes | None) -> list[Routed]:
    return classifier.classify([RawEvent(v, "prompts.inbound", 0, n) for n, v in enumerate(values)])


def test_clean_prompt_is_approved_unchanged(classifier: Classifier) -> None:
    """No findings → approved with the exact original text, plus one audit record."""
    [routed] = run(classifier, event("What is a monad?"))
    assert routed.route == "approved"
    approved, audit = (r.value for r in routed.records)
    assert approved is not None and audit is not None
    assert approved["request"] == {
        "model": "gpt-4o", "messages": [{"role": "user", "content": "What is a monad?"}]
    }
    assert approved["decision"]["action"] == "allow"
    assert audit["event"] == "decision" and audit["route"] == "approved"


def test_personal_data_is_redacted_with_reversible_pseudonyms(
    classifier: Classifier, settings: Settings
) -> None:
    """A person's name is replaced by a typed placeholder; the sealed book restores it."""
    [routed] = run(classifier, event("Please email Alice Moreau today"))
    approved = routed.records[0].value
    assert approved is not None
    text = approved["request"]["messages"][0]["content"]
    assert "Alice Moreau" not in text
    assert text == "Please email <PERSON_1> today"
    book = open_book(approved["pseudonyms"], key_ring(settings), "p-1")
    assert book.original("<PERSON_1>") == "Alice Moreau"


def test_placeholders_are_consistent_across_turns(classifier: Classifier) -> None:
    """The same person gets the same placeholder in a later turn of the conversation."""
    first, second = run(
        classifier,
        event("Bob Stone and Alice Moreau met", id="p-1", conversation_id="c-1"),
        event("Did Alice Moreau reply?", id="p-2", conversation_id="c-1"),
    )
    assert text_of(first) == "<PERSON_1> and <PERSON_2> met"
    assert text_of(second) == "Did <PERSON_2> reply?"


def test_secret_is_quarantined_encrypted(classifier: Classifier, settings: Settings) -> None:
    """A credential blocks; the original travels only encrypted and decrypts exactly."""
    raw = event(f"my key is {SECRET}")
    [routed] = run(classifier, raw)
    assert routed.route == "quarantine"
    for record in routed.records:
        assert SECRET.encode() not in orjson.dumps(record.value)
    quarantined = routed.records[0].value
    assert quarantined is not None
    plain = key_ring(settings).decrypt(Envelope.from_dict(quarantined["original"]), b"p-1")
    assert orjson.loads(plain)["request"]["messages"][0]["content"] == f"my key is {SECRET}"
    assert quarantined["findings"][0]["entity_type"] == "AWS_ACCESS_KEY_ID"


def test_detector_failure_fails_closed(classifier: Classifier) -> None:
    """A detector that raises quarantines its event and leaves the neighbours alone."""
    bad, good = run(classifier, event("[[explode]] hi", id="p-bad"), event("hello", id="p-ok"))
    assert bad.route == "quarantine"
    assert bad.records[0].value["decision"]["rule_ids"] == ["fail-closed.detection-error"]  # type: ignore[index]
    assert bad.reason == "error"  # the metric label the catalog primes and the alert reads
    assert good.route == "approved"


@pytest.mark.parametrize(
    ("exc", "kind"),
    [(TimeoutError(), "timeout"), (DetectionTimeout("budget"), "timeout"),
     (RecognizerFailed("x"), "error"), (ValueError("bug"), "error")],
)
def test_failed_batches_carry_a_bounded_failure_kind(
    classifier: Classifier, exc: Exception, kind: str
) -> None:
    """What the agent counts as ``prompt_dlp_detection_failures_total{kind}``: timeout|error."""
    [routed] = classifier.fail_batch([RawEvent(event("hi"), "prompts.inbound", 0, 0)], exc)
    assert routed.route == "quarantine" and routed.reason == kind
    assert routed.reason in DETECTION_FAILURE_KINDS


@pytest.mark.parametrize("raw", [b"{not json", b"\xc3\x28", b"[]", None, event("x")[:-1]])
def test_unparseable_events_go_to_dlq_with_reason(
    classifier: Classifier, raw: bytes | None
) -> None:
    """Malformed input is dead-lettered with a reason, its bytes kept encrypted."""
    [routed] = run(classifier, raw)
    assert routed.route == "dlq"
    dlq = routed.records[0].value
    assert dlq is not None and dlq["reason"] and dlq["stage"] == "classify"
    assert dlq["source"] == {"topic": "prompts.inbound", "partition": 0, "offset": 0}
    assert ("payload" in dlq) == bool(raw)


def test_every_output_matches_its_contract(classifier: Classifier) -> None:
    """Approved, quarantine, DLQ and audit records all validate against schemas/v2."""
    outcomes = run(
        classifier,
        event("hi", id="a"),
        event(
            "Alice Moreau",
            id="b",
            conversation_id="c",
            app="crm",
            created_at="2026-01-02T03:04:05Z",
        ),
        event(SECRET, id="c"),
        b"{",
    )
    assert [o.route for o in outcomes] == ["approved", "approved", "quarantine", "dlq"]
    for outcome in outcomes:
        primary, audit = outcome.records
        validator(SCHEMA_OF[outcome.route], "v2").validate(primary.value)
        validator("audit.json", "v2").validate(audit.value)


def test_batch_order_and_count_are_preserved(classifier: Classifier) -> None:
    """Exactly one outcome per input, in input order."""
    values = [event("hi", id=f"p-{i}") if i % 3 else b"bad" for i in range(10)]
    outcomes = run(classifier, *values)
    assert len(outcomes) == 10
    assert [o.route for o in outcomes] == ["dlq" if i % 3 == 0 else "approved" for i in range(10)]


def agent_event(ident: str = "agent-1", **extra: Any) -> bytes:
    from tests.support.openai_requests import agent_request
    from tests.support.openai_requests import event as v2_event

    request = {**dict(agent_request()), **extra.pop("request", {})}
    return orjson.dumps(v2_event(ident, request, conversation_id="conv-1", **extra))


@pytest.fixture
def strip_classifier(settings: Settings, vault: dict[str, dict[str, Any]], tmp_path: Any) -> Any:
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(
        settings.policy_file.read_text().replace("attachments: block", "attachments: strip")
    )
    keys = key_ring(settings)
    detect = RegexDetect()
    engine = DlpEngine(settings, load_policy(policy_file), detect, None)  # type: ignore[arg-type]
    stage = VaultPolicyStage(engine, keys, MappingVaultStore(vault))
    return Classifier(settings, detect, stage, keys)


def test_v2_agent_request_is_redacted_inside_arguments_and_results(strip_classifier: Any) -> None:
    """A name in a text part, tool arguments and a tool result: one placeholder, JSON intact."""
    import json as _json

    body = orjson.loads(agent_event())
    body["request"]["messages"][3]["tool_calls"][0]["function"]["arguments"] = _json.dumps(
        {"customer": {"name": "Alice Moreau"}}
    )
    body["request"]["messages"][4]["content"] = _json.dumps({"rows": [{"owner": "Alice Moreau"}]})
    [routed] = run(strip_classifier, orjson.dumps(body))
    assert routed.route == "approved"
    approved = routed.records[0].value
    assert approved is not None
    validator("approved.json", "v2").validate(approved)
    messages = approved["request"]["messages"]
    call = _json.loads(messages[3]["tool_calls"][0]["function"]["arguments"])
    assert call == {"customer": {"name": "<PERSON_1>"}}
    assert _json.loads(messages[4]["content"]) == {"rows": [{"owner": "<PERSON_1>"}]}
    assert [p["type"] for p in messages[2]["content"]] == ["text"]  # the image was stripped
    assert {f["path"] for f in approved["findings"]} == {
        "messages[3].tool_calls[0].function.arguments/customer/name",
        "messages[4].content/rows/0/owner",
    }
    # every parameter is kept as sent
    original = orjson.loads(agent_event())["request"]
    assert {k: v for k, v in approved["request"].items() if k != "messages"} == {
        k: v for k, v in original.items() if k != "messages"
    }
    assert b"Alice Moreau" not in orjson.dumps(approved)


def test_v2_image_request_is_held_by_default_with_the_part_named(classifier: Classifier) -> None:
    [routed] = run(classifier, agent_event())
    assert routed.route == "quarantine"
    held = routed.records[0].value
    assert held is not None
    validator("quarantine.json", "v2").validate(held)
    assert held["decision"]["attachments"] == [
        {"path": "messages[2].content[1]", "type": "image_url", "action": "block"}
    ]
    assert held["message_roles"] == [
        "system", "developer", "user", "assistant", "tool", "tool", "user"
    ]


def test_v2_secret_in_a_tool_result_is_quarantined_with_the_whole_request_encrypted(
    classifier: Classifier, settings: Settings
) -> None:
    request = {"model": "gpt-4o", "messages": [
        {"role": "user", "content": "what is in the env?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "env", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": orjson.dumps({"AWS": SECRET}).decode()},
    ], "temperature": 0}
    from tests.support.openai_requests import event as v2_event

    [routed] = run(classifier, orjson.dumps(v2_event("s-1", request)))
    assert routed.route == "quarantine"
    for record in routed.records:
        assert SECRET.encode() not in orjson.dumps(record.value)
    held = routed.records[0].value
    assert held is not None
    assert held["findings"][0]["path"] == "messages[2].content/AWS"
    plain = key_ring(settings).decrypt(Envelope.from_dict(held["original"]), b"s-1")
    assert orjson.loads(plain) == {"request": request}
    audit = routed.records[1].value
    assert audit is not None
    validator("audit.json", "v2").validate(audit)


def test_v2_a_key_that_is_a_value_never_appears_in_a_record(strip_classifier: Any) -> None:
    """Tool arguments keyed by a person's name: the key is redacted in the request, and the
    findings' paths name that member by its position, not by the name (approved, audit)."""
    import json as _json

    body = orjson.loads(agent_event())
    body["request"]["messages"][3]["tool_calls"][0]["function"]["arguments"] = _json.dumps(
        {"plan": "gold", "Alice Moreau": {"note": "Bob Stone called"}}
    )
    [routed] = run(strip_classifier, orjson.dumps(body))
    assert routed.route == "approved"
    for record in routed.records:
        dumped = orjson.dumps(record.value)
        assert b"Alice Moreau" not in dumped and b"Bob Stone" not in dumped
    approved = routed.records[0].value
    assert approved is not None
    validator("approved.json", "v2").validate(approved)
    base = "messages[3].tool_calls[0].function.arguments"
    assert {f["path"] for f in approved["findings"]} == {f"{base}/#1#", f"{base}/#1/note"}
    call = _json.loads(approved["request"]["messages"][3]["tool_calls"][0]["function"]["arguments"])
    assert call == {"plan": "gold", "<PERSON_1>": {"note": "<PERSON_2> called"}}


def test_v2_a_held_key_that_is_a_value_is_named_by_position(classifier: Classifier) -> None:
    request = {"model": "gpt-4o", "messages": [
        {"role": "user", "content": "store this"},
        {"role": "tool", "tool_call_id": "c1",
         "content": orjson.dumps({"AKIA" + "Q3EXAMPLE7KEYZZ9": "prod"}).decode()},
    ]}
    from tests.support.openai_requests import event as v2_event

    [routed] = run(classifier, orjson.dumps(v2_event("k-1", request)))
    assert routed.route == "quarantine"
    for record in routed.records:
        assert b"AKIAQ3EXAMPLE7KEYZZ9" not in orjson.dumps(record.value)
    held = routed.records[0].value
    assert held is not None
    assert [f["path"] for f in held["findings"]] == ["messages[1].content/#0#"]
