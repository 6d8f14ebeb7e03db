"""The Chat Completions ⇄ event-contract mapping (pipeline/gateway/wire.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pipeline.contracts import validator
from pipeline.gateway import wire
from pipeline.gateway.wire import Identity, WireError

WHO = Identity("acme", "billing", "u-7", "conv-1")
SECRET = "ghp_" + "R8x2Lq9Vt4Nw7Kp3Zs6Yb1Hd5Fg0Jm2Cv4Xa"
TOOLS = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]


def body(**extra: Any) -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}], **extra}


def test_v1_event_is_valid_against_the_inbound_schema() -> None:
    event = wire.to_inbound(body(temperature=0.2), WHO, "gw-1", "v1", {"gateway_instance": "a"})
    validator("inbound.json").validate(event)
    assert (event["tenant"], event["app"], event["user"]) == ("acme", "billing", "u-7")
    assert event["conversation_id"] == "conv-1"
    assert event["messages"] == [{"role": "user", "content": "Hi"}]


def test_v1_joins_text_parts_and_maps_developer_to_system() -> None:
    messages = [
        {"role": "developer", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
    ]
    event = wire.to_inbound(body(messages=messages), WHO, "gw-1", "v1")
    assert event["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "a\nb"},
    ]


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"tools": TOOLS}, "tools"),
        ({"response_format": {"type": "json_object"}}, "response_format"),
        ({"n": 2}, "n"),
        (
            {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]},
            "messages[0].content",
        ),
        ({"messages": [{"role": "wizard", "content": "x"}]}, "messages[0].role"),
        ({"messages": []}, "messages"),
        ({"model": ""}, "model"),
    ],
)
def test_v1_refuses_what_it_cannot_carry(extra: dict[str, Any], param: str) -> None:
    with pytest.raises(WireError) as caught:
        wire.to_inbound(body(**extra), WHO, "gw-1", "v1")
    assert caught.value.param == param


def test_v2_carries_the_whole_body_including_tools() -> None:
    request = body(tools=TOOLS, tool_choice="auto", stream=True, n=2, seed=7)
    event = wire.to_inbound(request, WHO, "gw-2", "v2")
    assert event["schema_version"] == "v2"
    assert event["request"] == request
    assert "model" not in event and "messages" not in event
    assert (event["id"], event["tenant"], event["user"]) == ("gw-2", "acme", "u-7")


def test_request_ids_are_scoped_to_tenant_and_app() -> None:
    same = wire.request_id(WHO, "key-1")
    assert same == wire.request_id(WHO, "key-1")
    assert same != wire.request_id(Identity("globex", "billing", "u-7"), "key-1")
    assert same != wire.request_id(Identity("acme", "other", "u-7"), "key-1")
    assert wire.request_id(WHO, None) != wire.request_id(WHO, None)


def test_v1_response_becomes_a_chat_completion() -> None:
    record = {
        "id": "gw-1", "tenant": "acme", "user": "u", "status": "ok", "answer": "Hello",
        "finish_reason": "length", "model": "gpt-4o-mini",
        "usage": {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8},
    }
    completion = wire.completion_from_response(record, "asked")
    assert completion["object"] == "chat.completion"
    assert completion["choices"][0]["message"]["content"] == "Hello"
    assert completion["choices"][0]["finish_reason"] == "length"
    assert completion["usage"]["total_tokens"] == 8


def test_v2_response_passes_the_carried_completion_through() -> None:
    carried = {"id": "chatcmpl-x", "object": "chat.completion", "choices": [], "model": "m"}
    record = {"id": "gw-1", "status": "ok", "answer": "", "response": carried}
    assert wire.completion_from_response(record, "m") == carried


def test_quarantine_error_names_types_and_id_never_values() -> None:
    record = {
        "id": "gw-9", "tenant": "acme",
        "findings": [
            {"entity_type": "GITHUB_TOKEN", "start": 0, "end": 40},
            {"entity_type": "EMAIL_ADDRESS"}, {"entity_type": "GITHUB_TOKEN"},
        ],
        "original": {"ciphertext": SECRET},
    }
    reply = wire.error_for_quarantine(record)
    assert reply.status == 400
    error = reply.body["error"]
    assert error["code"] == "prompt_blocked" and error["type"] == "invalid_request_error"
    assert "EMAIL_ADDRESS, GITHUB_TOKEN" in error["message"] and "gw-9" in error["message"]
    assert error["quarantine_id"] == "gw-9"
    assert SECRET not in json.dumps(reply.body)


def test_dlq_error_carries_the_reason() -> None:
    reply = wire.error_for_dlq({"id": "gw-1", "reason": "schema_violation", "error": "x"})
    assert reply.status == 400 and reply.body["error"]["code"] == "schema_violation"


@pytest.mark.parametrize(
    ("record", "status"),
    [
        ({"reason": "http_400"}, 400),
        ({"reason": "http_503"}, 503),
        ({"reason": "malformed_reply"}, 502),
        ({"reason": "timeout"}, 504),
        ({"reason": "whatever", "upstream_status": 404}, 404),
    ],
)
def test_failed_response_maps_to_the_upstream_status(record: dict[str, Any], status: int) -> None:
    reply = wire.error_for_response({"id": "gw-1", "status": "failed", **record})
    assert reply is not None and reply.status == status
    assert reply.body["error"]["code"] == record["reason"]


def test_upstream_429_keeps_retry_after() -> None:
    record = {"id": "gw-1", "status": "failed", "reason": "http_429", "retry_after_seconds": 7}
    reply = wire.error_for_response(record)
    assert reply is not None and reply.status == 429 and reply.headers["Retry-After"] == "7"


def test_rejected_at_review_is_prompt_blocked() -> None:
    reply = wire.error_for_response({"id": "gw-1", "status": "rejected", "reason": "no"})
    assert reply is not None and reply.status == 400
    assert reply.body["error"]["code"] == "prompt_blocked"


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
