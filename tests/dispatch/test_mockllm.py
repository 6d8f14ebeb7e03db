"""The mock LLM behaves like an idempotency-aware OpenAI-compatible gateway with faults."""

from __future__ import annotations

import asyncio
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
