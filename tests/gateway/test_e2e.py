"""The gateway on the real broker with the pipeline behind it, driven by clients nobody here wrote.

One module-wide stack: mock LLM, one ``prompt-dlp worker --role all`` and two
``prompt-dlp gateway`` instances (tests/gateway/support.py). Requests use the
mock's ``[[echo]]`` marker, so every answer is exactly the caller's own text:
any reply delivered to the wrong caller shows as a mismatch.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from pipeline.gateway.keys import new_key
from tests.gateway.support import REPO, Caller, Stack, http
from tests.integration.workers import wait_until

pytestmark = pytest.mark.integration

SECRET = "ghp_" + "R8x2Lq9Vt4Nw7Kp3Zs6Yb1Hd5Fg0Jm2Cv4Xa"
NODE_DIR = REPO / "tests" / "gateway" / "node"
SEED = int(os.environ.get("PROMPT_DLP_TEST_SEED", random.randrange(1 << 30)))


@pytest.fixture(scope="module")
def stack(
    kafka_broker: Any, vault_keys: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    print(f"seed {SEED} (PROMPT_DLP_TEST_SEED)")
    with Stack(kafka_broker.bootstrap, vault_keys, tmp_path_factory.mktemp("gw")) as running:
        running.start(workers=1, gateways=2)
        yield running


def sdk(stack: Stack, caller: Caller | None = None, url: str | None = None) -> openai.OpenAI:
    caller = caller or stack.callers[0]
    return openai.OpenAI(base_url=f"{url or stack.url}/v1", api_key=caller.key, max_retries=0)


def echo(text: str) -> list[Any]:
    return [{"role": "user", "content": f"[[echo]] {text}"}]


def test_sync_sdk_completion(stack: Stack) -> None:
    raw = sdk(stack).chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=echo("Summarise the quarterly plan.")
    )
    completion = raw.parse()
    assert completion.choices[0].message.content == "Summarise the quarterly plan."
    assert completion.usage is not None and completion.usage.total_tokens > 0
    assert raw.headers["x-request-id"].startswith("gw-")


def test_async_sdk_concurrent_requests(stack: Stack) -> None:
    async def run() -> list[str]:
        client = openai.AsyncOpenAI(
            base_url=f"{stack.url}/v1", api_key=stack.callers[1].key, max_retries=0
        )
        results = await asyncio.gather(*(
            client.chat.completions.create(model="gpt-4o", messages=echo(f"async request {i}"))
            for i in range(20)
        ))
        return [r.choices[0].message.content or "" for r in results]

    assert asyncio.run(run()) == [f"async request {i}" for i in range(20)]


def test_streaming_sdk(stack: Stack) -> None:
    # The pipeline in this tree publishes no stream chunks yet (prompts.responses.stream is
    # the v2 dispatch's), so the gateway replays the whole answer as OpenAI chunks.
    stream = sdk(stack).chat.completions.create(
        model="gpt-4o-mini", messages=echo("Stream me the plan."), stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Stream me the plan."
    assert chunks[-1].usage is not None and chunks[-1].choices == []


def test_blocked_prompt_is_400_naming_types_and_quarantine_id(stack: Stack) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        sdk(stack).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": f"use token {SECRET}"}]
        )
    error = caught.value
    assert error.code == "prompt_blocked" and error.status_code == 400
    assert "GITHUB_TOKEN" in error.message
    body = error.body
    assert isinstance(body, dict) and body["quarantine_id"] in error.message
    assert SECRET not in json.dumps(body) and SECRET not in stack.logs()


def test_idempotency_key_retry_gets_the_same_answer_with_one_llm_call(stack: Stack) -> None:
    client = sdk(stack)
    headers = {"Idempotency-Key": f"invoice-{SEED}"}
    first = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=echo("Draft the invoice note."), extra_headers=headers
    )
    other_instance = sdk(stack, url=stack.gateways[1][1])
    second = other_instance.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=echo("Draft the invoice note."), extra_headers=headers
    )
    prompt_id = first.headers["x-request-id"]
    assert second.headers["x-request-id"] == prompt_id
    assert first.parse().id == second.parse().id
    _, _, calls = http(f"{stack.mock_url}/admin/calls")
    assert json.loads(calls).get(prompt_id) == 1


def test_key_rotation_without_restart(stack: Stack) -> None:
    old, keep = stack.callers
    rotated = Caller(new_key(), old.tenant, old.app, old.user)
    stack.write_keys([rotated, keep])

    def status(caller: Caller) -> int:
        return http(f"{stack.url}/v1/models", headers={"Authorization": f"Bearer {caller.key}"})[0]

    try:
        wait_until(lambda: status(rotated) == 200 and status(old) == 401, 10, "key rotation")
        reply = sdk(stack, rotated).chat.completions.create(
            model="gpt-4o-mini", messages=echo("rotated key works")
        )
        assert reply.choices[0].message.content == "rotated key works"
    finally:
        stack.write_keys(stack.callers)
        wait_until(lambda: status(old) == 200, 10, "key restored")


def test_models_are_the_destinations_model_maps(stack: Stack) -> None:
    models = sorted(m.id for m in sdk(stack).models.list())
    assert models == ["gpt-4o", "gpt-4o-mini"]


def test_curl_plain_stream_and_error(stack: Stack) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl not installed")

    def run(body: dict[str, Any], *flags: str) -> str:
        argv = [curl, "-sS", *flags, f"{stack.url}/v1/chat/completions",
                "-H", f"Authorization: Bearer {stack.callers[0].key}",
                "-H", "Content-Type: application/json", "-d", json.dumps(body)]
        return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=True).stdout

    plain = json.loads(run({"model": "gpt-4o-mini", "messages": echo("curl says hi")}))
    assert plain["choices"][0]["message"]["content"] == "curl says hi"
    streamed = run({"model": "gpt-4o-mini", "messages": echo("curl streams"), "stream": True}, "-N")
    events = [e for e in streamed.split("\n\n") if e]
    assert events[-1] == "data: [DONE]"
    text = "".join(
        json.loads(e.removeprefix("data: "))["choices"][0]["delta"].get("content") or ""
        for e in events[:-1]
    )
    assert text == "curl streams"
    blocked = run({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": SECRET}]},
                  "-w", "\n%{http_code}")
    body, code = blocked.rsplit("\n", 1)
    assert code == "400" and json.loads(body)["error"]["code"] == "prompt_blocked"


def test_node_openai_package(stack: Stack) -> None:
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "openai").is_dir():
        pytest.skip("node or tests/gateway/node/node_modules missing: run scripts/bootstrap")
    env = {**os.environ, "GATEWAY_URL": stack.gateways[1][1],
           "GATEWAY_KEY": stack.callers[0].key, "BLOCKED_TEXT": f"token {SECRET}"}
    done = subprocess.run([node, "client.mjs"], cwd=NODE_DIR, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["plain"] == "node plain request"
    assert out["stream"]["text"] == "node streamed request" and out["stream"]["chunks"] >= 3
    assert out["blocked"]["status"] == 400 and out["blocked"]["code"] == "prompt_blocked"


def test_two_gateways_200_callers_each_get_only_their_own_replies(stack: Stack) -> None:
    """400 concurrent callers over 2 instances and 2 tenants: every answer is the caller's own."""
    rng = random.Random(SEED)
    plan = [(i, rng.randrange(2), rng.randrange(2)) for i in range(400)]  # caller, gateway, key

    async def run() -> list[tuple[int, str]]:
        limits = httpx.Limits(max_connections=250, max_keepalive_connections=250)
        clients = {
            (g, k): openai.AsyncOpenAI(
                base_url=f"{stack.gateways[g][1]}/v1", api_key=stack.callers[k].key,
                max_retries=0, timeout=120, http_client=httpx.AsyncClient(limits=limits),
            )
            for g in range(2) for k in range(2)
        }

        async def call(i: int, g: int, k: int) -> tuple[int, str]:
            reply = await clients[(g, k)].chat.completions.create(
                model="gpt-4o-mini", messages=echo(f"caller {i} of run {SEED}")
            )
            return i, reply.choices[0].message.content or ""

        return await asyncio.gather(*(call(*p) for p in plan))

    results = asyncio.run(run())
    wrong = [(i, got) for i, got in results if got != f"caller {i} of run {SEED}"]
    assert wrong == [] and len(results) == 400


