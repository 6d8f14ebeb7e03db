"""The dispatch stage end to end without Kafka: real openai SDK over an injected transport."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from typing import Any

import httpx2
import pytest
from prometheus_client import CollectorRegistry

from pipeline.bus import Record
from pipeline.config import Settings
from pipeline.config.dispatch import DispatchSettings
from pipeline.contracts import validator
from pipeline.crypto import KeyRing
from pipeline.dispatch.caller import Lane
from pipeline.dispatch.client import ChatClient
from pipeline.dispatch.dedup import DedupRecord, DedupState, MemoryDedupStore
from pipeline.dispatch.guard import identity_guard
from pipeline.dispatch.records import Source
from pipeline.dispatch.stage import Dispatcher
from pipeline.events import Category, Finding
from pipeline.metrics import Metrics
from tests.dispatch.support import approved_event

SOURCE = Source("prompts.approved", 3, 42, None)
Handler = Callable[[httpx2.Request], httpx2.Response]


def completion(content: str = "Hello there.") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10},
    }


class Harness:
    def __init__(self, handler: Handler, guard: Any = identity_guard, **dispatch: Any) -> None:
        dests = dispatch.pop("destinations", {"default": {"base_url": "http://llm/v1"}})
        self.settings = Settings(
            dispatch=DispatchSettings(
                destinations=dests, backoff_base_seconds=0.001, backoff_cap_seconds=0.01,
                malformed_attempts=2, **dispatch,
            ),
            vault_keys=KeyRing.generate_spec("k1"),
        )
        self.metrics = Metrics(CollectorRegistry())
        self.requests: list[httpx2.Request] = []
        self.store = MemoryDedupStore()
        self.sent: list[Record] = []

        def record(request: httpx2.Request) -> httpx2.Response:
            self.requests.append(request)
            return handler(request)

        transport = httpx2.MockTransport(record)
        sem = asyncio.Semaphore(4)
        lanes = {
            name: Lane(ChatClient(name, dest, transport), self.settings.dispatch, self.metrics, sem)
            for name, dest in self.settings.dispatch.destinations.items()
        }
        assert self.settings.vault_keys is not None
        self.keys = KeyRing.parse(self.settings.vault_keys.get_secret_value())
        self.dispatcher = Dispatcher(
            self.settings, self.metrics, lanes, self.store, guard, self.send, self.keys
        )

    async def send(self, records: Sequence[Record]) -> None:
        self.sent.extend(records)

    async def handle(self, event: dict[str, Any] | bytes) -> str:
        raw = event if isinstance(event, bytes) else json.dumps(event).encode()
        return await self.dispatcher.handle(raw, SOURCE)

    def on(self, role: str) -> list[dict[str, Any]]:
        topic = getattr(self.settings.topics, role)
        return [r.value for r in self.sent if r.topic == topic and r.value is not None]

    def metric(self, name: str, **labels: str) -> float:
        return self.metrics.registry.get_sample_value(name, labels) or 0.0


def ok(_: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(200, json=completion())


async def test_answer_goes_to_responses_after_a_durable_started_record() -> None:
    """started is written (partition of the source) before the call, done after the response."""
    states_at_call: list[DedupState | None] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        rec = h.store.get("p1")
        states_at_call.append(rec.state if rec else None)
        return ok(request)

    h = Harness(handler)
    assert await h.handle(approved_event("p1", conversation_id="c1")) == "answered"
    assert states_at_call == [DedupState.STARTED]
    assert h.store.writes == [("p1", 3, DedupState.STARTED), ("p1", 3, DedupState.DONE)]
    (response,) = h.on("responses")
    validator("response.json").validate(response)
    assert response["status"] == "ok" and response["answer"] == "Hello there."
    assert response["usage"] == {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
    assert response["conversation_id"] == "c1" and response["destination"] == "default"
    request = h.requests[0]
    assert request.headers["Idempotency-Key"] == "p1" and request.headers["X-Prompt-Id"] == "p1"
    assert json.loads(request.content)["store"] is False
    assert h.metric("prompt_dlp_dispatch_requests_total", destination="default", status="2xx") == 1
    assert h.metric("prompt_dlp_tokens_total", destination="default", kind="prompt") == 7


class _HelloGuard:
    """Finds the word "Hello" (as if it were an e-mail address) and masks it."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.requests: list[str] = []

    def session(self, request: Any) -> Any:
        self.requests.append(request.id)
        return self

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        if self.fail:
            raise RuntimeError("detector down")
        return [[Finding("EMAIL_ADDRESS", Category.PII, 0, t.index("Hello"), t.index("Hello") + 5,
                         0.9, "email")] if "Hello" in t else [] for t in texts]

    def render(self, text: str, findings: Sequence[Finding]) -> str:
        for f in sorted(findings, key=lambda f: -f.start):
            text = text[: f.start] + "<EMAIL>" + text[f.end :]
        return text


