"""Review of a v2 quarantine record: masking, reveal and release work on the whole request."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest

from pipeline.contracts import validator
from pipeline.crypto import KeyRing
from pipeline.events import Action, Category, Decision, Finding
from pipeline.ingest import parse_inbound
from pipeline.quarantine.service import Reviewer
from pipeline.quarantine.settings import Role
from pipeline.quarantine.testing import memory_service
from pipeline.records import Identity, QuarantinedRequest
from tests.support.openai_requests import EMAIL, agent_request, event

REVIEWER = Reviewer("rita", Role.REVIEWER)
ARGS = "messages[3].tool_calls[0].function.arguments/customer/email"


def held(keyring: KeyRing) -> dict[str, Any]:
    """The v2 record classify writes for the agent request (email in the tool arguments)."""
    request = dict(agent_request(image=False))
    prompt = parse_inbound(orjson.dumps(event("p-v2", request)), 10**6)
    [(_, text)] = [(s, t) for u in prompt.units for s, t in u.segment_texts() if s.path == ARGS]
    finding = Finding("EMAIL_ADDRESS", Category.PII, 3, 0, len(text), 0.9, "Email", ARGS)
    original = keyring.encrypt(orjson.dumps({"request": request}), aad=b"p-v2")
    decision = Decision(Action.BLOCK, ("globex.pii.block",), ("1 finding → block",),
                        "confidential")
    return QuarantinedRequest(Identity("p-v2", "acme", "alice"), "gpt-4o", decision, (finding,),
                              original).to_dict()


@pytest.fixture
def service() -> Any:
    keyring = KeyRing.parse(KeyRing.generate_spec("k1"))
    svc, sink, _ = memory_service(keyring)
    record = held(keyring)
    validator("quarantine.json", "v2").validate(record)
    svc.store.apply_quarantined(record)
    return svc, sink


async def test_masked_view_masks_the_value_at_its_path(service: Any) -> None:
    svc, _ = service
    masked = await svc.masked(REVIEWER, "p-v2")
    [hit] = [m for m in masked if m.role.endswith(ARGS)]
    assert [s.masked for s in hit.segments] == [True]
    shown = "".join(s.text for m in masked for s in m.segments if not s.masked)
    assert "support@northwind.example" in shown  # unflagged text stays readable
    assert EMAIL not in "".join(s.text for s in hit.segments if not s.masked)


async def test_release_redacted_sends_a_v2_request_with_the_value_replaced(service: Any) -> None:
    svc, sink = service
    await svc.release(REVIEWER, "p-v2", "redacted")
    [approved] = [r.value for r in sink.records if r.topic == "prompts.approved"]
    validator("approved.json", "v2").validate(approved)
    args = json.loads(approved["request"]["messages"][3]["tool_calls"][0]["function"]["arguments"])
    assert args == {"customer": {"email": "<EMAIL_ADDRESS_1>", "name": "Jane Doe"}}
    assert approved["request"]["tools"] == dict(agent_request())["tools"]
    assert approved["released_by"] == "rita"


async def test_release_original_sends_the_request_as_received(service: Any) -> None:
    svc, sink = service
    await svc.release(REVIEWER, "p-v2", "original", "customer asked for it")
    [approved] = [r.value for r in sink.records if r.topic == "prompts.approved"]
    validator("approved.json", "v2").validate(approved)
    assert approved["request"] == dict(agent_request(image=False))


async def test_reveal_labels_each_text_with_its_path(service: Any) -> None:
    svc, _ = service
    revealed = await svc.reveal(REVIEWER, "p-v2")
    by_role = {m.role: m.content for m in revealed}
    assert by_role[f"assistant · {ARGS}"] == EMAIL


def _held_with_key_finding(keyring: KeyRing) -> dict[str, Any]:
    """Arguments keyed by an address: classify's record names that key by position."""
    from pipeline.ingest.segments import public_findings

    request = dict(agent_request(image=False))
    messages = [dict(m) for m in request["messages"]]
    call = dict(messages[3]["tool_calls"][0])
    call["function"] = {"name": "lookup", "arguments": json.dumps({EMAIL: {"tier": "gold"}})}
    messages[3] = {**messages[3], "tool_calls": [call]}
    request["messages"] = messages
    prompt = parse_inbound(orjson.dumps(event("p-key", request)), 10**6)
    key_path = "messages[3].tool_calls[0].function.arguments/" + EMAIL + "#"
    [(_, text)] = [(s, t) for u in prompt.units for s, t in u.segment_texts() if s.path == key_path]
    finding = Finding("EMAIL_ADDRESS", Category.PII, 3, 0, len(text), 0.9, "Email", key_path)
    [public] = public_findings(prompt.units, [finding])
    original = keyring.encrypt(orjson.dumps({"request": request}), aad=b"p-key")
    decision = Decision(Action.BLOCK, ("globex.pii.block",), ("1 finding → block",), "confidential")
    return QuarantinedRequest(Identity("p-key", "acme", "alice"), "gpt-4o", decision, (public,),
                              original).to_dict()


async def test_a_key_finding_is_masked_and_released_redacted_by_its_position() -> None:
    keyring = KeyRing.parse(KeyRing.generate_spec("k1"))
    svc, sink, _ = memory_service(keyring)
    record = _held_with_key_finding(keyring)
    assert EMAIL not in json.dumps(record["findings"])
    svc.store.apply_quarantined(record)
    masked = await svc.masked(REVIEWER, "p-key")
    base = "messages[3].tool_calls[0].function.arguments"
    [hit] = [m for m in masked if m.role.endswith(f"{base}/#0#")]
    assert [s.masked for s in hit.segments] == [True]
    assert all(EMAIL not in m.role for m in masked)  # labels name the key by position
    await svc.release(REVIEWER, "p-key", "redacted")
    [approved] = [r.value for r in sink.records if r.topic == "prompts.approved"]
    args = json.loads(approved["request"]["messages"][3]["tool_calls"][0]["function"]["arguments"])
    assert args == {"<EMAIL_ADDRESS_1>": {"tier": "gold"}}