def test_metrics_count_requests_by_code(stack: Stack) -> None:
    status, _, body = http(f"{stack.url}/metrics")
    text = body.decode()
    assert status == 200
    assert 'prompt_dlp_gateway_requests_total{code="200",route="/v1/chat/completions"}' in text
    assert 'prompt_dlp_gateway_requests_total{code="400",route="/v1/chat/completions"}' in text
    assert "prompt_dlp_gateway_added_latency_seconds_count" in text


def test_input_the_pipeline_refuses_is_dead_lettered_to_a_400(stack: Stack) -> None:
    """DLQ'd input → 400 with the reason (content that is neither text nor parts)."""
    with pytest.raises(openai.BadRequestError) as caught:
        sdk(stack).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": 42}]  # type: ignore[list-item]
        )
    assert caught.value.code == "schema_violation"


TOOLS: Any = [{"type": "function", "function": {
    "name": "lookup_customer",
    "parameters": {"type": "object", "properties": {"query": {"type": "string"}},
                   "required": ["query"]}}}]
CUSTOMER_EMAIL = "jane.doe@example.com"


def llm_saw(stack: Stack, prompt_id: str) -> list[dict[str, Any]]:
    """The bodies the mock LLM received for one request id."""
    status, _, body = http(f"{stack.mock_url}/admin/requests?prompt_id={prompt_id}")
    assert status == 200
    bodies: list[dict[str, Any]] = json.loads(body)
    return bodies


