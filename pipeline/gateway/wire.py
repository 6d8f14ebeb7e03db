"""The one place that maps OpenAI Chat Completions to and from our event contracts.

Inbound: a request body becomes a v2 ``prompts.inbound`` event (identity plus
the whole body under ``request``, so every parameter the API accepts reaches
the LLM or is judged by the policy, never silently dropped). Outbound: a v2
``prompts.responses`` record carries the ``ChatCompletion`` under ``response``;
a quarantine record, a classify DLQ entry, a failed or rejected response and a
failed stream's final record become OpenAI-shaped errors; a completion can be
replayed as ``chat.completion.chunk`` objects when no stream chunks were
published. Nothing here does I/O, so it is all unit-tested.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "ErrorReply",
    "Identity",
    "MalformedRecord",
    "WireError",
    "chunks_from_completion",
    "client_chunk",
    "completion_from_response",
    "error_body",
    "error_for_dlq",
    "error_for_failure",
    "error_for_quarantine",
    "error_for_response",
    "request_id",
    "to_inbound",
]

_HTTP_REASON = re.compile(r"^http_(\d{3})$")
# Dispatch failure reasons (``reason`` / ``error.code`` of a failed response) that are
# not an upstream HTTP status: (our status, OpenAI error type).
_REASON_STATUS: dict[str, tuple[int, str]] = {
    "timeout": (504, "timeout"),
    "connection_error": (502, "upstream_error"),
    "malformed_reply": (502, "upstream_error"),
    "outcome_unknown": (502, "upstream_error"),
    "circuit_open": (503, "upstream_error"),
    "response_guard_failed": (500, "api_error"),
    "unknown_destination": (500, "api_error"),
}
# An upstream 4xx is passed to the caller as it is (its own request was refused, or 429: the
# provider's rate limit), and so is 503 (unavailable, retry later: with its Retry-After). Any
# other 5xx is a 502: the provider failed, not us, and SDKs retry a 502 as they would the 5xx.
_PASSED_THROUGH_5XX = frozenset({503})
# A 429/503 whose failed response carries no Retry-After (an older worker): back off this long.
DEFAULT_RETRY_AFTER_SECONDS = 1


class WireError(ValueError):
    """The request cannot be expressed as an inbound event (→ HTTP 400, names ``param``)."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the request is from: resolved from the API key, body and trusted header."""

    tenant: str
    app: str
    user: str
    conversation_id: str | None = None


@dataclass(frozen=True, slots=True)
class ErrorReply:
    """An HTTP error in OpenAI's shape: status, ``{"error": {...}}`` and extra headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def error_body(
    message: str, type_: str, code: str | None, param: str | None = None, **extra: Any
) -> dict[str, Any]:
    """OpenAI's error object; ``extra`` adds machine-readable fields beside the four."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code, **extra}}


