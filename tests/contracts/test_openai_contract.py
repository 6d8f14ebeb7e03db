"""Contract v2 against the ``openai`` SDK: what its typed params allow, our schemas accept.

The union members, part types and create() parameters are read from the
SDK's own type definitions, so an SDK upgrade that adds a role, a part type
or a parameter fails here until the contract knows about it.
"""

from __future__ import annotations

import typing
from typing import Any

import orjson
import pytest
from openai.types.chat import (
    ChatCompletionAssistantMessageParam,
    ChatCompletionContentPartParam,
    ChatCompletionContentPartRefusalParam,
    ChatCompletionFunctionMessageParam,
    ChatCompletionMessageParam,
    ChatCompletionToolMessageParam,
    ChatCompletionUserMessageParam,
    completion_create_params,
)

from pipeline.contracts import schema, validator
from pipeline.crypto import KeyRing
from pipeline.events import SCHEMA_V2, Action, Category, Decision, Finding
from pipeline.ingest import parse_inbound
from pipeline.records import ApprovedRequest, AuditEvent, DeadLetter, Identity, QuarantinedRequest
from tests.support.openai_requests import agent_request, event

COMMON = schema("common.json", "v2")["$defs"]


def literal(tp: Any, key: str) -> str:
    """The single Literal value of TypedDict ``tp``'s ``key`` (role, type)."""
    hint = typing.get_type_hints(tp, include_extras=True)[key]
    while typing.get_origin(hint) in (typing.Required, typing.NotRequired):
        hint = typing.get_args(hint)[0]
    [value] = typing.get_args(hint)
    return str(value)


def test_every_sdk_message_role_is_in_the_contract() -> None:
    sdk = {literal(t, "role") for t in typing.get_args(ChatCompletionMessageParam)}
    assert sdk == set(COMMON["message"]["properties"]["role"]["enum"])


def test_every_sdk_content_part_type_is_in_the_contract() -> None:
    sdk = {literal(t, "type") for t in typing.get_args(ChatCompletionContentPartParam)}
    sdk.add(literal(ChatCompletionContentPartRefusalParam, "type"))
    assert sdk == set(COMMON["content_part"]["properties"]["type"]["enum"])


def test_every_create_parameter_is_accepted_and_kept() -> None:
    """Each parameter of ``chat.completions.create`` set at once: valid, parsed, kept."""
    params = set(typing.get_type_hints(completion_create_params.CompletionCreateParamsBase))
    full: dict[str, Any] = {
        **dict(agent_request()),
        "audio": {"voice": "alloy", "format": "mp3"},
        "frequency_penalty": 0.1,
        "function_call": "auto",
        "functions": [{"name": "legacy", "description": "old style", "parameters": {}}],
        "logit_bias": {"50256": -100},
        "logprobs": True,
        "max_tokens": 100,
        "modalities": ["text"],
        "moderation": {"model": "omni-moderation-latest", "policy": None},
        "prediction": {"type": "content", "content": "draft"},
        "presence_penalty": 0.0,
        "prompt_cache_key": "k1",
        "prompt_cache_options": {"mode": "implicit"},
        "prompt_cache_retention": "24h",
        "reasoning_effort": "low",
        "safety_identifier": "hash-1",
        "stream_options": {"include_usage": True},
        "top_logprobs": 2,
        "verbosity": "low",
        "web_search_options": {"search_context_size": "low"},
    }
    assert params <= set(full), f"not covered: {sorted(params - set(full))}"
    streaming = {**full, "stream": True}
    validator("inbound.json", SCHEMA_V2).validate(event("p", streaming))
    prompt = parse_inbound(orjson.dumps(event("p", streaming)), 10**6)
    assert dict(prompt.request) == streaming
    paths = {seg.path for u in prompt.units for seg in u.segments}
    assert {"functions[0].description", "prediction.content"} <= paths


def test_unknown_parameters_are_accepted_and_kept() -> None:
    request = {**dict(agent_request()), "x_new_param": {"a": [1, "two"]}}
    prompt = parse_inbound(orjson.dumps(event("p", request)), 10**6)
    assert prompt.request["x_new_param"] == {"a": [1, "two"]}