def test_tool_calls_round_trip_with_customer_data_redacted(stack: Stack) -> None:
    client = sdk(stack)
    first: Any = [{"role": "user", "content": "Find the customer who wrote in about order 17."}]
    called = client.chat.completions.create(
        model="gpt-4o-mini", messages=first, tools=TOOLS, tool_choice="required"
    )
    (call,) = called.choices[0].message.tool_calls or []
    assert called.choices[0].finish_reason == "tool_calls"
    assert call.type == "function" and call.function.name == "lookup_customer"
    assert "query" in json.loads(call.function.arguments)
    result = json.dumps({"name": "Jane Doe", "email": CUSTOMER_EMAIL, "orders": 17})
    second: Any = [
        *first,
        called.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": result},
    ]
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=second, tools=TOOLS
    )
    answered = raw.parse()
    assert answered.choices[0].message.content and not answered.choices[0].message.tool_calls
    (sent,) = llm_saw(stack, raw.headers["x-request-id"])
    tool_turn = sent["messages"][-1]
    assert tool_turn["role"] == "tool" and tool_turn["tool_call_id"] == call.id
    assert CUSTOMER_EMAIL not in json.dumps(sent)
    assert sent["messages"][1]["tool_calls"][0]["id"] == call.id
    assert sent["tools"] == TOOLS


def test_streamed_tool_call(stack: Stack) -> None:
    stream = sdk(stack).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "[[tool]] order 17"}],
        tools=TOOLS, stream=True,
    )
    calls: dict[int, dict[str, str]] = {}
    finish = None
    for chunk in stream:
        for choice in chunk.choices:
            finish = choice.finish_reason or finish
            for delta in choice.delta.tool_calls or ():
                entry = calls.setdefault(delta.index, {"name": "", "arguments": "", "id": ""})
                entry["id"] += delta.id or ""
                if delta.function is not None:
                    entry["name"] += delta.function.name or ""
                    entry["arguments"] += delta.function.arguments or ""
    assert finish == "tool_calls" and list(calls) == [0]
    assert calls[0]["name"] == "lookup_customer" and calls[0]["id"].startswith("call_")
    assert "query" in json.loads(calls[0]["arguments"])


def test_json_mode(stack: Stack) -> None:
    reply = sdk(stack).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Reply in JSON: the plan."}],
        response_format={"type": "json_object"},
    )
    assert isinstance(json.loads(reply.choices[0].message.content or ""), dict)


def test_two_choices(stack: Stack) -> None:
    reply = sdk(stack).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Name a colour."}], n=2
    )
    assert [c.index for c in reply.choices] == [0, 1]
    assert all(c.message.content for c in reply.choices)


def test_stream_usage_chunk_only_when_asked(stack: Stack) -> None:
    client = sdk(stack)
    plain = list(client.chat.completions.create(
        model="gpt-4o-mini", messages=echo("no usage please"), stream=True
    ))
    assert plain and all(c.choices and c.usage is None for c in plain)
    counted = list(client.chat.completions.create(
        model="gpt-4o-mini", messages=echo("usage please"), stream=True,
        stream_options={"include_usage": True},
    ))
    assert counted[-1].choices == [] and counted[-1].usage is not None
    assert counted[-1].usage.total_tokens > 0
    text = "".join(c.choices[0].delta.content or "" for c in counted if c.choices)
    assert text == "usage please"


def test_image_part_is_blocked_naming_its_path(stack: Stack) -> None:
    content: Any = [
        {"type": "text", "text": "What is in this picture?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
    ]
    with pytest.raises(openai.BadRequestError) as caught:
        sdk(stack).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": content}]
        )
    assert caught.value.code == "prompt_blocked"
    assert caught.value.param == "messages[0].content[1]"
    assert "messages[0].content[1]" in caught.value.message


def test_upstream_error_is_its_status(stack: Stack) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        sdk(stack).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "[[fault:400]] hi"}]
        )
    assert caught.value.code == "http_400"


