"""The HTTP surface against a fake reply source, driven by the official openai SDK.

``ScriptedGateway`` is the real ``Gateway`` (keys, limits, reply router, flow,
SSE writer) with the two Kafka ends replaced: ``publish`` records the event and
feeds scripted reply records into the real router's public ``deliver``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import openai
import orjson
import pytest
from aiohttp.test_utils import TestServer

from pipeline.config import Settings
from pipeline.dispatch.settings import Destination, DispatchSettings
from pipeline.gateway.keys import hash_key, new_key
from pipeline.gateway.replies import ReplyKind
from pipeline.gateway.server import build_app
from pipeline.gateway.service import Gateway
from pipeline.gateway.settings import GatewaySettings

Script = Callable[[dict[str, Any]], list[tuple[ReplyKind, dict[str, Any]]]]
KEY, LIMITED = new_key(), new_key()


class ScriptedGateway(Gateway):
    """The gateway with Kafka replaced by a script of reply records per published event."""

    def __init__(self, settings: Settings, config: GatewaySettings, script: Script) -> None:
        super().__init__(settings, config)
        self.script = script
        self.published: list[dict[str, Any]] = []
        self._up = False

    async def start(self) -> None:
        self.router.ready = self._up = True

    async def stop(self) -> None:
        self._up = False

    def ready(self) -> bool:
        return self._up

    async def publish(self, event: bytes, key: str, headers: list[tuple[str, bytes]]) -> None:
        parsed = orjson.loads(event)
        self.published.append(parsed)
        replies = self.script(parsed)

        async def feed() -> None:
            for kind, record in replies:
                await asyncio.sleep(0.001)
                self.router.deliver(kind, orjson.dumps(record))

        asyncio.get_running_loop().create_task(feed())


def ident(event: dict[str, Any]) -> dict[str, Any]:
    return {k: event[k] for k in ("id", "tenant", "user")}


def ok_record(event: dict[str, Any], text: str, **over: Any) -> dict[str, Any]:
    """A v2 ok response as dispatch writes it: the whole completion under ``response``."""
    record = {**ident(event), **over}
    completion = {"id": f"chatcmpl-{record['id']}", "object": "chat.completion", "created": 1,
                  "model": "gpt-4o-mini", "choices": [{"index": 0, "finish_reason": "stop",
                  "logprobs": None, "message": {"role": "assistant", "content": text}}],
                  "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
    return {"schema_version": "v2", **record, "status": "ok", "answer": text,
            "response": completion, "latency_seconds": 0.0}


def answer(text: str) -> Script:
    def script(event: dict[str, Any]) -> list[tuple[ReplyKind, dict[str, Any]]]:
        return [("response", ok_record(event, text))]
    return script


def streamed(*texts: str, fail: str | None = None) -> Script:
    """Chunks as dispatch publishes them: deltas, then a usage-only final chunk (or a failure)."""
    def script(event: dict[str, Any]) -> list[tuple[ReplyKind, dict[str, Any]]]:
        out: list[tuple[ReplyKind, dict[str, Any]]] = []
        deltas = [{"role": "assistant", "content": ""}, *({"content": t} for t in texts)]
        if fail is None:
            deltas.append({})
        head = {"id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 1,
                "model": "gpt-4o-mini"}
        for seq, delta in enumerate(deltas):
            finish = "stop" if not delta and seq else None
            chunk = {**head, "usage": None, "choices": [{"index": 0, "delta": delta,
                     "logprobs": None, "finish_reason": finish}]}
            out.append(("chunk", {**ident(event), "seq": seq, "chunk": chunk, "final": False}))
        last: dict[str, Any] = {**ident(event), "seq": len(deltas), "final": True}
        if fail is None:
            usage = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
            last["chunk"] = {**head, "choices": [], "usage": usage}
        else:
            last |= {"chunk": None, "status": "failed", "reason": fail}
        out.append(("chunk", last))
        return out
    return script


@pytest.fixture
async def serve(tmp_path: Any) -> AsyncIterator[Callable[..., Any]]:
    servers: list[TestServer] = []

    async def start(script: Script, **config: Any) -> tuple[str, ScriptedGateway]:
        keys = [
            {"sha256": hash_key(KEY), "tenant": "acme", "app": "billing", "user": "svc"},
            {"sha256": hash_key(LIMITED), "tenant": "acme", "app": "slow", "user": "svc",
             "requests_per_minute": 1},
        ]
        destinations = {
            "default": Destination(model_map={"gpt-4o-mini": "mini-2026"}),
            "azure": Destination(model_map={"gpt-4o": "deployment-1"}),
        }
        settings = Settings(
            data_dir=tmp_path, max_event_bytes=4096,
            dispatch=DispatchSettings(destinations=destinations),
        )
        gateway_config = GatewaySettings(
            keys=json.dumps(keys), user_header="X-Forwarded-User", **config
        )
        gateway = ScriptedGateway(settings, gateway_config, script)
        server = TestServer(build_app(gateway), host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return f"http://127.0.0.1:{server.port}", gateway

    yield start
    for server in servers:
        await server.close()


def client(url: str, key: str = KEY) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=url + "/v1", api_key=key, max_retries=0)


MESSAGES: Any = [{"role": "user", "content": "Hi"}]


async def test_completion_through_the_sdk(serve: Any) -> None:
    url, gateway = await serve(answer("Hello there"))
    raw = await client(url).chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=MESSAGES
    )
    completion = raw.parse()
    assert completion.choices[0].message.content == "Hello there"
    assert raw.headers["x-request-id"] == gateway.published[0]["id"]


async def test_sse_bytes_are_openai_framing(serve: Any) -> None:
    url, _ = await serve(streamed("Hel", "lo"))
    async with aiohttp.ClientSession() as session, session.post(
        url + "/v1/chat/completions",
        json={"model": "gpt-4o-mini", "messages": MESSAGES, "stream": True},
        headers={"Authorization": f"Bearer {KEY}"},
    ) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/event-stream")
        body = (await response.read()).decode()
    events = body.split("\n\n")
    assert events[-1] == "" and events[-2] == "data: [DONE]"
    chunks = [json.loads(e.removeprefix("data: ")) for e in events[:-2]]
    assert all(e.startswith("data: {") for e in events[:-2])
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == "Hello"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


async def test_streaming_through_the_sdk(serve: Any) -> None:
    url, _ = await serve(streamed("The ", "answer", "."))
    stream = await client(url).chat.completions.create(
        model="gpt-4o-mini", messages=MESSAGES, stream=True
    )
    parts = [c.choices[0].delta.content or "" async for c in stream if c.choices]
    assert "".join(parts) == "The answer."


async def test_usage_chunk_only_with_include_usage(serve: Any) -> None:
    url, _ = await serve(streamed("Hi"))
    plain = await client(url).chat.completions.create(
        model="gpt-4o-mini", messages=MESSAGES, stream=True
    )
    got = [c async for c in plain]
    assert got and all(c.choices and c.usage is None for c in got)
    counted = await client(url).chat.completions.create(
        model="gpt-4o-mini", messages=MESSAGES, stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [c async for c in counted]
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens == 3


async def test_failed_stream_raises_in_the_sdk_not_a_clean_end(serve: Any) -> None:
    url, _ = await serve(streamed("Hel", fail="http_503"))
    stream = await client(url).chat.completions.create(
        model="gpt-4o-mini", messages=MESSAGES, stream=True
    )
    seen: list[str] = []
    with pytest.raises(openai.APIError) as caught:
        async for c in stream:
            seen.append(c.choices[0].delta.content or "")
    assert "".join(seen) == "Hel" and "http_503" in caught.value.message


async def test_blocked_image_part_is_a_400_naming_its_path(serve: Any) -> None:
    def script(event: dict[str, Any]) -> list[tuple[ReplyKind, dict[str, Any]]]:
        decision = {"action": "block", "attachments": [
            {"path": "messages[0].content[1]", "type": "image_url", "action": "block"}]}
        return [("quarantine", {**ident(event), "findings": [], "decision": decision})]

    url, gateway = await serve(script)
    content: Any = [{"type": "text", "text": "what is this?"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]
    with pytest.raises(openai.BadRequestError) as caught:
        await client(url).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": content}]
        )
    assert caught.value.code == "prompt_blocked" and caught.value.param == "messages[0].content[1]"
    assert gateway.published[0]["request"]["messages"][0]["content"] == content


async def test_tool_calls_through_the_sdk_plain_and_streamed(serve: Any) -> None:
    call = {"id": "call_1", "type": "function",
            "function": {"name": "lookup", "arguments": '{"q": "x"}'}}
    completion = {"id": "chatcmpl-t", "object": "chat.completion", "created": 1,
                  "model": "gpt-4o-mini", "choices": [{"index": 0, "finish_reason": "tool_calls",
                  "logprobs": None, "message": {"role": "assistant", "content": None,
                  "tool_calls": [call]}}],
                  "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}

    def script(event: dict[str, Any]) -> list[tuple[ReplyKind, dict[str, Any]]]:
        return [("response", {**ident(event), "status": "ok", "answer": None,
                              "response": completion})]

    url, gateway = await serve(script)
    tools: Any = [{"type": "function", "function": {"name": "lookup", "parameters": {}}}]
    result = await client(url).chat.completions.create(
        model="gpt-4o-mini", messages=MESSAGES, tools=tools
    )
    (got,) = result.choices[0].message.tool_calls or []
    assert got.function.name == "lookup" and result.choices[0].finish_reason == "tool_calls"
    assert gateway.published[0]["request"]["tools"] == tools
    stream = await client(url).chat.completions.create(
        model="gpt-4o-mini", messages=MESSAGES, tools=tools, stream=True
    )
    deltas = [c.choices[0].delta async for c in stream if c.choices]
    (streamed_call,) = [d.tool_calls[0] for d in deltas if d.tool_calls]
    assert streamed_call.function is not None and streamed_call.function.arguments == '{"q": "x"}'


async def test_blocked_prompt_is_a_bad_request_with_types_and_id(serve: Any) -> None:
    def script(event: dict[str, Any]) -> list[tuple[ReplyKind, dict[str, Any]]]:
        return [("quarantine", {**ident(event), "findings": [{"entity_type": "GITHUB_TOKEN"}]})]

    url, gateway = await serve(script)
    with pytest.raises(openai.BadRequestError) as caught:
        await client(url).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert caught.value.code == "prompt_blocked"
    assert "GITHUB_TOKEN" in caught.value.message
    assert gateway.published[0]["id"] in caught.value.message


async def test_another_tenants_record_with_the_same_id_is_never_delivered(serve: Any) -> None:
    def script(event: dict[str, Any]) -> list[tuple[ReplyKind, dict[str, Any]]]:
        other = ok_record(event, "NOT YOURS", tenant="globex")
        stray = ok_record(event, "NOR THIS", id="gw-someone-else")
        mine = ok_record(event, "yours")
        return [("response", other), ("response", stray), ("response", mine)]

    url, _ = await serve(script)
    result = await client(url).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert result.choices[0].message.content == "yours"


async def test_no_reply_is_a_504_in_openai_shape(serve: Any) -> None:
    url, _ = await serve(lambda _event: [], reply_timeout_seconds=0.2)
    with pytest.raises(openai.InternalServerError) as caught:
        await client(url).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert caught.value.status_code == 504
    assert isinstance(caught.value.body, dict) and caught.value.body["code"] == "gateway_timeout"


async def test_bad_key_is_401_and_rate_limit_is_429_with_retry_after(serve: Any) -> None:
    url, gateway = await serve(answer("ok"))
    with pytest.raises(openai.AuthenticationError):
        await client(url, "pdlp-wrong").chat.completions.create(model="m", messages=MESSAGES)
    slow = client(url, LIMITED)
    await slow.chat.completions.create(model="m", messages=MESSAGES)
    with pytest.raises(openai.RateLimitError) as caught:
        await slow.chat.completions.create(model="m", messages=MESSAGES)
    assert int(caught.value.response.headers["Retry-After"]) >= 1
    assert len(gateway.published) == 1


async def test_end_user_from_trusted_header_then_body_then_key(serve: Any) -> None:
    url, gateway = await serve(answer("ok"))
    sdk = client(url)
    await sdk.chat.completions.create(model="m", messages=MESSAGES)
    await sdk.chat.completions.create(model="m", messages=MESSAGES, user="end-user-1")
    await sdk.chat.completions.create(
        model="m", messages=MESSAGES, user="end-user-1",
        extra_headers={"X-Forwarded-User": "proxy-user"},
    )
    assert [e["user"] for e in gateway.published] == ["svc", "end-user-1", "proxy-user"]


async def test_idempotency_key_joins_in_flight_and_replays_finished(serve: Any) -> None:
    url, gateway = await serve(answer("once"))
    sdk = client(url)
    headers = {"Idempotency-Key": "order-17"}
    first, second = await asyncio.gather(*(
        sdk.chat.completions.create(model="m", messages=MESSAGES, extra_headers=headers)
        for _ in range(2)
    ))
    third = await sdk.chat.completions.create(model="m", messages=MESSAGES, extra_headers=headers)
    assert len(gateway.published) == 1
    assert {first.id, second.id, third.id} == {f"chatcmpl-{gateway.published[0]['id']}"}


async def test_oversized_request_is_refused_before_publishing(serve: Any) -> None:
    url, gateway = await serve(answer("ok"))
    big: Any = [{"role": "user", "content": "x" * 5000}]
    with pytest.raises(openai.BadRequestError) as caught:
        await client(url).chat.completions.create(model="m", messages=big)
    assert caught.value.code == "too_large" and gateway.published == []


async def test_models_lists_destination_model_maps(serve: Any) -> None:
    url, _ = await serve(answer("ok"))
    models = [(m.id, m.owned_by) async for m in client(url).models.list()]
    assert models == [("gpt-4o", "azure"), ("gpt-4o-mini", "default")]


async def test_held_prompt_can_wait_for_the_reviewers_release(serve: Any) -> None:
    def script(event: dict[str, Any]) -> list[tuple[ReplyKind, dict[str, Any]]]:
        held = {**ident(event), "findings": [{"entity_type": "EMAIL_ADDRESS"}]}
        return [("quarantine", held), ("response", ok_record(event, "released answer"))]

    url, gateway = await serve(script, review_wait_max_seconds=5)
    sdk = client(url)
    with pytest.raises(openai.BadRequestError):  # not asked to wait: blocked at once
        await sdk.chat.completions.create(model="m", messages=MESSAGES)
    wait = {"X-Prompt-DLP-Review-Wait": "5", "Idempotency-Key": "held-1"}
    result = await sdk.chat.completions.create(model="m", messages=MESSAGES, extra_headers=wait)
    assert result.choices[0].message.content == "released answer"
    # A retry of the released request replays the answer and publishes nothing new.
    again = await sdk.chat.completions.create(model="m", messages=MESSAGES, extra_headers=wait)
    assert again.id == result.id and len(gateway.published) == 2