def test_each_sdk_message_form_validates() -> None:
    """Forms beyond the agent fixture: refusal parts, legacy function call and role, audio ref."""
    refusing: ChatCompletionAssistantMessageParam = {
        "role": "assistant",
        "content": [{"type": "text", "text": "I can't"}, {"type": "refusal", "refusal": "no"}],
        "refusal": "no",
        "audio": {"id": "audio_1"},
        "name": "bot",
    }
    legacy: ChatCompletionAssistantMessageParam = {
        "role": "assistant",
        "content": None,
        "function_call": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
    }
    function_result: ChatCompletionFunctionMessageParam = {
        "role": "function", "name": "get_weather", "content": None,
    }
    tool_parts: ChatCompletionToolMessageParam = {
        "role": "tool", "tool_call_id": "c", "content": [{"type": "text", "text": '{"ok": 1}'}],
    }
    media: ChatCompletionUserMessageParam = {
        "role": "user",
        "content": [
            {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
            {"type": "file", "file": {"file_id": "file-abc"}},
            {"type": "image_url", "image_url": {"url": "https://img.example/x.png"}},
        ],
    }
    messages: list[ChatCompletionMessageParam] = [refusing, legacy, function_result, tool_parts,
                                                  media]
    body = event("p", {"model": "gpt-4o", "messages": messages})
    validator("inbound.json", SCHEMA_V2).validate(body)
    prompt = parse_inbound(orjson.dumps(body), 10**6)
    paths = {seg.path for u in prompt.units for seg in u.segments}
    assert {"messages[0].content[1].refusal", "messages[0].refusal",
            "messages[1].function_call.arguments/city", "messages[3].content[0].text/ok"} <= paths
    assert [a.type for a in prompt.attachments] == ["input_audio", "file", "image_url"]


@pytest.mark.parametrize(
    "message",
    [
        {"role": "user"},  # no content
        {"role": "tool", "content": "x"},  # no tool_call_id
        {"role": "function", "content": "x"},  # no name
        {"role": "assistant", "tool_calls": [{"id": "c", "type": "function"}]},
        {"role": "user", "content": [{"type": "image_url"}]},
    ],
)
def test_what_the_api_would_refuse_is_refused(message: dict[str, Any]) -> None:
    body = event("p", {"model": "gpt-4o", "messages": [message]})
    assert not validator("inbound.json", SCHEMA_V2).is_valid(body)


def test_v1_events_remain_valid_v1() -> None:
    body = {"id": "p", "tenant": "t", "user": "u", "model": "m",
            "messages": [{"role": "user", "content": "hi"}]}
    validator("inbound.json").validate(body)
    assert parse_inbound(orjson.dumps(body), 10**6).request == {
        "model": "m", "messages": [{"role": "user", "content": "hi"}]
    }


def records() -> list[tuple[str, Any]]:
    keys = KeyRing.parse(KeyRing.generate_spec("k"))
    ident = Identity("p", "t", "u", "c", "crm")
    finding = Finding("EMAIL_ADDRESS", Category.PII, 3, 0, 5, 0.9, "Email",
                      "messages[3].tool_calls[0].function.arguments/customer/email")
    outside = Finding("PERSON", Category.PII, -1, 2, 4, 0.7, "Ner", "tools[0].function.description")
    decision = Decision(Action.REDACT, ("pii",), ("2 findings",), "confidential",
                        policy_version="p1", detector_version="d1")
    envelope = keys.encrypt(b"{}", aad=b"p")
    return [
        ("approved.json", ApprovedRequest(ident, dict(agent_request()), decision,
                                          (finding, outside), pseudonyms=envelope,
                                          created_at="2026-01-01T00:00:00Z")),
        ("quarantine.json", QuarantinedRequest(ident, "gpt-4o", decision, (finding,), envelope,
                                               ("user",), (12,))),
        ("dlq.json", DeadLetter("schema_violation", "bad", "classify", ("in", 0, 1), 3, envelope,
                                "p", "t")),
        ("audit.json", AuditEvent("decision", "classify-worker", "p", "t", "u", "approved",
                                  decision, (finding, outside))),
    ]


@pytest.mark.parametrize(("name", "record"), records(), ids=lambda x: getattr(x, "__name__", x))
def test_typed_records_round_trip_through_their_v2_schema(name: str, record: Any) -> None:
    """Built here, valid on the wire, parsed back equal."""
    wire = orjson.loads(orjson.dumps(record.to_dict()))
    validator(name, SCHEMA_V2).validate(wire)
    assert type(record).from_dict(wire) == record


def test_findings_carry_a_path_and_never_a_value() -> None:
    [(_, approved)] = records()[:1]
    wire = approved.to_dict()
    assert wire["findings"][0]["path"].endswith("/customer/email")
    assert "message_index" not in wire["findings"][1]  # a tool description is in no message
    wire["findings"][0]["text"] = "a@b.c"
    assert not validator("approved.json", SCHEMA_V2).is_valid(wire)