async def test_guard_is_applied_before_the_response_is_produced() -> None:
    """The answer on the wire is the guard's output, with its findings (v1: by message index)."""
    guard = _HelloGuard()
    h = Harness(ok, guard=guard)
    await h.handle(approved_event("p1"))
    (response,) = h.on("responses")
    assert guard.requests == ["p1"]
    assert response["answer"] == "<EMAIL> there."
    assert response["findings"] == [
        Finding("EMAIL_ADDRESS", Category.PII, 0, 0, 5, 0.9, "email").to_dict()
    ]
    validator("response.json").validate(response)
    (audit,) = h.on("audit")
    validator("audit.json", "v2").validate(audit)


async def test_failing_guard_fails_closed() -> None:
    """An answer that could not be scanned is never delivered."""
    h = Harness(ok, guard=_HelloGuard(fail=True))
    assert await h.handle(approved_event("p1")) == "failed"
    (response,) = h.on("responses")
    assert response["status"] == "failed" and response["reason"] == "response_guard_failed"
    assert "Hello" not in json.dumps(h.on("dlq"))


async def test_done_prompt_is_skipped_without_a_call() -> None:
    h = Harness(ok)
    h.store.records["p1"] = DedupRecord(DedupState.DONE, 1.0, "ok")
    assert await h.handle(approved_event("p1")) == "duplicate"
    assert h.requests == [] and h.sent == []
    assert h.metric("prompt_dlp_dispatch_duplicates_skipped_total") == 1


async def test_started_prompt_is_resumed_with_the_same_idempotency_key() -> None:
    """A crash mid-call is retried with Idempotency-Key = prompt id; no second started write."""
    h = Harness(ok)
    h.store.records["p1"] = DedupRecord(DedupState.STARTED, 1.0)
    assert await h.handle(approved_event("p1")) == "answered"
    assert h.requests[0].headers["Idempotency-Key"] == "p1"
    assert h.store.writes == [("p1", 3, DedupState.DONE)]


async def test_started_prompt_without_idempotency_keys_is_outcome_unknown() -> None:
    dests = {"default": {"base_url": "http://llm/v1", "idempotency_keys": False}}
    h = Harness(ok, destinations=dests)
    h.store.records["p1"] = DedupRecord(DedupState.STARTED, 1.0)
    assert await h.handle(approved_event("p1")) == "failed"
    assert h.requests == []
    (dlq,) = h.on("dlq")
    validator("dlq.json", "v2").validate(dlq)
    assert dlq["reason"] == "outcome_unknown" and dlq["stage"] == "dispatch"
    assert h.on("responses")[0]["reason"] == "outcome_unknown"


async def test_non_idempotent_destination_sends_no_key() -> None:
    dests = {"default": {"base_url": "http://llm/v1", "idempotency_keys": False}}
    h = Harness(ok, destinations=dests)
    await h.handle(approved_event("p1"))
    assert "Idempotency-Key" not in h.requests[0].headers


