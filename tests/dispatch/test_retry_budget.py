"""A retry budget turns a retryable failure into a failed response with the upstream's status.

Behind the gateway the requester waits; once a retry would overrun
``retry_budget_seconds`` dispatch answers with the last HTTP status and its
Retry-After instead (the gateway turns that into a 429 + ``Retry-After``).
Real openai SDK over an injected transport, as in test_stage.
"""

from __future__ import annotations

import httpx2

from pipeline.contracts import validator
from tests.dispatch.support import approved_v2_event
from tests.dispatch.test_stage import Harness, ok

REQUEST = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello"}]}


def limited(retry_after: str) -> httpx2.Response:
    return httpx2.Response(429, headers={"retry-after": retry_after}, json={"error": {}})


async def test_a_429_past_the_budget_is_a_failed_response_with_status_and_retry_after() -> None:
    h = Harness(lambda _r: limited("30"), retry_budget_seconds=5.0)
    assert await h.handle(approved_v2_event("p1", REQUEST)) == "failed"
    assert len(h.requests) == 1  # waiting 30 s would pass the 5 s budget: no second call
    (response,) = h.on("responses")
    validator("response.json", "v2").validate(response)
    assert response["error"] == {
        "code": "http_429", "message": "http_429", "status": 429, "retry_after": 30.0,
    }
    assert h.on("dlq")[0]["reason"] == "http_429"  # the prompt is kept for an operator


async def test_retry_after_ms_is_read_too() -> None:
    reply = httpx2.Response(503, headers={"retry-after-ms": "2500"}, json={})
    h = Harness(lambda _r: reply, retry_budget_seconds=1.0)
    assert await h.handle(approved_v2_event("p1", REQUEST)) == "failed"
    (response,) = h.on("responses")
    assert response["error"]["status"] == 503 and response["error"]["retry_after"] == 2.5


async def test_retries_inside_the_budget_still_answer() -> None:
    replies = iter([limited("0"), limited("0")])

    def handler(request: httpx2.Request) -> httpx2.Response:
        return next(replies, None) or ok(request)

    h = Harness(handler, retry_budget_seconds=30.0)
    assert await h.handle(approved_v2_event("p1", REQUEST)) == "answered"
    assert len(h.requests) == 3


async def test_without_a_budget_a_long_retry_after_is_waited_out() -> None:
    replies = iter([httpx2.Response(429, headers={"retry-after-ms": "50"}, json={})])

    def handler(request: httpx2.Request) -> httpx2.Response:
        return next(replies, None) or ok(request)

    h = Harness(handler, max_retry_after_seconds=0.05)  # no budget: the default
    assert await h.handle(approved_v2_event("p1", REQUEST)) == "answered"


async def test_an_open_circuit_past_the_budget_fails_fast_as_circuit_open() -> None:
    reply = httpx2.Response(500, headers={"retry-after": "60"}, json={})
    h = Harness(lambda _r: reply, retry_budget_seconds=2.0, circuit_failures=1,
                circuit_open_seconds=30.0)
    assert await h.handle(approved_v2_event("p1", REQUEST)) == "failed"
    assert await h.handle(approved_v2_event("p2", REQUEST)) == "failed"
    assert len(h.requests) == 1  # the second never reached the endpoint
    first, second = h.on("responses")
    assert first["error"]["status"] == 500
    assert second["error"]["code"] == "circuit_open" and "status" not in second["error"]
    assert 0 < second["error"]["retry_after"] <= 30.0
    validator("response.json", "v2").validate(second)
