"""The mock LLM behaves like an idempotency-aware OpenAI-compatible gateway with faults."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from pipeline.mockllm import MockConfig, build_app


@pytest.fixture
async def client() -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(build_app(MockConfig(latency_ms=1)))) as c:
        yield c


def body(text: str = "hi") -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]}


async def chat(client: TestClient[Any, Any], text: str = "hi", **headers: str) -> Any:
    return await client.post("/v1/chat/completions", json=body(text), headers=headers)


async def test_reply_is_a_chat_completion_with_usage(client: TestClient[Any, Any]) -> None:
    resp = await chat(client, **{"X-Prompt-Id": "p1"})
    data = await resp.json()
    assert resp.status == 200 and data["object"] == "chat.completion"
    choice, usage = data["choices"][0], data["usage"]
    assert choice["message"]["content"] and choice["finish_reason"] == "stop"
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert await (await client.get("/admin/calls")).json() == {"p1": 1}
    models = await (await client.get("/v1/models")).json()
    assert "gpt-4o-mini" in [m["id"] for m in models["data"]]


async def test_repeated_idempotency_key_replays_without_counting(
    client: TestClient[Any, Any],
) -> None:
    first = await (await chat(client, **{"Idempotency-Key": "k1"})).json()
    second = await (await chat(client, **{"Idempotency-Key": "k1"})).json()
    assert first == second
    assert await (await client.get("/admin/calls")).json() == {"k1": 1}
    assert (await (await client.get("/admin/stats")).json())["replays"] == 1


async def stats_when(
    client: TestClient[Any, Any], condition: Callable[[dict[str, Any]], bool], tries: int = 2000
) -> dict[str, Any]:
    """Poll /admin/stats until ``condition`` holds (a condition, not a guessed latency)."""
    for _ in range(tries):
        stats: dict[str, Any] = await (await client.get("/admin/stats")).json()
        if condition(stats):
            return stats
        await asyncio.sleep(0.005)
    raise AssertionError(f"mock LLM never reached the condition: {stats}")


async def test_key_in_flight_gets_409(client: TestClient[Any, Any]) -> None:
    # Long enough that the first call is certainly still running when the second arrives.
    await client.post("/admin/config", json={"latency_ms": 3000})
    slow = asyncio.ensure_future(chat(client, **{"Idempotency-Key": "k1"}))
    await stats_when(client, lambda s: s["in_flight"] == 1)
    assert (await chat(client, **{"Idempotency-Key": "k1"})).status == 409
    assert (await slow).status == 200


async def test_admin_rate_limit_for_count_requests(client: TestClient[Any, Any]) -> None:
    await client.post("/admin/faults", json={"mode": "rate_limit", "count": 2, "retry_after": 3})
    statuses = [(await chat(client)) for _ in range(3)]
    assert [r.status for r in statuses] == [429, 429, 200]
    assert statuses[0].headers["Retry-After"] == "3"
    assert statuses[0].headers["retry-after-ms"] == "3000"


async def test_outage_until_cleared(client: TestClient[Any, Any]) -> None:
    await client.post("/admin/faults", json={"mode": "outage"})
    assert [(await chat(client)).status for _ in range(3)] == [503, 503, 503]
    await client.post("/admin/faults", json={"mode": "none"})
    assert (await chat(client)).status == 200


@pytest.mark.parametrize(
    ("marker", "status"), [("500", 500), ("503", 503), ("429", 429), ("400", 400)]
)
async def test_marker_faults_first_n_attempts(
    client: TestClient[Any, Any], marker: str, status: int
) -> None:
    text = f"hello [[fault:{marker}x2]]"
    got = [(await chat(client, text, **{"X-Prompt-Id": "p"})).status for _ in range(3)]
    assert got == [status, status, 200]


async def test_truncated_reply_is_not_json(client: TestClient[Any, Any]) -> None:
    resp = await chat(client, "x [[fault:truncated]]")
    with pytest.raises(ValueError):
        await resp.json()


async def test_reset_drops_the_connection(client: TestClient[Any, Any]) -> None:
    with pytest.raises(Exception):  # noqa: B017 - aiohttp raises a disconnect error
        await chat(client, "x [[fault:reset]]")


async def test_wrong_api_key_is_401() -> None:
    async with TestClient(TestServer(build_app(MockConfig(api_key="s3cret")))) as c:
        assert (await chat(c)).status == 401
        assert (await chat(c, Authorization="Bearer s3cret")).status == 200


async def test_concurrency_peak_is_tracked(client: TestClient[Any, Any]) -> None:
    await client.post("/admin/config", json={"latency_ms": 3000})
    calls = [asyncio.ensure_future(chat(client)) for _ in range(5)]
    stats = await stats_when(client, lambda s: s["in_flight"] == 5)
    assert stats["max_in_flight"] == 5
    assert [r.status for r in await asyncio.gather(*calls)] == [200] * 5
    await stats_when(client, lambda s: s["in_flight"] == 0)
    await client.post("/admin/reset", json={"peak": True})
    assert (await (await client.get("/admin/stats")).json())["max_in_flight"] == 0


# ------------------------------------------------------------- the API surface, via the SDK


@pytest.fixture
async def sdk() -> AsyncIterator[tuple[Any, Any]]:
    """The real openai SDK as the mock's client, and the mock's state."""
    import openai

    from pipeline.mockllm.server import STATE

    server = TestServer(build_app(MockConfig(latency_ms=1, chunk_ms=0)))
    await server.start_server()
    client = openai.AsyncOpenAI(api_key="k", base_url=str(server.make_url("/v1")), max_retries=0)
    try:
        yield client, server.app[STATE]
    finally:
        await client.close()
        await server.close()


TOOL = {"type": "function", "function": {"name": "lookup", "parameters": {
    "type": "object", "properties": {"email": {"type": "string"}, "n": {"type": "integer"},
                                     "tags": {"type": "array", "items": {"type": "string"}}},
}}}


async def test_tool_call_when_asked_by_marker_or_tool_choice(sdk: tuple[Any, Any]) -> None:
    client, _ = sdk
    marked = await client.chat.completions.create(
        model="m", tools=[TOOL],
        messages=[{"role": "user", "content": "find <EMAIL_ADDRESS_1> [[tool]]"}],
    )
    (call,) = marked.choices[0].message.tool_calls
    assert marked.choices[0].finish_reason == "tool_calls"
    assert marked.choices[0].message.content is None
    assert json.loads(call.function.arguments) == {"email": "<EMAIL_ADDRESS_1>", "n": 1,
                                                   "tags": ["<EMAIL_ADDRESS_1>"]}
    forced = await client.chat.completions.create(
        model="m", tools=[TOOL], tool_choice={"type": "function", "function": {"name": "lookup"}},
        messages=[{"role": "user", "content": "hello"}],
    )
    assert forced.choices[0].message.tool_calls[0].function.name == "lookup"
    plain = await client.chat.completions.create(
        model="m", tools=[TOOL], messages=[{"role": "user", "content": "hello"}]
    )
    assert plain.choices[0].message.tool_calls is None and plain.choices[0].message.content
    after = await client.chat.completions.create(
        model="m", tools=[TOOL], tool_choice="required",
        messages=[{"role": "user", "content": "find [[tool]]"},
                  {"role": "assistant", "content": None, "tool_calls": [
                      {"id": call.id, "type": "function",
                       "function": {"name": "lookup", "arguments": call.function.arguments}}]},
                  {"role": "tool", "tool_call_id": call.id, "content": "found <PERSON_1>"}],
    )
    assert "The tool returned <PERSON_1>" in after.choices[0].message.content


async def test_refusal_n_choices_logprobs_and_usage_details(sdk: tuple[Any, Any]) -> None:
    client, _ = sdk
    refused = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "[[refuse]]"}]
    )
    assert refused.choices[0].message.refusal and refused.choices[0].message.content is None
    many = await client.chat.completions.create(
        model="m", n=3, logprobs=True, top_logprobs=2, reasoning_effort="medium",
        messages=[{"role": "user", "content": "plan"}],
    )
    assert [c.index for c in many.choices] == [0, 1, 2]
    assert len({c.message.content for c in many.choices}) == 3
    assert len(many.choices[0].logprobs.content[0].top_logprobs) == 2
    usage = many.usage
    assert usage.completion_tokens_details.reasoning_tokens == 3 * 32
    assert usage.prompt_tokens_details.cached_tokens == 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert many.system_fingerprint == "fp_mockllm"


@pytest.mark.parametrize("fmt", [
    {"type": "json_object"},
    {"type": "json_schema", "json_schema": {"name": "r", "schema": {
        "type": "object", "required": ["ok", "items"],
        "properties": {"ok": {"type": "boolean"}, "kind": {"enum": ["a", "b"]},
                       "items": {"type": "array", "minItems": 2,
                                 "items": {"type": "object",
                                           "properties": {"x": {"type": "number"}}}}}}}},
])
async def test_json_mode_gives_valid_json(sdk: tuple[Any, Any], fmt: dict[str, Any]) -> None:
    from jsonschema import Draft202012Validator

    client, _ = sdk
    reply = await client.chat.completions.create(
        model="m", response_format=fmt, messages=[{"role": "user", "content": "x"}]
    )
    data = json.loads(reply.choices[0].message.content)
    if fmt["type"] == "json_schema":
        Draft202012Validator(fmt["json_schema"]["schema"]).validate(data)
        assert len(data["items"]) == 2


async def test_stream_is_sse_with_split_placeholders_and_final_usage(
    sdk: tuple[Any, Any],
) -> None:
    """Chunks in the API's format; every placeholder is cut in two; usage on the last chunk."""
    client, state = sdk
    stream = await client.chat.completions.create(
        model="m", stream=True, stream_options={"include_usage": True}, n=2,
        messages=[{"role": "user", "content": "[[echo]] dear <PERSON_1> and <EMAIL_ADDRESS_12>"}],
        extra_headers={"X-Prompt-Id": "s1"},
    )
    chunks = [c async for c in stream]
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    pieces = [c.choices[0].delta.content for c in chunks
              if c.choices and c.choices[0].index == 0 and c.choices[0].delta.content]
    assert "".join(pieces) == "dear <PERSON_1> and <EMAIL_ADDRESS_12>"
    assert not any("<PERSON_1>" in p or "<EMAIL_ADDRESS_12>" in p for p in pieces)
    assert {c.choices[0].index for c in chunks if c.choices} == {0, 1}
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens > 0
    assert all(c.usage is None for c in chunks[:-1])
    assert state.calls["s1"] == 1
    assert state.bodies["s1"][0]["stream_options"] == {"include_usage": True}