def request_id(identity: Identity, idempotency_key: str | None) -> str:
    """The event id: random, or derived from the caller's key scoped to its tenant and app.

    Scoping means two tenants choosing the same Idempotency-Key never share an id
    (nor each other's reply); the same caller retrying gets the same id, which the
    pipeline deduplicates.
    """
    if not idempotency_key:
        return f"gw-{uuid.uuid4().hex}"
    scoped = "\x00".join((identity.tenant, identity.app, idempotency_key))
    return "gw-" + hashlib.sha256(scoped.encode("utf-8")).hexdigest()[:40]


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _check_body(body: Any) -> None:
    if not isinstance(body, Mapping):
        raise WireError("the request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise WireError("you must provide a model parameter", "model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise WireError("messages must be a non-empty array", "messages")
    for index, message in enumerate(messages):
        if not isinstance(message, Mapping) or not isinstance(message.get("role"), str):
            raise WireError("each message needs a role", f"messages[{index}]")


def to_inbound(
    body: Mapping[str, Any],
    identity: Identity,
    prompt_id: str,
    metadata: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The v2 inbound event for ``body``: identity plus the whole body under ``request``.

    Only the shape the pipeline needs to route is checked here; everything else
    (tools, ``response_format``, ``n``, image parts, ...) is carried untouched and
    judged by classify (an unscannable part comes back as a quarantine record).
    """
    _check_body(body)
    event: dict[str, Any] = {
        "schema_version": "v2",
        "id": prompt_id,
        "tenant": identity.tenant,
        "user": identity.user,
        "app": identity.app,
        "created_at": _now_iso(),
    }
    if identity.conversation_id:
        event["conversation_id"] = identity.conversation_id
    if metadata:
        event["metadata"] = dict(metadata)
    event["request"] = dict(body)
    return event


# ------------------------------------------------------------------------------ replies


class MalformedRecord(ValueError):
    """An ok response record without a ``chat.completion`` (→ 502; never a made-up answer)."""


def completion_from_response(record: Mapping[str, Any]) -> dict[str, Any]:
    """The ``ChatCompletion`` an ok v2 response record carries under ``response``."""
    carried = record.get("response")
    if not isinstance(carried, Mapping) or carried.get("object") != "chat.completion":
        raise MalformedRecord("the response record carries no chat.completion")
    return dict(carried)


def _chunk(completion: Mapping[str, Any], choices: list[dict[str, Any]]) -> dict[str, Any]:
    chunk = {
        "id": completion.get("id"),
        "object": "chat.completion.chunk",
        "created": completion.get("created", int(time.time())),
        "model": completion.get("model"),
        "choices": choices,
    }
    if completion.get("system_fingerprint") is not None:
        chunk["system_fingerprint"] = completion["system_fingerprint"]
    return chunk


def chunks_from_completion(
    completion: Mapping[str, Any], include_usage: bool = False
) -> list[dict[str, Any]]:
    """Replay a finished completion as the chunk sequence OpenAI would have streamed.

    Per choice: a role delta, the content (and tool calls, indexed as OpenAI
    does), then an empty delta carrying ``finish_reason``; with
    ``stream_options.include_usage`` a last chunk with empty choices and usage.
    """
    out: list[dict[str, Any]] = []
    for choice in completion.get("choices") or []:
        index = choice.get("index", 0)
        message = choice.get("message") or {}

        def delta(d: dict[str, Any], finish: str | None = None, i: int = index) -> dict[str, Any]:
            return {"index": i, "delta": d, "logprobs": None, "finish_reason": finish}

        out.append(_chunk(completion, [delta({"role": "assistant", "content": ""})]))
        if message.get("content"):
            out.append(_chunk(completion, [delta({"content": message["content"]})]))
        if message.get("refusal"):
            out.append(_chunk(completion, [delta({"refusal": message["refusal"]})]))
        for n, call in enumerate(message.get("tool_calls") or []):
            streamed = {"index": n, **{k: v for k, v in call.items() if k != "index"}}
            out.append(_chunk(completion, [delta({"tool_calls": [streamed]})]))
        out.append(_chunk(completion, [delta({}, choice.get("finish_reason") or "stop")]))
    if include_usage:
        out.append({**_chunk(completion, []), "usage": completion.get("usage")})
    return out


def client_chunk(chunk: Mapping[str, Any], include_usage: bool) -> dict[str, Any] | None:
    """A published chunk as this client asked for it (None: not for this client).

    Dispatch always streams with usage (it needs it to account tokens), so the
    last chunk has no choices and carries the usage; OpenAI sends that chunk,
    and ``usage: null`` on the others, only with ``stream_options.include_usage``.
    """
    if include_usage:
        return dict(chunk)
    if not chunk.get("choices") and chunk.get("usage") is not None:
        return None
    return {k: v for k, v in chunk.items() if k != "usage"}


def _finding_types(record: Mapping[str, Any]) -> list[str]:
    types = {
        str(f.get("entity_type")) for f in record.get("findings") or () if isinstance(f, Mapping)
    }
    return sorted(t for t in types if t and t != "None")


def _blocked_parts(record: Mapping[str, Any]) -> list[dict[str, str]]:
    """Unscannable parts the policy held (``decision.attachments``): type and path, no content."""
    decision = record.get("decision")
    attachments = decision.get("attachments") if isinstance(decision, Mapping) else None
    return [
        {"type": str(a.get("type")), "path": str(a.get("path"))}
        for a in attachments or ()
        if isinstance(a, Mapping) and a.get("action") == "block"
    ]


def error_for_quarantine(record: Mapping[str, Any], still_pending: bool = False) -> ErrorReply:
    """A blocked (held) prompt: 400 ``prompt_blocked`` naming finding types and parts, never values.

    The quarantine id is the prompt id: the quarantine store and ``prompt-dlp
    quarantine`` address an item by the record's ``id``.
    """
    quarantine_id = str(record["id"])
    types = _finding_types(record)
    parts = _blocked_parts(record)
    what = []
    if types:
        what.append(f"findings: {', '.join(types)}")
    if parts:
        named = ", ".join(f"{p['type']} at {p['path']}" for p in parts)
        what.append(f"parts that cannot be scanned: {named}")
    reason = "; ".join(what) or "detection could not complete"
    pending = " and is still awaiting review" if still_pending else ""
    message = (
        f"The prompt was blocked by the data-loss policy ({reason}){pending}. "
        f"Quarantine id: {quarantine_id}."
    )
    param = parts[0]["path"] if parts else "messages"
    body = error_body(
        message, "invalid_request_error", "prompt_blocked", param,
        quarantine_id=quarantine_id, finding_types=types, blocked_parts=parts,
    )
    return ErrorReply(400, body)


def error_for_dlq(record: Mapping[str, Any]) -> ErrorReply:
    """Input the pipeline could not process (dead-lettered at classify): 400 with the reason."""
    reason = str(record.get("reason") or "invalid_event")
    message = f"The request could not be processed by the data-loss pipeline: {reason}."
    return ErrorReply(400, error_body(message, "invalid_request_error", reason))


def failure_code(record: Mapping[str, Any]) -> str:
    """The failure code of a failed response or stream: ``error.code``, else ``reason``."""
    error = record.get("error")
    code = error.get("code") if isinstance(error, Mapping) else None
    return str(code or record.get("reason") or "upstream_error")


def upstream_status(code: str) -> tuple[int, str]:
    """(HTTP status, OpenAI error type) for a dispatch failure code.

    ``http_NNN`` is the upstream's own final status after dispatch's retries:
    passed through when it tells the client something (a refused request, a
    rate limit, "unavailable, retry later"), otherwise 502. The other codes are
    ours (``malformed_reply: ...`` keeps only the code part).
    """
    match = _HTTP_REASON.match(code)
    if match is not None and 400 <= int(match[1]) <= 599:
        status = int(match[1])
        if status >= 500 and status not in _PASSED_THROUGH_5XX:
            return 502, "upstream_error"
        kind = "requests" if status == 429 else (
            "invalid_request_error" if status < 500 else "upstream_error"
        )
        return status, kind
    return _REASON_STATUS.get(code.split(":", 1)[0], (502, "upstream_error"))


def _retry_after(record: Mapping[str, Any]) -> float | None:
    """The upstream's Retry-After dispatch put on the failed response, in seconds."""
    error = record.get("error")
    value = error.get("retry_after") if isinstance(error, Mapping) else None
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None


def error_for_failure(record: Mapping[str, Any]) -> ErrorReply:
    """A failed response, or a failed stream's final record: the upstream's status when known.

    A 429 or 503 carries ``Retry-After`` (whole seconds, rounded up, as HTTP
    wants) and ``retry-after-ms`` (which the OpenAI SDKs read first) from the
    upstream's own hint. The message names the code only, never prompt content.
    """
    code = failure_code(record).split(":", 1)[0]
    status, kind = upstream_status(code)
    headers: dict[str, str] = {}
    if status in (429, 503):
        wait = _retry_after(record)
        if wait is None and status == 429:
            wait = float(DEFAULT_RETRY_AFTER_SECONDS)
        if wait is not None:
            headers["Retry-After"] = str(math.ceil(wait))
            headers["retry-after-ms"] = str(round(wait * 1000))
    if code == "circuit_open":
        message = "The LLM provider is failing; calls to it are paused. Retry later."
    elif status == 429:
        message = f"The LLM provider's rate limit was reached ({code}); retry later."
    else:
        message = f"The LLM call failed ({code})."
    return ErrorReply(status, error_body(message, kind, code), headers)


def error_for_response(record: Mapping[str, Any]) -> ErrorReply | None:
    """The error for a failed or rejected response record; None when it is an answer."""
    status = record.get("status")
    if status == "ok":
        return None
    if status == "rejected":
        message = f"The prompt was rejected at review. Quarantine id: {record['id']}."
        body = error_body(
            message, "invalid_request_error", "prompt_blocked", "messages",
            quarantine_id=str(record["id"]), finding_types=_finding_types(record),
        )
        return ErrorReply(400, body)
    return error_for_failure(record)