def test_a_stream_refused_upstream_is_its_status(stack: Stack) -> None:
    """Failed before any chunk went out: the error is still an HTTP status, not a 200 stream."""
    with pytest.raises(openai.BadRequestError) as caught:
        stream = sdk(stack).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "[[fault:400]] hi"}],
            stream=True,
        )
        list(stream)
    assert caught.value.code == "http_400"


def test_a_stream_dropped_upstream_is_resumed_and_relayed_once(stack: Stack) -> None:
    """The first attempt drops mid-stream; dispatch's retry (same Idempotency-Key) finishes it.

    Whatever chunks the retry publishes again are dropped by (id, seq): the text arrives once.
    """
    text = "[[echo]] [[fault:midstreamx1]] " + " ".join(f"word{i}" for i in range(60))
    raw = sdk(stack).chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}], stream=True
    )
    got = "".join(c.choices[0].delta.content or "" for c in raw.parse() if c.choices)
    assert got == text.replace("[[echo]]", "").strip()
    assert len(llm_saw(stack, raw.headers["x-request-id"])) == 2  # it did drop once


def mock_fault(stack: Stack, **fault: Any) -> None:
    """The mock's next call fails as told (``count`` 1): an admin fault, not a prompt marker."""
    status, _, _ = http(f"{stack.mock_url}/admin/faults", {"count": 1, **fault})
    assert status == 200


def test_upstream_rate_limit_is_a_429_with_the_upstreams_retry_after(stack: Stack) -> None:
    """Its Retry-After (7 s) is past dispatch's retry budget (2 s): the caller hears it at once."""
    mock_fault(stack, mode="rate_limit", retry_after=7)
    text = "Summarise the rate-limited plan."
    with pytest.raises(openai.RateLimitError) as caught:
        sdk(stack).chat.completions.create(model="gpt-4o-mini", messages=echo(text))
    headers = caught.value.response.headers
    assert headers["retry-after"] == "7" and headers["retry-after-ms"] == "7000"
    assert caught.value.code == "http_429" and caught.value.type == "requests"
    assert text not in str(caught.value.body) and headers["x-request-id"].startswith("gw-")


def test_upstream_rate_limit_on_a_stream_is_a_429_too(stack: Stack) -> None:
    mock_fault(stack, mode="rate_limit", retry_after=8)

    async def run() -> None:
        client = openai.AsyncOpenAI(
            base_url=f"{stack.url}/v1", api_key=stack.callers[1].key, max_retries=0
        )
        stream = await client.chat.completions.create(
            model="gpt-4o", messages=echo("stream me"), stream=True
        )
        async for _ in stream:
            pass

    with pytest.raises(openai.RateLimitError) as caught:
        asyncio.run(run())
    assert caught.value.response.headers["retry-after"] == "8"


def test_sdk_with_retries_waits_the_retry_after_and_gets_the_answer(stack: Stack) -> None:
    """The SDK's own retry (after retry-after-ms) gets the answer: the 429 was a clean miss."""
    mock_fault(stack, mode="rate_limit", retry_after=3)
    client = openai.OpenAI(base_url=f"{stack.url}/v1", api_key=stack.callers[0].key,
                           max_retries=1)
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=echo("second time lucky")
    )
    assert raw.parse().choices[0].message.content == "second time lucky"
    assert raw.retries_taken == 1


@pytest.mark.parametrize(
    ("fault", "error", "status"),
    [
        ({"mode": "server_error", "status": 503, "retry_after": 9}, openai.InternalServerError,
         503),
        ({"mode": "server_error", "status": 500, "retry_after": 9}, openai.InternalServerError,
         502),
    ],
)
def test_upstream_5xx_past_the_budget(
    stack: Stack, fault: dict[str, Any], error: type[openai.APIStatusError], status: int
) -> None:
    """503 passes through with its Retry-After; any other 5xx is a 502 naming the status."""
    mock_fault(stack, **fault)
    with pytest.raises(error) as caught:
        sdk(stack).chat.completions.create(model="gpt-4o-mini", messages=echo("hello"))
    assert caught.value.status_code == status
    assert caught.value.code == f"http_{fault['status']}"
    assert ("retry-after" in caught.value.response.headers) == (status == 503)


@pytest.mark.parametrize(
    ("code", "error"),
    [(401, openai.AuthenticationError), (403, openai.PermissionDeniedError),
     (404, openai.NotFoundError), (422, openai.UnprocessableEntityError)],
)
def test_upstream_4xx_is_its_status(
    stack: Stack, code: int, error: type[openai.APIStatusError]
) -> None:
    with pytest.raises(error) as caught:
        sdk(stack).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": f"[[fault:{code}]] hi"}]
        )
    assert caught.value.status_code == code and caught.value.code == f"http_{code}"