async def test_streamed_tool_call_arrives_in_fragments(sdk: tuple[Any, Any]) -> None:
    client, _ = sdk
    stream = await client.chat.completions.create(
        model="m", stream=True, tools=[TOOL], messages=[{"role": "user", "content": "[[tool]]"}]
    )
    deltas = [c.choices[0].delta.tool_calls[0] async for c in stream
              if c.choices and c.choices[0].delta.tool_calls]
    assert deltas[0].id and deltas[0].function.name == "lookup"
    assert len(deltas) > 2
    json.loads("".join(d.function.arguments or "" for d in deltas))


async def test_midstream_fault_is_billed_and_the_key_replays_the_same_stream(
    sdk: tuple[Any, Any],
) -> None:
    import openai

    client, state = sdk
    text = "[[echo]] " + "words " * 30 + "[[fault:midstreamx1]]"
    args = {"model": "m", "stream": True, "messages": [{"role": "user", "content": text}],
            "extra_headers": {"Idempotency-Key": "k9"}}
    with pytest.raises(openai.APIConnectionError):
        _ = [c async for c in await client.chat.completions.create(**args)]
    again = [c.to_dict() async for c in await client.chat.completions.create(**args)]
    third = [c.to_dict() async for c in await client.chat.completions.create(**args)]
    assert again == third and len(again) > 10
    assert state.calls["k9"] == 1 and state.stats["replays"] == 2
