"""A streamed call relayed to ``prompts.responses.stream``: guarded chunk by chunk, in order.

Per choice, content and refusal go through a hold-back window (``window.py``);
tool calls are held until complete (the next tool call or the choice's end) and
then guarded like a whole answer's, so their arguments are scanned as JSON.
Role deltas go out at once. Logprobs are held and ride the choice's finish chunk,
guarded like a whole answer's (``logprobs.py``): none once anything was found in the
choice (its text, refusal or tool calls), and alternatives with a finding removed.
After the upstream's last chunk a final record carries the usage. The chunks sent
are also accumulated (with the SDK's own ``ChatCompletionStreamState``) into the
assembled response for prompts.responses, so both say exactly the same.

Chunks are numbered (``seq``) per prompt. A retry inside this process restarts
the upstream stream with the same Idempotency-Key and re-sends nothing it already
sent (seq below the high-water mark); after a crash the redelivered prompt streams
again from seq 0 — consumers drop ``(id, seq)`` they already have, and a gateway
that replays the key replays the very same chunks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from openai.lib.streaming.chat import ChatCompletionStreamState
from openai.types.chat import ChatCompletionChunk

from pipeline.bus import Record
from pipeline.dispatch.answer import guard_json_text
from pipeline.dispatch.client import Completion, MalformedReply
from pipeline.dispatch.guard import GuardSession
from pipeline.dispatch.logprobs import choice_has_findings, guard_logprobs
from pipeline.dispatch.request import DispatchRequest
from pipeline.dispatch.window import TextWindow, WindowSettings

__all__ = ["GuardFailed", "StreamPublisher", "StreamRelay"]

Send = Callable[[Sequence[Record]], Awaitable[None]]
_HEAD = ("id", "created", "model", "system_fingerprint", "service_tier")


class GuardFailed(Exception):
    """The guard raised on a chunk: the stream stops, nothing unscanned goes out."""


class StreamPublisher:
    """Sends stream records in order without making the relay wait for each broker ack."""

    def __init__(self, send: Send, topic: str, request: DispatchRequest) -> None:
        self._send = send
        self._topic = topic
        self._request = request
        self._seq = 0
        self._sent_before = 0  # high-water mark of earlier attempts in this process
        self._queue: asyncio.Queue[Record | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.count = 0

    def restart(self) -> None:
        """A new attempt numbers from 0 again; what earlier attempts sent is not re-sent."""
        self._sent_before = max(self._sent_before, self._seq)
        self._seq = 0

    def emit(self, chunk: dict[str, Any] | None, final: bool = False, **extra: Any) -> None:
        seq, self._seq = self._seq, self._seq + 1
        if seq < self._sent_before:
            return
        value = {"schema_version": "v2", **self._request.identity, "seq": seq,
                 "chunk": chunk, "final": final, **extra}
        self._queue.put_nowait(Record(self._topic, self._request.key, value))
        self.count += 1
        if self._task is None:
            self._task = asyncio.ensure_future(self._drain())

    async def _drain(self) -> None:
        """Whatever queued up while the last batch was in flight goes as one batch, in order."""
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            records = [r for r in batch if r is not None]
            if records:
                await self._send(records)
            if None in batch:
                return

    async def close(self) -> None:
        """Return once every emitted record is acknowledged."""
        task, self._task = self._task, None
        if task is not None:
            self._queue.put_nowait(None)
            await task

    def abort(self) -> None:
        """Stop sending (the worker is going down; the prompt will be redelivered)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()

    async def fail(self, reason: str) -> None:
        """End the stream for its consumers: a final record without a chunk."""
        self._seq = max(self._seq, self._sent_before)
        self.emit(None, final=True, status="failed", reason=reason)
        await self.close()


class _Choice:
    def __init__(self, index: int, settings: WindowSettings) -> None:
        base = f"choices[{index}].message"
        self.index = index
        self.content = TextWindow(base + ".content", settings)
        self.refusal = TextWindow(base + ".refusal", settings)
        self.tools: dict[int, dict[str, Any]] = {}
        self.logprobs: dict[str, list[Any]] = {"content": [], "refusal": []}
        self.done = False


