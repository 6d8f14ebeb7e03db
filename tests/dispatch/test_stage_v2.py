"""The dispatch stage on v2 requests: the real openai SDK against the mock LLM, no Kafka.

The mock runs in-process (aiohttp test server) and records the bodies it got, so
every test can check what the LLM received as well as what the app gets back.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from prometheus_client import CollectorRegistry

from pipeline.bus import Record
from pipeline.config import Settings
from pipeline.contracts import validator
from pipeline.dispatch.caller import Lane
from pipeline.dispatch.client import ChatClient
from pipeline.dispatch.dedup import DedupRecord, DedupState, MemoryDedupStore
from pipeline.dispatch.records import Source
from pipeline.dispatch.settings import DispatchSettings
from pipeline.dispatch.stage import Dispatcher
from pipeline.events import Category, Finding
from pipeline.metrics import Metrics
from pipeline.mockllm import MockConfig, build_app
from pipeline.mockllm.server import STATE, MockState
from tests.dispatch.support import LOOKUP_TOOL, approved_v2_event

SOURCE = Source("prompts.approved", 1, 7, None)
SECRET = "ghp_" + "Q7w9Er2Ty4Ui6Op8As1Df3Gh5Jk7Lz9Xc2Vb4"
TOKEN_RE = re.compile(r"ghp_[A-Za-z0-9]{36,}")
PLACEHOLDER_RE = re.compile(r"<[A-Z_]+_\d+>")
ORIGINALS = {"<PERSON_1>": "Marta Kowalski", "<EMAIL_ADDRESS_1>": "marta@example.com"}


class TokenGuard:
    """A small real guard: redacts GitHub tokens, restores the placeholders it knows."""

    def __init__(self) -> None:
        self.fail_after: int | None = None
        self.scans = 0

    def session(self, request: Any) -> TokenGuard:
        return self

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        self.scans += 1
        if self.fail_after is not None and self.scans > self.fail_after:
            raise RuntimeError("detector down")
        return [
            [Finding("GITHUB_TOKEN", Category.SECRET, 0, m.start(), m.end(), 0.99, "github")
             for m in TOKEN_RE.finditer(t)]
            for t in texts
        ]

    def render(self, text: str, findings: Sequence[Finding]) -> str:
        for f in sorted(findings, key=lambda f: -f.start):
            text = text[: f.start] + "[SECRET]" + text[f.end :]
        return PLACEHOLDER_RE.sub(lambda m: ORIGINALS.get(m[0], m[0]), text)


class Harness:
    def __init__(
        self, url: str, state: MockState, window: dict[str, int] | None = None, **dest: Any
    ) -> None:
        self.state = state
        self.settings = Settings(
            dispatch=DispatchSettings(
                destinations={"default": {"base_url": url, **dest}},
                backoff_base_seconds=0.001, backoff_cap_seconds=0.01, **(window or {}),
            )
        )
        metrics = Metrics(CollectorRegistry())
        self.sent: list[Record] = []
        self.guard = TokenGuard()
        sem = asyncio.Semaphore(4)
        self.lanes = {
            name: Lane(ChatClient(name, d), self.settings.dispatch, metrics, sem)
            for name, d in self.settings.dispatch.destinations.items()
        }
        lanes = self.lanes
        self.store = MemoryDedupStore()
        self.dispatcher = Dispatcher(
            self.settings, metrics, lanes, self.store, self.guard, self.send
        )

    async def send(self, records: Sequence[Record]) -> None:
        self.sent.extend(records)

    async def handle(self, event: dict[str, Any]) -> str:
        return await self.dispatcher.handle(json.dumps(event).encode(), SOURCE)

    def on(self, role: str) -> list[dict[str, Any]]:
        topic = getattr(self.settings.topics, role)
        return [r.value for r in self.sent if r.topic == topic and r.value is not None]

    def response(self) -> dict[str, Any]:
        (response,) = self.on("responses")
        validator("response.json", "v2").validate(response)
        return response

    def chunks(self) -> list[dict[str, Any]]:
        records = self.on("responses_stream")
        for r in records:
            validator("response_chunk.json", "v2").validate(r)
        return records


_OPEN: list[Harness] = []


@pytest.fixture
async def mock() -> AsyncIterator[TestServer]:
    server = TestServer(build_app(MockConfig(latency_ms=1, chunk_ms=0)))
    await server.start_server()
    try:
        yield server
    finally:
        while _OPEN:
            for lane in _OPEN.pop().lanes.values():
                await lane.client.close()
        await server.close()


def harness(mock: TestServer, window: dict[str, int] | None = None, **dest: Any) -> Harness:
    h = Harness(str(mock.make_url("/v1")), mock.app[STATE], window, **dest)
    _OPEN.append(h)
    return h


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": [{"type": "text", "text": text}]}


async def test_every_parameter_reaches_the_llm(mock: TestServer) -> None:
    """The approved body goes out whole: known parameters, unknown ones, model mapped, store off."""
    request = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "developer", "content": "Be brief."}, user("Plan review.")],
        "temperature": 0.2, "top_p": 0.9, "max_completion_tokens": 400, "seed": 7,
        "stop": ["\n\n"], "n": 1, "reasoning_effort": "low", "metadata": {"team": "ops"},
        "response_format": {"type": "text"}, "store": True, "user": "end-user-42",
        "logit_bias": {"50256": -100}, "frobnicate": {"level": 3},  # a parameter from the future
    }
    h = harness(mock, model_map={"gpt-4o-mini": "mapped-mini"})
    assert await h.handle(approved_v2_event("p1", request)) == "answered"
    (body,) = h.state.bodies["p1"]
    expected = {**request, "model": "mapped-mini", "store": False}
    assert body == expected
    response = h.response()
    assert response["response"]["model"] == "mapped-mini"
    details = response["usage"]["completion_tokens_details"]
    assert details["reasoning_tokens"] == 8  # the mock's "low" effort


async def test_store_is_left_as_asked_when_the_destination_does_not_force_it(
    mock: TestServer,
) -> None:
    h = harness(mock, send_store_false=False)
    await h.handle(approved_v2_event("p1", {"model": "m", "messages": [user("hi")]}))
    assert "store" not in h.state.bodies["p1"][0]


async def test_tool_call_only_answer_is_ok_and_arguments_are_guarded(mock: TestServer) -> None:
    """A tool call is an answer: arguments re-identified and redacted, still valid JSON."""
    args = json.dumps({"email": "<EMAIL_ADDRESS_1>", "note": f"token {SECRET}", "limit": 3})
    request = {"model": "m", "tools": [LOOKUP_TOOL], "tool_choice": "auto",
               "messages": [user(f"Look them up [[tool]] [[args:{args}]]")]}
    h = harness(mock)
    assert await h.handle(approved_v2_event("p1", request)) == "answered"
    response = h.response()
    assert response["status"] == "ok" and response["answer"] is None
    choice = response["response"]["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
    (call,) = choice["message"]["tool_calls"]
    assert call["function"]["name"] == "lookup_customer"
    arguments = json.loads(call["function"]["arguments"])
    assert arguments == {"email": "marta@example.com", "note": "token [SECRET]", "limit": 3}
    assert SECRET not in json.dumps(h.sent, default=str)
    (finding,) = response["findings"]
    assert finding["path"] == "choices[0].message.tool_calls[0].function.arguments/note"
    assert (finding["start"], finding["end"]) == (6, 6 + len(SECRET))
    assert h.state.bodies["p1"][0]["tools"] == [LOOKUP_TOOL]


async def test_arguments_that_are_not_json_are_guarded_as_text(mock: TestServer) -> None:
    request = {"model": "m", "tools": [LOOKUP_TOOL],
               "messages": [user(f"[[tool]] [[args:{{not json {SECRET}}}]]")]}
    h = harness(mock)
    await h.handle(approved_v2_event("p1", request))
    call = h.response()["response"]["choices"][0]["message"]["tool_calls"][0]
    assert call["function"]["arguments"] == "{not json [SECRET]}"


async def test_n_choices_logprobs_and_refusal_are_kept(mock: TestServer) -> None:
    """Two choices, each with logprobs; a choice whose text had a finding loses its logprobs."""
    request = {"model": "m", "n": 2, "logprobs": True, "top_logprobs": 2,
               "messages": [user("Summarise <PERSON_1>'s plan.")]}
    h = harness(mock)
    await h.handle(approved_v2_event("p1", request))
    choices = h.response()["response"]["choices"]
    assert [c["index"] for c in choices] == [0, 1]
    assert choices[0]["message"]["content"] != choices[1]["message"]["content"]
    assert all("Marta Kowalski" in c["message"]["content"] for c in choices)
    assert all(c["logprobs"]["content"][0]["top_logprobs"] for c in choices)

    echo = {"model": "m", "logprobs": True, "messages": [user(f"[[echo]] key {SECRET}")]}
    await h.handle(approved_v2_event("p2", echo))
    (_, response) = h.on("responses")
    assert response["response"]["choices"][0]["logprobs"] is None
    assert SECRET not in json.dumps(response)

    refuse = {"model": "m", "messages": [user("Do something bad [[refuse]]")]}
    await h.handle(approved_v2_event("p3", refuse))
    message = h.on("responses")[2]["response"]["choices"][0]["message"]
    assert message["content"] is None and message["refusal"].startswith("I'm sorry")


async def test_json_mode_answers_are_valid_json(mock: TestServer) -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"},
                                               "score": {"type": "integer"}},
              "required": ["name", "score"]}
    request = {"model": "m", "messages": [user("Rate <PERSON_1>.")],
               "response_format": {"type": "json_schema",
                                   "json_schema": {"name": "rating", "schema": schema}}}
    h = harness(mock)
    await h.handle(approved_v2_event("p1", request))
    content = h.response()["response"]["choices"][0]["message"]["content"]
    assert json.loads(content) == {"name": "Marta Kowalski", "score": 1}


async def test_cached_tokens_are_reported(mock: TestServer) -> None:
    """The second turn of a conversation reuses the first's prefix: cached tokens are kept."""
    turn = [{"role": "system", "content": "You are a planner."}, user("First question.")]
    h = harness(mock)
    await h.handle(approved_v2_event("p1", {"model": "m", "messages": turn}))
    nxt = [*turn, user("Second question.")]
    await h.handle(approved_v2_event("p2", {"model": "m", "messages": nxt}))
    first, second = h.on("responses")
    assert first["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    assert second["usage"]["prompt_tokens_details"]["cached_tokens"] > 0


def _stream_text(chunks: list[dict[str, Any]], index: int = 0) -> str:
    return "".join(
        c["delta"].get("content") or ""
        for r in chunks if r["chunk"] for c in r["chunk"]["choices"] if c["index"] == index
    )


@pytest.mark.parametrize("holdback", [0, 8, 48])
async def test_stream_is_guarded_in_order_and_matches_the_assembled_response(
    mock: TestServer, holdback: int
) -> None:
    """Placeholders cut in two by the mock come out whole (re-identified); a secret split
    across chunks never shows, not even in part, even with a window shorter than the
    secret; the final chunk carries the usage."""
    text = f"Dear <PERSON_1>, your token {SECRET} was revoked; write to <EMAIL_ADDRESS_1> soon."
    request = {"model": "m", "stream": True, "messages": [user(f"[[echo]] {text}")]}
    h = harness(mock, {"stream_holdback_chars": holdback, "stream_step_chars": 1})
    assert await h.handle(approved_v2_event("p1", request, conversation_id="c1")) == "answered"
    chunks = h.chunks()
    assert [r["seq"] for r in chunks] == list(range(len(chunks)))
    assert [r["final"] for r in chunks] == [False] * (len(chunks) - 1) + [True]
    assert chunks[-1]["chunk"]["choices"] == [] and chunks[-1]["chunk"]["usage"]["total_tokens"]
    streamed = _stream_text(chunks)
    assert streamed == text.replace("<PERSON_1>", "Marta Kowalski").replace(
        SECRET, "[SECRET]").replace("<EMAIL_ADDRESS_1>", "marta@example.com")
    for size in range(8, len(SECRET)):
        assert SECRET[:size] not in json.dumps(h.sent, default=str)
    assert "<PER" not in streamed and "SON_1>" not in streamed
    response = h.response()
    assert response["streamed"] is True
    assert response["response"]["choices"][0]["message"]["content"] == streamed
    assert response["response"]["usage"] == chunks[-1]["chunk"]["usage"]
    (finding,) = response["findings"]
    assert finding["path"] == "choices[0].message.content"
    assert text[finding["start"]:finding["end"]] == SECRET
    assert {r.key for r in h.sent if r.topic == h.settings.topics.responses_stream} == {"c1"}
    body = h.state.bodies["p1"][0]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


async def test_stream_with_tool_calls_and_n_choices(mock: TestServer) -> None:
    args = json.dumps({"email": "<EMAIL_ADDRESS_1>", "note": SECRET})
    request = {"model": "m", "stream": True, "n": 2, "tools": [LOOKUP_TOOL],
               "messages": [user(f"[[tool]] [[args:{args}]]")]}
    h = harness(mock)
    await h.handle(approved_v2_event("p1", request))
    chunks = h.chunks()
    calls = [tc for r in chunks if r["chunk"] for c in r["chunk"]["choices"]
             for tc in c["delta"].get("tool_calls") or ()]
    assert len(calls) == 2  # one whole tool call per choice, guarded as JSON
    assert all(json.loads(tc["function"]["arguments"]) ==
               {"email": "marta@example.com", "note": "[SECRET]"} for tc in calls)
    choices = h.response()["response"]["choices"]
    assert [c["finish_reason"] for c in choices] == ["tool_calls", "tool_calls"]
    assert all(c["message"]["tool_calls"][0]["function"]["name"] == "lookup_customer"
               for c in choices)


async def test_stream_cut_midway_is_resumed_without_resending_or_rebilling(
    mock: TestServer,
) -> None:
    """The connection drops halfway: the retry (same Idempotency-Key) replays the same
    stream, chunks already published are not sent again, and the model is billed once."""
    text = "A long enough answer to be streamed in many chunks " * 4
    request = {"model": "m", "stream": True,
               "messages": [user(f"[[echo]] {text} [[fault:midstreamx1]]")]}
    h = harness(mock)
    assert await h.handle(approved_v2_event("p1", request)) == "answered"
    chunks = h.chunks()
    assert [r["seq"] for r in chunks] == list(range(len(chunks)))
    assert h.state.calls["p1"] == 1 and h.state.stats["replays"] == 1
    assert _stream_text(chunks) == h.response()["response"]["choices"][0]["message"]["content"]


async def test_stream_started_before_a_crash_is_replayed_not_rebilled(mock: TestServer) -> None:
    """The worker died mid-stream (dedup says started): the redelivered prompt streams again
    with the same Idempotency-Key, the gateway replays, the model is not called twice; without
    idempotency keys it is outcome_unknown and not called at all."""
    import openai

    request = {"model": "m", "stream": True, "messages": [user("[[echo]] " + "text " * 30)]}
    client = openai.AsyncOpenAI(api_key="k", base_url=str(mock.make_url("/v1")), max_retries=0)
    try:  # the call the crashed worker had made
        before = await client.chat.completions.create(
            **request, extra_headers={"Idempotency-Key": "p1", "X-Prompt-Id": "p1"}
        )
        _ = [c async for c in before]
    finally:
        await client.close()
    h = harness(mock)
    h.store.records["p1"] = DedupRecord(DedupState.STARTED, 1.0)
    assert await h.handle(approved_v2_event("p1", request)) == "answered"
    chunks = h.chunks()
    assert chunks[0]["seq"] == 0 and chunks[-1]["final"]
    assert h.state.calls["p1"] == 1 and h.state.stats["replays"] == 1

    blind = harness(mock, idempotency_keys=False)
    blind.store.records["p2"] = DedupRecord(DedupState.STARTED, 1.0)
    assert await blind.handle(approved_v2_event("p2", request)) == "failed"
    assert "p2" not in blind.state.bodies and blind.on("responses_stream") == []
    assert blind.response()["reason"] == "outcome_unknown"


async def test_guard_failure_mid_stream_ends_the_stream_failed(mock: TestServer) -> None:
    text = "word " * 80
    request = {"model": "m", "stream": True, "messages": [user(f"[[echo]] {text}")]}
    h = harness(mock)
    h.guard.fail_after = 2
    assert await h.handle(approved_v2_event("p1", request)) == "failed"
    chunks = h.chunks()
    assert chunks[-1]["final"] is True and chunks[-1]["chunk"] is None
    assert chunks[-1]["reason"] == "response_guard_failed"
    response = h.response()
    assert response["status"] == "failed" and response["error"]["code"] == "response_guard_failed"
    assert h.on("dlq")[0]["reason"] == "response_guard_failed"


async def test_v1_events_still_get_v1_responses(mock: TestServer) -> None:
    from tests.dispatch.support import approved_event

    h = harness(mock)
    assert await h.handle(approved_event("p1")) == "answered"
    (response,) = h.on("responses")
    validator("response.json").validate(response)
    assert response["schema_version"] == "v1" and response["answer"]
    assert h.state.bodies["p1"][0]["messages"] == approved_event("p1")["messages"]


@pytest.mark.parametrize("stream", [False, True])
async def test_an_alternative_token_with_a_value_is_never_delivered(
    mock: TestServer, stream: bool
) -> None:
    """The answer text is clean, but a token the model weighed (top_logprobs) is a secret:
    it is removed from its list, the rest of the logprobs stay, and the audit says where."""
    request = {"model": "m", "logprobs": True, "top_logprobs": 3, "stream": stream,
               "messages": [user(f"Summarise the plan [[alt:{SECRET}]]")]}
    h = harness(mock)
    assert await h.handle(approved_v2_event("p1", request)) == "answered"
    assert SECRET not in json.dumps(h.sent, default=str)
    choice = h.response()["response"]["choices"][0]
    entries = choice["logprobs"]["content"]
    assert "".join(e["token"] for e in entries) == choice["message"]["content"]
    assert len(entries[0]["top_logprobs"]) == 2 and len(entries[1]["top_logprobs"]) == 3
    (audit,) = h.on("audit")
    validator("audit.json", "v2").validate(audit)
    assert audit["detail"]["withheld"] == [
        {"path": "choices[0].logprobs.content[0].top_logprobs[2]",
         "reason": "finding_in_alternative"}]


@pytest.mark.parametrize("stream", [False, True])
async def test_logprobs_of_a_choice_with_a_finding_are_withheld_and_audited(
    mock: TestServer, stream: bool
) -> None:
    """Tokens spell the raw answer out: a choice with a finding delivers no logprobs, in the
    response or in any chunk."""
    request = {"model": "m", "logprobs": True, "top_logprobs": 1, "stream": stream,
               "messages": [user(f"[[echo]] my token is {SECRET} ok")]}
    h = harness(mock)
    assert await h.handle(approved_v2_event("p1", request)) == "answered"
    assert SECRET[:8] not in json.dumps(h.sent, default=str)
    assert h.response()["response"]["choices"][0]["logprobs"] is None
    if stream:
        assert all(c["logprobs"] is None for r in h.chunks() for c in r["chunk"]["choices"])
    (audit,) = h.on("audit")
    validator("audit.json", "v2").validate(audit)
    assert audit["detail"]["withheld"] == [{"path": "choices[0].logprobs",
                                            "reason": "finding_in_choice"}]
    assert [f["path"] for f in audit["findings"]] == ["choices[0].message.content"]


async def test_a_value_in_an_argument_key_is_redacted_in_place(mock: TestServer) -> None:
    """JSON keys are scanned too: the key is renamed, the arguments still parse, and the
    finding's path names the member by its position (``#1``), not by the key it is about."""
    args = json.dumps({"customers": {"first": 0, SECRET: {"plan": "gold"}}})
    request = {"model": "m", "tools": [LOOKUP_TOOL], "stream": False,
               "messages": [user(f"Look up [[tool]] [[args:{args}]]")]}
    for stream in (False, True):
        h = harness(mock)
        request["stream"] = stream
        assert await h.handle(approved_v2_event("p1", request)) == "answered"
        call = h.response()["response"]["choices"][0]["message"]["tool_calls"][0]
        assert json.loads(call["function"]["arguments"]) == {
            "customers": {"first": 0, "[SECRET]": {"plan": "gold"}}}
        assert SECRET[:8] not in json.dumps(h.sent, default=str)
        (finding,) = h.response()["findings"]
        assert finding["path"] == (
            "choices[0].message.tool_calls[0].function.arguments/customers/#1#")
