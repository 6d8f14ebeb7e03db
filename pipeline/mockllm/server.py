"""The aiohttp app: /v1/chat/completions, /v1/models and the /admin endpoints.

Like an idempotency-aware gateway (LiteLLM, Portkey), a repeated
``Idempotency-Key`` replays the stored answer and is not counted as a new call;
a repeat while the first is still running gets 409 (a streamed replay re-sends the very
same chunks). ``GET /admin/calls`` counts
*billable* completions per prompt id (header ``X-Prompt-Id``, else the key), which
is what "called at most once" is checked against. Faulted requests are not billed.
``GET /admin/requests?prompt_id=`` returns the bodies received (what the LLM was
sent). Nothing logs prompt content. What is answered: ``answers.py``; how it streams:
``streaming.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from pipeline.mockllm.answers import Exchange, build_completion, message_text, prompt_tokens
from pipeline.mockllm.config import MockConfig
from pipeline.mockllm.faults import Fault, FaultBook
from pipeline.mockllm.streaming import chunk_sequence, sse

__all__ = ["build_app", "main"]

class MockState:
    """Counters, the idempotency store and the fault book of one server."""

    def __init__(self, config: MockConfig) -> None:
        self.config = config
        self.reset()

    def reset(self) -> None:
        self.faults = FaultBook(self.config.retry_after, self.config.hang_seconds)
        if self.config.fault:
            self.faults.set({"mode": self.config.fault})
        self.calls: Counter[str] = Counter()
        self.stats: Counter[str] = Counter()
        self.stored: dict[str, dict[str, Any]] = {}
        self.pending: set[str] = set()
        self.log: list[dict[str, Any]] = []
        # Every request body by prompt id, so tests can check what the LLM received.
        self.bodies: dict[str, list[dict[str, Any]]] = {}
        self.prefixes: set[str] = set()
        self.in_flight = 0
        self.max_in_flight = 0


STATE: web.AppKey[MockState] = web.AppKey("state", MockState)


def _error(status: int, message: str, retry_after: float | None = None) -> web.Response:
    headers = {}
    if retry_after is not None:
        headers["Retry-After"] = str(max(0, round(retry_after)))
        headers["retry-after-ms"] = str(int(retry_after * 1000))
    body = {"error": {"message": message, "type": "mock_error", "code": status}}
    return web.json_response(body, status=status, headers=headers)


async def _apply_fault(request: web.Request, fault: Fault, state: MockState) -> web.StreamResponse:
    state.stats[f"fault_{fault.status if fault.mode == 'status' else fault.mode}"] += 1
    if fault.mode == "hang":
        await asyncio.sleep(fault.seconds)
        return _error(504, "upstream timed out")
    if fault.mode == "reset":
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError  # nothing more to write on an aborted connection
    if fault.mode == "truncated":
        body = json.dumps(build_completion(Exchange({"messages": []}, 0)))
        return web.Response(text=body[: len(body) // 2], content_type="application/json")
    return _error(fault.status, "mock fault", fault.retry_after)


async def chat_completions(request: web.Request) -> web.StreamResponse:
    state: MockState = request.app[STATE]
    cfg = state.config
    if cfg.api_key and request.headers.get("Authorization") != f"Bearer {cfg.api_key}":
        return _error(401, "invalid api key")
    try:
        body = await request.json()
        messages = [m for m in body["messages"] if isinstance(m, dict)]
        if not messages or not isinstance(body.get("model", ""), str):
            raise ValueError("no messages")
    except (ValueError, KeyError, TypeError):
        return _error(400, "invalid request body")
    key = request.headers.get("Idempotency-Key")
    prompt_id = request.headers.get("X-Prompt-Id") or key or "anonymous"
    state.bodies.setdefault(prompt_id, []).append(body)
    state.stats["requests"] += 1
    state.in_flight += 1
    state.max_in_flight = max(state.max_in_flight, state.in_flight)
    entry = {"prompt_id": prompt_id, "at": time.time(), "result": "200"}  # arrival time
    state.log.append(entry)
    try:
        text = " ".join(message_text(m) for m in messages)
        fault = state.faults.take(prompt_id, text)
        if fault is not None and fault.mode != "midstream":
            entry["result"] = fault.mode if fault.mode != "status" else str(fault.status)
            return await _apply_fault(request, fault, state)
        if key is not None and key in state.stored:
            state.stats["replays"] += 1
            entry["result"] = "replay"
            return await _reply(request, body, state.stored[key], None)
        if key is not None and key in state.pending:
            state.stats["conflicts"] += 1
            entry["result"] = "409"
            return _error(409, "a request with this idempotency key is in progress", 0.2)
        if key is not None:
            state.pending.add(key)
        try:
            delay = cfg.latency_ms + random.uniform(0, cfg.jitter_ms)
            await asyncio.sleep(delay / 1000.0)
            state.calls[prompt_id] += 1
            state.stats["completions"] += 1
            reply = build_completion(
                Exchange(body, state.stats["completions"], _cached_tokens(state, messages))
            )
            if key is not None:  # like a gateway that finishes upstream whatever the client does
                state.stored[key] = reply
        finally:
            if key is not None:
                state.pending.discard(key)
        if fault is not None:
            entry["result"] = "midstream"
            state.stats["fault_midstream"] += 1
        return await _reply(request, body, reply, fault)
    finally:
        state.in_flight -= 1


def _cached_tokens(state: MockState, messages: list[dict[str, Any]]) -> int:
    """Prompt caching: the tokens of a conversation prefix this server has seen before."""
    prefix = messages[:-1]
    if not prefix:
        return 0
    digest = hashlib.sha256(json.dumps(prefix, sort_keys=True).encode()).hexdigest()
    seen = digest in state.prefixes
    state.prefixes.add(hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest())
    return prompt_tokens(prefix) if seen else 0


async def _reply(
    request: web.Request, body: dict[str, Any], reply: dict[str, Any], fault: Fault | None
) -> web.StreamResponse:
    """The completion as JSON, or streamed as SSE; a midstream fault drops the connection."""
    if not body.get("stream"):
        if fault is not None and request.transport is not None:
            request.transport.abort()
            raise asyncio.CancelledError
        return web.json_response(reply)
    options = body.get("stream_options") or {}
    seed = int(hashlib.sha256(reply["id"].encode()).hexdigest()[:8], 16)
    chunks = chunk_sequence(reply, bool(options.get("include_usage")), seed)
    stream = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                         "Cache-Control": "no-cache"})
    await stream.prepare(request)
    gap = request.app[STATE].config.chunk_ms / 1000.0
    for n, chunk in enumerate(chunks):
        if fault is not None and n == len(chunks) // 2:
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        await stream.write(sse(chunk))
        if gap:
            await asyncio.sleep(gap)
    await stream.write(sse(None))
    await stream.write_eof()
    return stream


async def models(request: web.Request) -> web.Response:
    cfg: MockConfig = request.app[STATE].config
    data = [{"id": m, "object": "model", "created": 0, "owned_by": "mockllm"} for m in cfg.models]
    return web.json_response({"object": "list", "data": data})


async def set_faults(request: web.Request) -> web.Response:
    state: MockState = request.app[STATE]
    try:
        state.faults.set(await request.json())
    except (ValueError, TypeError) as exc:
        return _error(400, str(exc))
    return web.json_response(state.faults.describe())


async def set_config(request: web.Request) -> web.Response:
    cfg: MockConfig = request.app[STATE].config
    spec = await request.json()
    for name in ("latency_ms", "jitter_ms", "hang_seconds", "retry_after", "chunk_ms"):
        if name in spec:
            setattr(cfg, name, float(spec[name]))
    return web.json_response({"latency_ms": cfg.latency_ms, "jitter_ms": cfg.jitter_ms})


async def calls(request: web.Request) -> web.Response:
    return web.json_response(dict(request.app[STATE].calls))


async def stats(request: web.Request) -> web.Response:
    state: MockState = request.app[STATE]
    return web.json_response({
        **state.stats, "in_flight": state.in_flight, "max_in_flight": state.max_in_flight,
        "fault": state.faults.describe(),
    })


async def request_log(request: web.Request) -> web.Response:
    return web.json_response(request.app[STATE].log)


async def request_bodies(request: web.Request) -> web.Response:
    """The bodies received for one prompt id (``?prompt_id=``), in arrival order."""
    bodies = request.app[STATE].bodies.get(request.query.get("prompt_id", ""), [])
    return web.json_response(bodies)


async def reset(request: web.Request) -> web.Response:
    """Clear everything, or with ``{"peak": true}`` only restart the concurrency peak."""
    state: MockState = request.app[STATE]
    spec = await request.json() if request.can_read_body else {}
    if spec.get("peak"):
        state.max_in_flight = state.in_flight
    else:
        state.reset()
    return web.json_response({"ok": True})


def build_app(config: MockConfig | None = None) -> web.Application:
    """Build the server as an aiohttp Application (for ``aiohttp_client`` or ``web.run_app``)."""
    app = web.Application()
    app[STATE] = MockState(config or MockConfig())
    app.router.add_post("/v1/chat/completions", chat_completions)
    app.router.add_get("/v1/models", models)
    app.router.add_post("/admin/faults", set_faults)
    app.router.add_post("/admin/config", set_config)
    app.router.add_get("/admin/calls", calls)
    app.router.add_get("/admin/stats", stats)
    app.router.add_get("/admin/log", request_log)
    app.router.add_get("/admin/requests", request_bodies)
    app.router.add_post("/admin/reset", reset)
    return app


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m pipeline.mockllm --port 8088``; flags override ``MOCKLLM_*`` env."""
    cfg = MockConfig.from_env(os.environ)
    parser = argparse.ArgumentParser(prog="mockllm", description="OpenAI-compatible mock LLM")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--latency-ms", type=float, default=cfg.latency_ms)
    parser.add_argument("--jitter-ms", type=float, default=cfg.jitter_ms)
    parser.add_argument("--chunk-ms", type=float, default=cfg.chunk_ms,
                        help="pause between streamed chunks")
    parser.add_argument("--api-key", default=cfg.api_key)
    parser.add_argument("--fault", default=cfg.fault, help="fault mode active from start")
    args = parser.parse_args(argv)
    cfg.latency_ms, cfg.jitter_ms, cfg.chunk_ms = args.latency_ms, args.jitter_ms, args.chunk_ms
    cfg.api_key, cfg.fault = args.api_key, args.fault
    web.run_app(build_app(cfg), host=args.host, port=args.port, print=None, access_log=None)
