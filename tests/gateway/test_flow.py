"""One answer per request from whatever records arrive (pipeline/gateway/flow.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from pipeline.gateway.flow import Answer, Done, WaitPolicy, await_answer, stream_events
from pipeline.gateway.replies import Reply
from pipeline.gateway.wire import ErrorReply

POLICY = WaitPolicy("gw-1", timeout=5.0)


def ok(answer: str = "Hello") -> Reply:
    completion = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
                  "choices": [{"index": 0, "finish_reason": "stop",
                               "message": {"role": "assistant", "content": answer}}]}
    return Reply("response", {"schema_version": "v2", "id": "gw-1", "tenant": "t",
                              "status": "ok", "answer": answer, "response": completion})


def held() -> Reply:
    return Reply("quarantine", {"id": "gw-1", "tenant": "t", "findings": [
        {"entity_type": "GITHUB_TOKEN"}]})


def chunk(seq: int, text: str | None, final: bool = False) -> Reply:
    delta: dict[str, Any] = {} if text is None else {"content": text}
    body = {"id": "c", "object": "chat.completion.chunk", "usage": None, "choices": [
        {"index": 0, "delta": delta, "finish_reason": "stop" if final else None}]}
    return Reply("chunk", {"id": "gw-1", "tenant": "t", "seq": seq, "chunk": body, "final": final})


def usage_chunk(seq: int) -> Reply:
    """What dispatch ends every stream with: no choices, the usage, ``final``."""
    body = {"id": "c", "object": "chat.completion.chunk", "choices": [],
            "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}}
    return Reply("chunk", {"id": "gw-1", "tenant": "t", "seq": seq, "chunk": body, "final": True})


def failed_final(seq: int) -> Reply:
    return Reply("chunk", {"id": "gw-1", "tenant": "t", "seq": seq, "chunk": None,
                           "final": True, "status": "failed", "reason": "http_503"})


def queue_of(*replies: Reply) -> asyncio.Queue[Reply]:
    queue: asyncio.Queue[Reply] = asyncio.Queue()
    for reply in replies:
        queue.put_nowait(reply)
    return queue


async def collect(
    queue: asyncio.Queue[Reply], policy: WaitPolicy = POLICY, include_usage: bool = False
) -> list[Any]:
    return [event async for event in stream_events(queue, policy, include_usage)]


async def test_first_final_record_wins() -> None:
    outcome = await await_answer(queue_of(ok("first"), ok("second")), POLICY)
    assert isinstance(outcome, Answer)
    assert outcome.completion["choices"][0]["message"]["content"] == "first"


async def test_quarantine_answers_blocked_unless_waiting_for_review() -> None:
    blocked = await await_answer(queue_of(held(), ok()), POLICY)
    assert isinstance(blocked, ErrorReply) and blocked.status == 400
    waiting = WaitPolicy("gw-1", timeout=5.0, review_wait=5.0)
    released = await await_answer(queue_of(held(), ok("released")), waiting)
    assert isinstance(released, Answer)


async def test_review_wait_that_expires_says_still_pending() -> None:
    waiting = WaitPolicy("gw-1", timeout=5.0, review_wait=0.05)
    outcome = await await_answer(queue_of(held()), waiting)
    assert isinstance(outcome, ErrorReply) and outcome.status == 400
    assert "awaiting review" in outcome.body["error"]["message"]


async def test_no_reply_is_a_504_naming_the_request() -> None:
    outcome = await await_answer(queue_of(), WaitPolicy("gw-42", timeout=0.05))
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


async def test_usage_only_final_chunk_is_relayed_only_when_asked() -> None:
    replies = (chunk(0, "a"), chunk(1, None), usage_chunk(2))
    plain = await collect(queue_of(*replies))
    assert [type(e) for e in plain] == [dict, dict, Done]
    assert all("usage" not in e for e in plain[:-1])
    with_usage = await collect(queue_of(*replies), include_usage=True)
    assert with_usage[2]["choices"] == [] and with_usage[2]["usage"]["total_tokens"] == 3
    assert isinstance(with_usage[-1], Done)


async def test_failed_stream_ends_with_an_error_not_done() -> None:
    events = await collect(queue_of(chunk(0, "a"), failed_final(1)))
    assert isinstance(events[0], dict) and len(events) == 2
    assert isinstance(events[1], ErrorReply) and events[1].status == 503


async def test_stream_failed_before_any_chunk_answers_from_the_failed_response() -> None:
    """The failed response (status and Retry-After) follows the stream's final record."""
    failed = Reply("response", {"schema_version": "v2", "id": "gw-1", "tenant": "t",
                                "status": "failed", "reason": "http_429",
                                "error": {"code": "http_429", "status": 429, "retry_after": 4}})
    events = await collect(queue_of(failed_final(0), failed))
    assert len(events) == 1 and isinstance(events[0], ErrorReply)
    assert events[0].status == 429 and events[0].headers["Retry-After"] == "4"


async def test_stream_failed_before_any_chunk_without_a_response_still_ends() -> None:
    events = await collect(queue_of(failed_final(0)), WaitPolicy("gw-1", timeout=0.2))
    assert len(events) == 1 and isinstance(events[0], ErrorReply) and events[0].status == 503


async def test_crash_retry_republishing_from_seq_0_is_not_relayed_twice() -> None:
    # First attempt: seq 0, 1 then the worker dies; the retry streams 0..3 again.
    queue = queue_of(chunk(0, "a"), chunk(1, "b"), chunk(0, "a"), chunk(1, "b"),
                     chunk(2, "c"), usage_chunk(3))
    events = await collect(queue)
    texts = [e["choices"][0]["delta"].get("content") for e in events[:-1]]
    assert texts == ["a", "b", "c"] and isinstance(events[-1], Done)