@pytest.mark.parametrize("status", [429, 500, 502, 503, 408, 409])
async def test_retryable_status_is_retried(status: int) -> None:
    replies = iter([httpx2.Response(status, headers={"retry-after-ms": "5"}, json={}), None])

    def handler(request: httpx2.Request) -> httpx2.Response:
        return next(replies) or ok(request)

    h = Harness(handler)
    assert await h.handle(approved_event("p1")) == "answered"
    assert len(h.requests) == 2
    assert h.metric("prompt_dlp_dispatch_retries_total", destination="default") == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_permanent_status_goes_to_dlq_and_requester(status: int) -> None:
    h = Harness(lambda _r: httpx2.Response(status, json={"error": {"message": "no"}}))
    assert await h.handle(approved_event("p1")) == "failed"
    assert len(h.requests) == 1
    (dlq,) = h.on("dlq")
    validator("dlq.json", "v2").validate(dlq)
    assert dlq["reason"] == f"http_{status}" and dlq["source"]["offset"] == 42
    (response,) = h.on("responses")
    validator("response.json").validate(response)
    assert response["status"] == "failed" and response["reason"] == f"http_{status}"
    assert h.store.get("p1") == DedupRecord(DedupState.DONE, h.store.get("p1").at, "failed")  # type: ignore[union-attr]


async def test_malformed_reply_retried_then_dlq() -> None:
    h = Harness(lambda _r: httpx2.Response(200, content=b'{"id": "x", "cho',
                                           headers={"content-type": "application/json"}))
    assert await h.handle(approved_event("p1")) == "failed"
    assert len(h.requests) == 2  # malformed_attempts
    assert h.on("dlq")[0]["reason"] == "malformed_reply"


async def test_timeout_and_reset_are_retried() -> None:
    errors = iter([httpx2.ReadTimeout, httpx2.RemoteProtocolError])

    def handler(request: httpx2.Request) -> httpx2.Response:
        exc = next(errors, None)
        if exc is not None:
            raise exc("boom", request=request)
        return ok(request)

    h = Harness(handler)
    assert await h.handle(approved_event("p1")) == "answered"
    assert h.metric("prompt_dlp_dispatch_requests_total", destination="default",
                    status="timeout") == 1


async def test_invalid_event_goes_to_dlq_with_encrypted_payload() -> None:
    h = Harness(ok)
    assert await h.handle(b"{not json") == "dlq"
    (dlq,) = h.on("dlq")
    validator("dlq.json", "v2").validate(dlq)
    assert dlq["reason"] == "invalid_json" and h.on("responses") == []
    from pipeline.crypto import Envelope

    envelope = Envelope.from_dict(dlq["payload"])
    assert h.keys.decrypt(envelope, b"prompts.approved/3/42") == b"{not json"


async def test_destination_from_decision_and_unknown_destination() -> None:
    dests = {"default": {"base_url": "http://a/v1"}, "local": {"base_url": "http://b/v1",
             "model_map": {"gpt-4o-mini": "llama3"}}}
    h = Harness(ok, destinations=dests)
    await h.handle(approved_event("p1", destination="local"))
    assert h.requests[0].url.host == "b"
    assert json.loads(h.requests[0].content)["model"] == "llama3"
    assert await h.handle(approved_event("p2", destination="nowhere")) == "failed"
    assert h.on("dlq")[0]["reason"] == "unknown_destination"


async def test_azure_destination_uses_deployment_and_api_version() -> None:
    dests = {"default": {"provider": "azure", "base_url": "https://res.openai.azure.com",
                         "api_version": "2024-10-21", "model_map": {"gpt-4o-mini": "prod-mini"},
                         "api_key": "k"}}
    h = Harness(ok, destinations=dests)
    await h.handle(approved_event("p1"))
    url = h.requests[0].url
    assert url.path == "/openai/deployments/prod-mini/chat/completions"
    assert url.params["api-version"] == "2024-10-21"
