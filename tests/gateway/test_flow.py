"""One answer per request from whatever records arrive (pipeline/gateway/flow.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from pipeline.gateway.flow import Answer, Done, WaitPolicy, await_answer, stream_events
from pipeline.gateway.replies import Reply
from pipeline.gateway.wire import ErrorReply

POLICY = WaitPolicy("gw-1", "gpt-4o-mini", timeout=5.0)


def ok(answer: str = "Hello") -> Reply:
    return Reply("response", {"id": "gw-1", "tenant": "t", "status": "ok", "answer": answer})


def held() -> Reply:
    return Reply("quarantine", {"id": "gw-1", "tenant": "t", "findings": [
        {"entity_type": "GITHUB_TOKEN"}]})


def chunk(seq: int, text: str | None, final: bool = False) -> Reply:
    delta: dict[str, Any] = {} if text is None else {"content": text}
    body = {"id": "c", "object": "chat.completion.chunk", "choices": [
        {"index": 0, "delta": delta, "finish_reason": "stop" if final else None}]}
    return Reply("chunk", {"id": "gw-1", "tenant": "t", "seq": seq, "chunk": body, "final": final})


def queue_of(*replies: Reply) -> asyncio.Queue[Reply]:
    queue: asyncio.Queue[Reply] = asyncio.Queue()
    for reply in replies:
        queue.put_nowait(reply)
    return queue


async def collect(queue: asyncio.Queue[Reply], policy: WaitPolicy = POLICY) -> list[Any]:
    return [event async for event in stream_events(queue, policy)]


async def test_first_final_record_wins() -> None:
    outcome = await await_answer(queue_of(ok("first"), ok("second")), POLICY)
    assert isinstance(outcome, Answer)
    assert outcome.completion["choices"][0]["message"]["content"] == "first"


async def test_quarantine_answers_blocked_unless_waiting_for_review() -> None:
    blocked = await await_answer(queue_of(held(), ok()), POLICY)
    assert isinstance(blocked, ErrorReply) and blocked.status == 400
    waiting = WaitPolicy("gw-1", "m", timeout=5.0, review_wait=5.0)
    released = await await_answer(queue_of(held(), ok("released")), waiting)
    assert isinstance(released, Answer)


async def test_review_wait_that_expires_says_still_pending() -> None:
    waiting = WaitPolicy("gw-1", "m", timeout=5.0, review_wait=0.05)
    outcome = await await_answer(queue_of(held()), waiting)
    assert isinstance(outcome, ErrorReply) and outcome.status == 400
    assert "awaiting review" in outcome.body["error"]["message"]


async def test_no_reply_is_a_504_naming_the_request() -> None:
    outcome = await await_answer(queue_of(), WaitPolicy("gw-42", "m", timeout=0.05))
    assert isinstance(outcome, ErrorReply) and outcome.status == 504
    assert outcome.body["error"]["code"] == "gateway_timeout"
    assert "gw-42" in outcome.body["error"]["message"]


async def test_stream_relays_chunks_in_seq_order_without_duplicates() -> None:
    queue = queue_of(chunk(0, "a"), chunk(2, "c"), chunk(1, "b"), chunk(1, "b"),
                     chunk(3, None, final=True), ok())
    events = await collect(queue)
    assert isinstance(events[-1], Done)
    texts = [e["choices"][0]["delta"].get("content") for e in events[:-1]]
    assert texts == ["a", "b", "c", None]


async def test_stream_ignores_the_response_once_chunks_flow() -> None:
    events = await collect(queue_of(chunk(0, "a"), ok("whole"), chunk(1, None, final=True)))
    assert [type(e) for e in events] == [dict, dict, Done]


async def test_stream_replays_a_whole_response_when_no_chunks_come() -> None:
    events = await collect(queue_of(ok("Hello")))
    assert isinstance(events[-1], Done) and events[-1].record is not None
    content = "".join(e["choices"][0]["delta"].get("content") or "" for e in events[:-1])
    assert content == "Hello"


async def test_stream_error_before_any_chunk_is_one_error() -> None:
    events = await collect(queue_of(held()))
    assert len(events) == 1 and isinstance(events[0], ErrorReply) and events[0].status == 400
