"""The HTTP surface: ``/v1/chat/completions``, ``/v1/models``, health, readiness, metrics.

Errors are always OpenAI's shape, so SDKs raise their usual exception types
(``BadRequestError`` for a blocked prompt, ``RateLimitError`` with
``Retry-After``, ``APITimeoutError``-like 504s). Every answer carries
``x-request-id`` (the event id), which the SDKs expose as ``_request_id``.
Nothing from a prompt or a key is logged.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

import orjson
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from pipeline.gateway import flow, wire
from pipeline.gateway.flow import Answer, Done, WaitPolicy
from pipeline.gateway.keys import ApiKey
from pipeline.gateway.service import Gateway
from pipeline.gateway.wire import ErrorReply, Identity, WireError
from pipeline.tracing import CORRELATION_HEADER, TRACEPARENT, TRACESTATE, child_headers

__all__ = ["GATEWAY", "build_app"]

GATEWAY: web.AppKey[Gateway] = web.AppKey("gateway", Gateway)
CHAT = "/v1/chat/completions"
_BEARER = re.compile(r"^Bearer\s+(\S+)$", re.IGNORECASE)
_SAFE_HEADER = re.compile(r"^[\w.@:+-]{1,256}$")
_log = logging.getLogger(__name__)


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=orjson.dumps(body), status=status, content_type="application/json", headers=headers
    )


def _error(reply: ErrorReply, prompt_id: str | None = None) -> web.Response:
    headers = dict(reply.headers)
    if prompt_id:
        headers["x-request-id"] = prompt_id
    return _json(reply.status, reply.body, headers)


def _bad_request(message: str, param: str | None = None, code: str | None = None) -> ErrorReply:
    return ErrorReply(400, wire.error_body(message, "invalid_request_error", code, param))


def _authenticate(gateway: Gateway, request: web.Request) -> ApiKey | ErrorReply:
    match = _BEARER.match(request.headers.get("Authorization", ""))
    key = gateway.keys.lookup(match[1]) if match else None
    if key is None:
        body = wire.error_body(
            "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
        )
        return ErrorReply(401, body)
    return key


def _header(request: web.Request, name: str | None) -> str | None:
    value = request.headers.get(name) if name else None
    return value if value is not None and _SAFE_HEADER.match(value) else None


def _identity(gateway: Gateway, request: web.Request, key: ApiKey, body: Any) -> Identity:
    """End user: the trusted proxy's header, else the body's ``user``, else the key's default."""
    body_user = body.get("user") if isinstance(body, dict) else None
    user = (
        _header(request, gateway.config.user_header)
        or (body_user if isinstance(body_user, str) and 0 < len(body_user) <= 256 else None)
        or key.user
    )
    conversation = _header(request, "X-Prompt-DLP-Conversation-Id")
    return Identity(key.tenant, key.app, user, conversation)


def _review_wait(gateway: Gateway, request: web.Request) -> float:
    try:
        asked = float(request.headers.get("X-Prompt-DLP-Review-Wait", "0"))
    except ValueError:
        return 0.0
    return max(0.0, min(asked, gateway.config.review_wait_max_seconds))


async def _read_body(request: web.Request) -> Any:
    try:
        return orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        return None


async def chat_completions(request: web.Request) -> web.StreamResponse:
    gateway = request.app[GATEWAY]
    started = time.monotonic()
    response = await _chat(gateway, request, started)
    gateway.metrics.requests.labels(CHAT, str(response.status)).inc()
    gateway.metrics.request_seconds.labels(CHAT).observe(time.monotonic() - started)
    return response


Admitted = tuple[ApiKey, dict[str, Any]]


async def _admit(gateway: Gateway, request: web.Request) -> Admitted | ErrorReply:
    """Authenticate, rate-limit and parse: the checks before anything is published."""
    key = _authenticate(gateway, request)
    if isinstance(key, ErrorReply):
        return key
    retry_after = gateway.retry_after(key)
    if retry_after is not None:
        message = f"Rate limit reached for this API key; retry after {retry_after}s."
        body = wire.error_body(message, "requests", "rate_limit_exceeded")
        return ErrorReply(429, body, {"Retry-After": str(retry_after)})
    if not gateway.ready():
        return ErrorReply(503, wire.error_body("The gateway is starting.", "api_error", None))
    try:
        body = await _read_body(request)
    except web.HTTPRequestEntityTooLarge:
        return _bad_request("The request body is too large.", code="request_too_large")
    if not isinstance(body, dict):
        return _bad_request("The request body must be a JSON object.")
    return key, body


def _trace_headers(request: web.Request, prompt_id: str) -> list[tuple[str, bytes]]:
    """Continue the caller's W3C trace (if any); the correlation id is the request id."""
    incoming = {
        TRACEPARENT: request.headers.get(TRACEPARENT, "").encode("latin-1"),
        TRACESTATE: request.headers.get(TRACESTATE, "").encode("latin-1"),
        CORRELATION_HEADER: prompt_id.encode(),
    }
    return list(child_headers(incoming))


