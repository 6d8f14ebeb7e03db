"""v2 requests through the dispatch worker on a real broker, against the mock LLM.

Approved v2 events (written directly to prompts.approved, as classify would) with
tools, JSON mode, n=2 and streaming go to ``prompt-dlp worker --role dispatch``
(real policy guard); we check the responses, the stream chunks in order, the tool
calls, what the LLM received, and that nothing was dead-lettered.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.contracts import validator
from pipeline.crypto import KeyRing
from pipeline.redact.pseudonyms import PseudonymBook
from pipeline.redact.vault import seal_book
from tests.conftest import TEST_KAFKA_PORT
from tests.dispatch import support
from tests.support.broker import LocalBroker

pytestmark = pytest.mark.integration

MOCK_PORT = TEST_KAFKA_PORT + 4  # the broker takes port..port+3
SECRET = "ghp_" + "Q7w9Er2Ty4Ui6Op8As1Df3Gh5Jk7Lz9Xc2Vb4"
DISPATCH = {
    "destinations": {
        "default": {"base_url": f"http://127.0.0.1:{MOCK_PORT}/v1", "timeout_seconds": 5,
                    "model_map": {"gpt-4o-mini": "mock-mini"}},
    },
    "backoff_base_seconds": 0.1,
    "backoff_cap_seconds": 1.0,
    "batch_wait_seconds": 0.05,
}


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[support.MockLLM]:
    server = support.MockLLM(MOCK_PORT, tmp_path_factory.mktemp("mock") / "mock.log",
                             latency_ms=5, chunk_ms=1)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def worker(
    kafka_broker: LocalBroker, mock: support.MockLLM, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("worker")
    topics = support.unique_topics()
    support.create_topics(topics)
    keys = KeyRing.generate_spec("t1")
    env = support.worker_env(f"dispatch-{uuid.uuid4().hex[:8]}", tmp, topics, DISPATCH, keys)
    proc = support.start_worker(env, tmp / "worker.log")
    try:
        yield {"topics": topics, "proc": proc, "log": tmp / "worker.log", "keys": keys}
    finally:
        support.stop_process(proc)


def _book(keys: str, scope: str) -> dict[str, Any]:
    book = PseudonymBook()
    book.placeholder_for("Marta Kowalski", "PERSON")
    book.placeholder_for("marta@example.com", "EMAIL_ADDRESS")
    return seal_book(book, KeyRing.parse(keys), scope)


def _user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": [{"type": "text", "text": text}]}


def _events(keys: str) -> dict[str, dict[str, Any]]:
    tag = uuid.uuid4().hex[:6]
    agent = [
        {"role": "developer", "content": "You are a support agent."},
        _user("Update the record of <PERSON_1>."),
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_a", "type": "function",
             "function": {"name": "lookup_customer",
                          "arguments": '{"email": "<EMAIL_ADDRESS_1>"}'}}]},
        {"role": "tool", "tool_call_id": "call_a", "content": '{"found": "<PERSON_1>"}'},
        _user(f"Now store it [[tool]] [[args:{{\"email\": \"<EMAIL_ADDRESS_1>\", "
              f"\"note\": \"{SECRET}\"}}]]"),
    ]
    reqs: dict[str, dict[str, Any]] = {
        "tools": {"model": "gpt-4o-mini", "messages": agent, "tools": [support.LOOKUP_TOOL],
                  "tool_choice": "auto", "parallel_tool_calls": False, "temperature": 0},
        "json": {"model": "gpt-4o-mini", "messages": [_user("Rate <PERSON_1>.")],
                 "response_format": {"type": "json_schema", "json_schema": {
                     "name": "rating", "strict": True, "schema": {
                         "type": "object", "required": ["name", "score"],
                         "properties": {"name": {"type": "string"},
                                        "score": {"type": "integer"}}}}},
                 "seed": 11},
        "n2": {"model": "gpt-4o-mini", "messages": [_user("Two drafts for <PERSON_1>.")], "n": 2,
               "logprobs": True, "top_logprobs": 1, "max_completion_tokens": 200,
               "reasoning_effort": "low", "x_vendor_hint": {"priority": "low"}},
        "stream": {"model": "gpt-4o-mini", "stream": True,
                   "messages": [_user(f"[[echo]] Dear <PERSON_1>, the key {SECRET} expired; "
                                      "mail <EMAIL_ADDRESS_1> for a new one, thanks.")]},
    }
    out = {}
    for name, request in reqs.items():
        conv = f"c-{name}-{tag}"
        out[name] = support.approved_v2_event(
            f"{name}-{tag}", request, conversation_id=conv, pseudonyms=_book(keys, conv)
        )
    return out


def test_v2_requests_come_back_whole(worker: dict[str, Any], mock: support.MockLLM) -> None:
    topics, proc, log = worker["topics"], worker["proc"], Path(worker["log"])
    events = _events(worker["keys"])
    support.produce(topics.approved, events.values())
    ids = [e["id"] for e in events.values()]
    responses = support.consume_until(
        topics.responses, support.ids_answered(ids), 90, lambda: proc.poll() is None
    )
    assert proc.poll() is None, log.read_text()[-3000:]
    by_id = {r["id"]: r for r in responses if r["id"] in ids}
    assert set(by_id) == set(ids), log.read_text()[-3000:]
    for r in by_id.values():
        validator("response.json", "v2").validate(r)
        assert r["status"] == "ok", r
    assert SECRET not in json.dumps(responses)

    # What the LLM received: every parameter, model mapped, store off, stream with usage.
    for event in events.values():
        (body,) = mock.bodies(event["id"])
        request = event["request"]
        sent = {**request, "model": "mock-mini", "store": False}
        if request.get("stream"):
            sent["stream_options"] = {"include_usage": True}
        assert body == sent

    tools = by_id[events["tools"]["id"]]["response"]["choices"][0]
    assert tools["finish_reason"] == "tool_calls" and tools["message"]["content"] is None
    arguments = json.loads(tools["message"]["tool_calls"][0]["function"]["arguments"])
    assert arguments["email"] == "marta@example.com"  # the default policy re-identifies it
    assert SECRET not in arguments["note"]
    assert any(f["path"].endswith(".function.arguments/note")
               for f in by_id[events["tools"]["id"]]["findings"])

    rating = by_id[events["json"]["id"]]["response"]["choices"][0]["message"]["content"]
    assert json.loads(rating) == {"name": "Marta Kowalski", "score": 1}

    n2 = by_id[events["n2"]["id"]]
    assert [c["index"] for c in n2["response"]["choices"]] == [0, 1]
    assert all(c["logprobs"]["content"] for c in n2["response"]["choices"])
    assert n2["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0

    stream_id = events["stream"]["id"]
    chunks = support.consume_until(
        topics.responses_stream,
        lambda rs: any(r["id"] == stream_id and r["final"] for r in rs), 30,
    )
    mine = [r for r in chunks if r["id"] == stream_id]
    for r in mine:
        validator("response_chunk.json", "v2").validate(r)
    assert [r["seq"] for r in mine] == list(range(len(mine)))
    assert mine[-1]["final"] and mine[-1]["chunk"]["usage"]["total_tokens"] > 0
    text = "".join(c["delta"].get("content") or "" for r in mine if r["chunk"]
                   for c in r["chunk"]["choices"])
    assert text.startswith("Dear Marta Kowalski, the key ") and SECRET[:8] not in text
    assert "marta@example.com" in text
    assembled = by_id[stream_id]["response"]["choices"][0]["message"]["content"]
    assert assembled == text and by_id[stream_id]["streamed"] is True

    dlq = support.consume_until(topics.dlq, lambda _r: False, 2)
    assert [d for d in dlq if d.get("id") in ids] == []
    assert all(mock.calls()[i] == 1 for i in ids)