class StreamRelay:
    """Feeds upstream chunks through the guard to a ``StreamPublisher``; assembles the answer."""

    def __init__(
        self, session: GuardSession, publisher: StreamPublisher, settings: WindowSettings
    ) -> None:
        self._session = session
        self._publisher = publisher
        self._settings = settings
        self.restart()

    def restart(self) -> None:
        self._publisher.restart()
        self._choices: dict[int, _Choice] = {}
        self._head: dict[str, Any] = {}
        self._usage: dict[str, Any] | None = None
        self._state: ChatCompletionStreamState[Any] = ChatCompletionStreamState()
        self.findings: list[dict[str, Any]] = []
        self.withheld: list[dict[str, str]] = []  # logprobs removed (paths and reasons)

    async def feed(self, chunk: dict[str, Any]) -> None:
        if not self._head:
            self._head = {k: chunk[k] for k in _HEAD if chunk.get(k) is not None}
        if isinstance(chunk.get("usage"), dict):
            self._usage = chunk["usage"]
        try:
            for entry in chunk.get("choices") or ():
                await self._entry(entry)
        except MalformedReply:
            raise
        except Exception as exc:  # fail closed on the guard's failure
            raise GuardFailed(type(exc).__name__) from exc

    async def _entry(self, entry: dict[str, Any]) -> None:
        index = int(entry.get("index", 0))
        choice = self._choices.get(index)
        if choice is None:
            choice = self._choices[index] = _Choice(index, self._settings)
        delta = entry.get("delta") or {}
        if delta.get("role"):
            self._out(index, {"role": delta["role"],
                              "content": "" if isinstance(delta.get("content"), str) else None})
        for kind in ("content", "refusal"):
            lp = entry.get("logprobs") or {}
            choice.logprobs[kind] += (lp.get(kind) or []) if isinstance(lp, dict) else []
            if isinstance(delta.get(kind), str) and delta[kind]:
                window: TextWindow = getattr(choice, kind)
                window.add(delta[kind])
                await self._release(choice, kind, final=False)
        for call in delta.get("tool_calls") or ():
            await self._tool_delta(choice, call)
        if entry.get("finish_reason"):
            await self._finish(choice, str(entry["finish_reason"]))

    async def _release(self, choice: _Choice, kind: str, final: bool) -> None:
        window: TextWindow = getattr(choice, kind)
        text, found = await window.take(self._session, final)
        self.findings += found
        if text:
            self._out(choice.index, {kind: text})

    async def _tool_delta(self, choice: _Choice, call: dict[str, Any]) -> None:
        k = int(call.get("index", 0))
        if k not in choice.tools:
            await self._flush_text(choice)
            await self._flush_tools(choice)  # the earlier call is complete
            choice.tools[k] = {"id": call.get("id"), "type": call.get("type") or "function",
                               "name": "", "text": "", "sent": False}
        held = choice.tools[k]
        fn = call.get("function") or call.get("custom") or {}
        if call.get("custom"):
            held["type"] = "custom"
        held["name"] += fn.get("name") or ""
        held["text"] += fn.get("arguments") or fn.get("input") or ""

    async def _flush_text(self, choice: _Choice) -> None:
        for kind in ("content", "refusal"):
            while getattr(choice, kind).buffer:
                await self._release(choice, kind, final=True)

    async def _flush_tools(self, choice: _Choice) -> None:
        base = f"choices[{choice.index}].message.tool_calls"
        for k, held in sorted(choice.tools.items()):
            if held["sent"]:
                continue
            custom = held["type"] == "custom"
            field = "input" if custom else "arguments"
            path = f"{base}[{k}].{'custom' if custom else 'function'}.{field}"
            text, found = await guard_json_text(self._session, held["text"], path)
            self.findings += found
            body = {"name": held["name"], field: text}
            self._out(choice.index, {"tool_calls": [
                {"index": k, "id": held["id"], "type": held["type"],
                 ("custom" if custom else "function"): body}
            ]})
            held["sent"] = True

    async def _finish(self, choice: _Choice, reason: str) -> None:
        await self._flush_text(choice)
        await self._flush_tools(choice)
        at = f"choices[{choice.index}]"
        lp = choice.logprobs
        logprobs, dropped = await guard_logprobs(
            self._session, lp if lp["content"] or lp["refusal"] else None,
            choice_has_findings(self.findings, at), at,
        )
        self.withheld += dropped
        self._out(choice.index, {}, finish_reason=reason, logprobs=logprobs)
        choice.done = True

    def _out(self, index: int, delta: dict[str, Any], **fields: Any) -> None:
        entry = {"index": index, "delta": delta, "logprobs": None, "finish_reason": None,
                 **fields}
        self._emit({**self._head, "object": "chat.completion.chunk", "choices": [entry],
                    "usage": None})

    def _emit(self, chunk: dict[str, Any], final: bool = False) -> None:
        self._state.handle_chunk(ChatCompletionChunk.model_validate(chunk))
        self._publisher.emit(chunk, final)

    async def finish(self, latency: float) -> Completion:
        """After the upstream's last chunk: flush, send the final chunk, return the assembly."""
        if not self._choices or not all(c.done for c in self._choices.values()):
            raise MalformedReply("malformed_reply: the stream ended before its choices did")
        self._emit({**self._head, "object": "chat.completion.chunk", "choices": [],
                    "usage": self._usage}, final=True)
        await self._publisher.close()
        return Completion(_assembled(self._state), latency)


def _assembled(state: ChatCompletionStreamState[Any]) -> dict[str, Any]:
    """The accumulated completion as the API would have returned it (no SDK-only fields)."""
    body: dict[str, Any] = state.current_completion_snapshot.to_dict()
    for choice in body.get("choices") or ():
        message = choice.get("message") or {}
        message.pop("parsed", None)
        for name in ("audio", "function_call", "tool_calls", "annotations"):
            if message.get(name) is None:
                message.pop(name, None)
        for call in message.get("tool_calls") or ():
            (call.get("function") or {}).pop("parsed_arguments", None)
    if body.get("usage") is None:
        body.pop("usage", None)
    return body
