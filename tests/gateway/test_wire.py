"""The Chat Completions ⇄ event-contract mapping (pipeline/gateway/wire.py).

Failed responses are built with dispatch's own builder and quarantine records
with the quarantine test builder, so the mapping is checked against the field
names the pipeline really writes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pipeline.contracts import validator
from pipeline.crypto import KeyRing
from pipeline.dispatch.records import failed_response
from pipeline.dispatch.request import DispatchRequest
from pipeline.gateway import wire
from pipeline.gateway.wire import Identity, WireError
from pipeline.quarantine.testing import quarantine_record

WHO = Identity("acme", "billing", "u-7", "conv-1")
SECRET = "ghp_" + "R8x2Lq9Vt4Nw7Kp3Zs6Yb1Hd5Fg0Jm2Cv4Xa"
TOOLS = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
KEYS = KeyRing.parse(KeyRing.generate_spec())
IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}


def body(**extra: Any) -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}], **extra}


@pytest.mark.parametrize(
    "extra",
    [
        {"temperature": 0.2},
        {"tools": TOOLS, "tool_choice": "auto"},
        {"response_format": {"type": "json_object"}},
        {"n": 2, "seed": 7},
        {"stream": True, "stream_options": {"include_usage": True}},
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "see"}, IMAGE]}]},
        {"messages": [
            {"role": "user", "content": "look it up"},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_1", "type": "function",
                 "function": {"name": "lookup", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "{\"ok\": true}"},
        ]},
    ],
)
def test_v2_event_carries_the_whole_body_and_is_valid(extra: dict[str, Any]) -> None:
    request = body(**extra)
    event = wire.to_inbound(request, WHO, "gw-2", {"gateway_instance": "a"})
    validator("inbound.json", "v2").validate(event)
    assert event["schema_version"] == "v2" and event["request"] == request
    assert "model" not in event and "messages" not in event
    assert (event["id"], event["tenant"], event["app"], event["user"]) == (
        "gw-2", "acme", "billing", "u-7")
    assert event["conversation_id"] == "conv-1"


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"messages": [{"content": "x"}]}, "messages[0]"),
        ({"messages": []}, "messages"),
        ({"model": ""}, "model"),
    ],
)
def test_requests_without_model_or_messages_are_refused(extra: dict[str, Any], param: str) -> None:
    with pytest.raises(WireError) as caught:
        wire.to_inbound(body(**extra), WHO, "gw-1")
    assert caught.value.param == param


def test_request_ids_are_scoped_to_tenant_and_app() -> None:
    same = wire.request_id(WHO, "key-1")
    assert same == wire.request_id(WHO, "key-1")
    assert same != wire.request_id(Identity("globex", "billing", "u-7"), "key-1")
    assert same != wire.request_id(Identity("acme", "other", "u-7"), "key-1")
    assert wire.request_id(WHO, None) != wire.request_id(WHO, None)


def test_ok_response_passes_the_carried_completion_through() -> None:
    carried = {"id": "chatcmpl-x", "object": "chat.completion", "choices": [], "model": "m"}
    record = {"id": "gw-1", "status": "ok", "answer": "", "response": carried}
    assert wire.completion_from_response(record) == carried


def test_ok_response_without_a_completion_is_not_made_up() -> None:
    with pytest.raises(wire.MalformedRecord):
        wire.completion_from_response({"id": "gw-1", "status": "ok", "answer": "Hello"})


def test_quarantine_error_names_types_and_id_never_values() -> None:
    findings = [
        {"entity_type": "GITHUB_TOKEN", "start": 0, "end": 40},
        {"entity_type": "EMAIL_ADDRESS"}, {"entity_type": "GITHUB_TOKEN"},
    ]
    record = quarantine_record(KEYS, "gw-9", [("user", SECRET)], findings)
    reply = wire.error_for_quarantine(record)
    assert reply.status == 400
    error = reply.body["error"]
    assert error["code"] == "prompt_blocked" and error["type"] == "invalid_request_error"
    assert "EMAIL_ADDRESS, GITHUB_TOKEN" in error["message"] and "gw-9" in error["message"]
    assert error["quarantine_id"] == "gw-9" and error["param"] == "messages"
    assert SECRET not in json.dumps(reply.body)


def test_a_blocked_image_part_is_named_by_its_path() -> None:
    record = quarantine_record(KEYS, "gw-3", [("user", "see")], [])
    record["decision"] = {"action": "block", "rule_ids": ["attachments.block"], "reasons": [],
                          "attachments": [{"path": "messages[0].content[1]",
                                           "type": "image_url", "action": "block"}]}
    error = wire.error_for_quarantine(record).body["error"]
    assert error["param"] == "messages[0].content[1]"
    assert "image_url at messages[0].content[1]" in error["message"]
    assert error["blocked_parts"] == [{"type": "image_url", "path": "messages[0].content[1]"}]


def test_dlq_error_carries_the_reason() -> None:
    reply = wire.error_for_dlq({"id": "gw-1", "reason": "schema_violation", "error": "x"})
    assert reply.status == 400 and reply.body["error"]["code"] == "schema_violation"


def _failed(reason: str, retry_after: float | None = None) -> dict[str, Any]:
    event = {"schema_version": "v2", "id": "gw-1", "tenant": "acme", "user": "u",
             "request": body(), "decision": {}}
    return failed_response(
        DispatchRequest.from_event(event), reason, reason, "default", retry_after
    )


@pytest.mark.parametrize(
    ("reason", "status", "code"),
    [
        ("http_400", 400, "http_400"),
        ("http_401", 401, "http_401"),
        ("http_403", 403, "http_403"),
        ("http_404", 404, "http_404"),
        ("http_422", 422, "http_422"),
        ("http_503", 503, "http_503"),
        ("http_500", 502, "http_500"),
        ("http_504", 502, "http_504"),
        ("circuit_open", 503, "circuit_open"),
        ("malformed_reply", 502, "malformed_reply"),
        ("timeout", 504, "timeout"),
        ("connection_error", 502, "connection_error"),
        ("outcome_unknown", 502, "outcome_unknown"),
        ("response_guard_failed", 500, "response_guard_failed"),
    ],
)
def test_failed_response_maps_to_the_upstream_status(reason: str, status: int, code: str) -> None:
    reply = wire.error_for_response(_failed(reason))
    assert reply is not None and reply.status == status
    assert reply.body["error"]["code"] == code


def test_upstream_429_says_when_to_retry() -> None:
    reply = wire.error_for_response(_failed("http_429"))
    assert reply is not None and reply.status == 429
    assert reply.body["error"]["type"] == "requests"
    assert int(reply.headers["Retry-After"]) >= 1


def test_upstream_429_passes_on_the_upstream_retry_after() -> None:
    reply = wire.error_for_response(_failed("http_429", 2.2))
    assert reply is not None and reply.status == 429
    assert reply.headers == {"Retry-After": "3", "retry-after-ms": "2200"}  # seconds rounded up


def test_upstream_503_retry_after_is_passed_on_and_absent_when_unknown() -> None:
    reply = wire.error_for_response(_failed("http_503", 7))
    assert reply is not None and reply.headers["Retry-After"] == "7"
    bare = wire.error_for_response(_failed("http_503"))
    assert bare is not None and bare.status == 503 and bare.headers == {}


def test_failure_messages_name_the_code_not_the_upstream_text() -> None:
    record = _failed("http_400")
    record["error"]["message"] = "your prompt 'SECRET-TEXT' is bad"  # whatever an upstream said
    reply = wire.error_for_response(record)
    assert reply is not None and "SECRET" not in str(reply.body)


def test_failed_stream_final_record_is_an_error() -> None:
    final = {"id": "gw-1", "seq": 4, "chunk": None, "final": True, "status": "failed",
             "reason": "http_502"}
    reply = wire.error_for_failure(final)
    assert reply.status == 502 and reply.body["error"]["code"] == "http_502"


def test_rejected_at_review_is_prompt_blocked() -> None:
    reply = wire.error_for_response({"id": "gw-1", "status": "rejected", "reason": "no"})
    assert reply is not None and reply.status == 400
    assert reply.body["error"]["code"] == "prompt_blocked"


def test_usage_chunk_only_for_clients_that_asked() -> None:
    head = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    text = {**head, "choices": [{"index": 0, "delta": {"content": "a"}}], "usage": None}
    usage = {**head, "choices": [], "usage": {"total_tokens": 3}}
    assert wire.client_chunk(usage, include_usage=False) is None
    assert wire.client_chunk(usage, include_usage=True) == usage
    assert "usage" not in (wire.client_chunk(text, include_usage=False) or {})
    assert wire.client_chunk(text, include_usage=True) == text


def test_completion_replays_as_openai_chunks() -> None:
    completion = {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 5, "model": "m",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": None,
            "tool_calls": [{"id": "call_1", "type": "function",
                            "function": {"name": "lookup", "arguments": "{}"}}],
        }}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    }
    chunks = wire.chunks_from_completion(completion, include_usage=True)
    assert all(c["object"] == "chat.completion.chunk" and c["id"] == "chatcmpl-1" for c in chunks)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    call = chunks[1]["choices"][0]["delta"]["tool_calls"][0]
    assert call["index"] == 0 and call["function"]["name"] == "lookup"
    assert chunks[2]["choices"][0]["finish_reason"] == "tool_calls"
    assert chunks[3]["choices"] == [] and chunks[3]["usage"]["total_tokens"] == 3
    assert wire.chunks_from_completion(completion)[-1]["choices"] != []