async def _chat(gateway: Gateway, request: web.Request, started: float) -> web.StreamResponse:
    admitted = await _admit(gateway, request)
    if isinstance(admitted, ErrorReply):
        return _error(admitted)
    key, body = admitted
    identity = _identity(gateway, request, key, body)
    prompt_id = wire.request_id(identity, request.headers.get("Idempotency-Key"))
    try:
        metadata = {"gateway_instance": gateway.config.instance_id}
        event = wire.to_inbound(body, identity, prompt_id, metadata)
    except WireError as exc:
        return _error(_bad_request(str(exc), exc.param), prompt_id)
    encoded = orjson.dumps(event)
    if len(encoded) > gateway.settings.max_event_bytes:
        # The classify stage would dead-letter it without an id we could match: say so now.
        limit = gateway.settings.max_event_bytes
        message = f"The request is {len(encoded)} bytes as an event; the limit is {limit}."
        return _error(_bad_request(message, "messages", "too_large"), prompt_id)
    policy = WaitPolicy(
        prompt_id, gateway.config.reply_timeout_seconds, _review_wait(gateway, request)
    )
    router = gateway.router
    cached = router.cached(prompt_id, identity.tenant)
    with router.wait_for(prompt_id, identity.tenant) as waiter:
        if cached is not None:
            # An Idempotency-Key retry of a finished (or held) request: the same outcome, no new
            # event; a held one waits for the reviewer here if the caller asked to.
            waiter.queue.put_nowait(cached)
        elif router.waiting(prompt_id) == 1:  # else we joined an identical in-flight request
            try:
                await gateway.publish(
                    encoded, identity.conversation_id or prompt_id,
                    _trace_headers(request, prompt_id),
                )
            except Exception as exc:
                _log.error("publish failed", extra={"error": type(exc).__name__})
                down = wire.error_body("The bus is unavailable.", "api_error", "bus_unavailable")
                return _error(ErrorReply(503, down), prompt_id)
        if body.get("stream"):
            options = body.get("stream_options")
            usage = isinstance(options, dict) and bool(options.get("include_usage"))
            return await _stream(gateway, request, waiter.queue, policy, usage, started)
        outcome = await flow.await_answer(waiter.queue, policy)
    if isinstance(outcome, ErrorReply):
        if outcome.status == 504:
            gateway.metrics.timeouts.inc()
        return _error(outcome, prompt_id)
    _observe_added(gateway, outcome, started)
    headers = {"x-request-id": prompt_id}
    llm = outcome.record.get("latency_seconds")
    if isinstance(llm, int | float):
        headers["x-prompt-dlp-upstream-ms"] = f"{1000 * llm:.1f}"  # lets callers see our share
    return _json(200, outcome.completion, headers)


def _observe_added(gateway: Gateway, answer: Answer, started: float) -> None:
    llm = answer.record.get("latency_seconds")
    if isinstance(llm, int | float):
        gateway.metrics.added_seconds.observe(max(0.0, time.monotonic() - started - float(llm)))


async def _stream(
    gateway: Gateway,
    request: web.Request,
    queue: Any,
    policy: WaitPolicy,
    include_usage: bool,
    started: float,
) -> web.StreamResponse:
    """Server-sent events; headers go out with the first chunk, so early errors stay HTTP."""
    response: web.StreamResponse | None = None
    async for event in flow.stream_events(queue, policy, include_usage):
        if isinstance(event, ErrorReply):
            if response is None:
                if event.status == 504:
                    gateway.metrics.timeouts.inc()
                return _error(event, policy.prompt_id)
            await response.write(b"data: " + orjson.dumps(event.body) + b"\n\n")
            break
        if response is None:
            response = web.StreamResponse(
                headers={
                    "Content-Type": "text/event-stream",
                    "Cache-Control": "no-cache",
                    "x-request-id": policy.prompt_id,
                }
            )
            await response.prepare(request)
            gateway.metrics.first_chunk_seconds.observe(time.monotonic() - started)
        if isinstance(event, Done):
            await response.write(b"data: [DONE]\n\n")
            if event.record is not None:
                _observe_added(gateway, Answer({}, event.record), started)
            break
        await response.write(b"data: " + orjson.dumps(event) + b"\n\n")
    assert response is not None
    await response.write_eof()
    return response


async def models(request: web.Request) -> web.Response:
    gateway = request.app[GATEWAY]
    key = _authenticate(gateway, request)
    status = 401 if isinstance(key, ErrorReply) else 200
    gateway.metrics.requests.labels("/v1/models", str(status)).inc()
    if isinstance(key, ErrorReply):
        return _error(key)
    return _json(200, {"object": "list", "data": gateway.models()})


async def healthz(_: web.Request) -> web.Response:
    return web.Response(text="ok\n")


async def readyz(request: web.Request) -> web.Response:
    ok = request.app[GATEWAY].ready()
    return web.Response(text="ready\n" if ok else "not ready\n", status=200 if ok else 503)


async def metrics(request: web.Request) -> web.Response:
    body = generate_latest(request.app[GATEWAY].metrics.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def build_app(gateway: Gateway) -> web.Application:
    """The aiohttp application; Kafka clients start and stop with it."""
    app = web.Application(client_max_size=gateway.config.max_body_bytes)
    app[GATEWAY] = gateway

    async def lifecycle(_: web.Application) -> Any:
        await gateway.start()
        yield
        await gateway.stop()

    app.cleanup_ctx.append(lifecycle)
    app.router.add_post(CHAT, chat_completions)
    app.router.add_get("/v1/models", models)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    return app
