"""Turning the records that arrive for one request id into one answer or one stream.

Independent of HTTP and Kafka (a waiter's queue is the only input), so the
rules are unit-tested with a fake reply source: the first final record wins and
later copies are ignored (at-least-once outputs never yield two answers); a
quarantine record ends the wait unless the caller asked to wait for review; the
deadline turns into a 504 naming the request id.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from pipeline.gateway import wire
from pipeline.gateway.replies import Reply
from pipeline.gateway.wire import ErrorReply

__all__ = ["Answer", "Done", "WaitPolicy", "await_answer", "stream_events", "timeout_error"]


@dataclass(frozen=True, slots=True)
class WaitPolicy:
    """How long to wait for a reply, and for a reviewer after a quarantine record."""

    prompt_id: str
    timeout: float
    review_wait: float = 0.0


@dataclass(frozen=True, slots=True)
class Answer:
    """A successful completion and the response record it came from."""

    completion: dict[str, Any]
    record: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Done:
    """End of a stream (``data: [DONE]``); ``record`` is the response when one was seen."""

    record: dict[str, Any] | None = None


def timeout_error(policy: WaitPolicy) -> ErrorReply:
    message = (
        f"No answer within {policy.timeout:g}s for request {policy.prompt_id}; retry with the "
        "same Idempotency-Key to pick up the answer without a second LLM call."
    )
    return ErrorReply(504, wire.error_body(message, "timeout", "gateway_timeout"))


async def _next(queue: asyncio.Queue[Reply], deadline: float) -> Reply | None:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return None
    try:
        return await asyncio.wait_for(queue.get(), remaining)
    except TimeoutError:
        return None


def _final(reply: Reply, policy: WaitPolicy) -> Answer | ErrorReply:
    if reply.kind == "dlq":
        return wire.error_for_dlq(reply.record)
    if reply.kind == "quarantine":
        return wire.error_for_quarantine(reply.record)
    error = wire.error_for_response(reply.record)
    if error is not None:
        return error
    try:
        return Answer(wire.completion_from_response(reply.record), reply.record)
    except wire.MalformedRecord:
        return wire.error_for_failure({"reason": "malformed_reply"})


async def await_answer(queue: asyncio.Queue[Reply], policy: WaitPolicy) -> Answer | ErrorReply:
    """The one outcome of a non-streaming request."""
    deadline = time.monotonic() + policy.timeout
    held: Reply | None = None
    while True:
        reply = await _next(queue, deadline)
        if reply is None:
            if held is not None:
                return wire.error_for_quarantine(held.record, still_pending=True)
            return timeout_error(policy)
        if reply.kind == "chunk":
            continue
        if reply.kind == "quarantine" and policy.review_wait > 0:
            if held is None:
                held = reply
                deadline = time.monotonic() + policy.review_wait
            continue
        return _final(reply, policy)


StreamEvent = dict[str, Any] | ErrorReply | Done
# How long a stream that failed before its first chunk waits for the failed response record
# (dispatch sends it right after the stream's final record) before answering from the latter.
FAILED_STREAM_GRACE_SECONDS = 2.0


async def stream_events(
    queue: asyncio.Queue[Reply], policy: WaitPolicy, include_usage: bool = False
) -> AsyncIterator[StreamEvent]:
    """Chunks in ``seq`` order, then ``Done``; or an ``ErrorReply`` (then nothing).

    Published chunks (v2 ``prompts.responses.stream``) are relayed as they come,
    gaps held back and (id, seq) pairs already relayed dropped: after a worker
    crash the retry republishes from seq 0. A failed stream's final record
    (``chunk: null``) ends the stream with an error, never a clean ``[DONE]``;
    before any chunk went out, the error is the failed response's (which carries
    the upstream's status and Retry-After), so it is still a plain HTTP error.
    If the final response arrives before any chunk, the completion is replayed
    as chunks, so a client always gets a stream in OpenAI's format.
    """
    deadline = time.monotonic() + policy.timeout
    next_seq: int | None = None
    held_back: dict[int, dict[str, Any]] = {}
    held: Reply | None = None
    relayed = False
    failed: dict[str, Any] | None = None  # a stream that failed before its first chunk
    while True:
        reply = await _next(queue, deadline)
        if reply is None:
            if failed is not None:
                yield wire.error_for_failure(failed)
            elif held is not None and next_seq is None:
                yield wire.error_for_quarantine(held.record, still_pending=True)
            else:
                yield timeout_error(policy)
            return
        if reply.kind == "chunk":
            seq = int(reply.record.get("seq", 0))
            if next_seq is None:
                next_seq = seq
            if seq < next_seq:
                continue
            held_back[seq] = reply.record
            while next_seq in held_back:
                record = held_back.pop(next_seq)
                next_seq += 1
                chunk = record.get("chunk")
                if not isinstance(chunk, dict):
                    if record.get("final") and relayed:
                        yield wire.error_for_failure(record)
                        return
                    if record.get("final"):
                        # Nothing sent yet: the failed response that follows carries the
                        # upstream's status and Retry-After; wait briefly for it.
                        failed = record
                        deadline = min(deadline, time.monotonic() + FAILED_STREAM_GRACE_SECONDS)
                    continue
                out = wire.client_chunk(chunk, include_usage)
                if out is not None:
                    relayed = True
                    yield out
                if record.get("final"):
                    yield Done()
                    return
            continue
        if next_seq is not None and failed is None:
            continue  # chunks are flowing: the stream's own final chunk ends it
        if reply.kind == "quarantine" and policy.review_wait > 0:
            if held is None:
                held = reply
                deadline = time.monotonic() + policy.review_wait
            continue
        outcome = _final(reply, policy)
        if isinstance(outcome, ErrorReply):
            yield outcome
            return
        for chunk in wire.chunks_from_completion(outcome.completion, include_usage):
            yield chunk
        yield Done(outcome.record)
        return
