"""The one place that maps OpenAI Chat Completions to and from our event contracts.

Inbound: a request body becomes a ``prompts.inbound`` event, either v1 (today:
top-level ``model`` and plain-text ``messages``) or v2 (identity plus the whole
body under ``request``). Outbound: a ``prompts.responses`` record becomes a
``ChatCompletion`` (v2 carries one under ``response``; v1 only ``answer``, so we
build it), a quarantine or DLQ record becomes an OpenAI-shaped error, and a
completion can be replayed as ``chat.completion.chunk`` objects when no stream
chunks were published. Nothing here does I/O, so it is all unit-tested.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "ErrorReply",
    "Identity",
    "WireError",
    "chunks_from_completion",
    "completion_from_response",
    "error_body",
    "error_for_dlq",
    "error_for_quarantine",
    "error_for_response",
    "request_id",
    "to_inbound",
]

WireVersion = Literal["v1", "v2"]
_V1_ROLES = {"system", "user", "assistant", "tool"}
# Parameters whose silent loss would change the answer; v1 cannot carry them.
_V1_UNSUPPORTED = (
    "tools", "functions", "tool_choice", "function_call", "response_format",
    "audio", "modalities", "prediction",
)
_HTTP_REASON = re.compile(r"^http_(\d{3})$")


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


def _text_content(content: Any, index: int) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(
        isinstance(p, Mapping) and p.get("type") == "text" and isinstance(p.get("text"), str)
        for p in content
    ):
        return "\n".join(str(p["text"]) for p in content)
    raise WireError(
        "only text content is supported by the v1 inbound contract", f"messages[{index}].content"
    )


def _v1_messages(messages: Sequence[Any]) -> list[dict[str, str]]:
    out = []
    for index, message in enumerate(messages):
        role = str(message.get("role"))
        role = "system" if role == "developer" else role
        if role not in _V1_ROLES:
            raise WireError(f"unsupported role {role[:32]!r}", f"messages[{index}].role")
        if message.get("tool_calls") or message.get("function_call"):
            raise WireError(
                "tool calls need the v2 inbound contract", f"messages[{index}].tool_calls"
            )
        out.append({"role": role, "content": _text_content(message.get("content"), index)})
    return out


def _check_body(body: Any) -> Sequence[Any]:
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
    return messages


def to_inbound(
    body: Mapping[str, Any],
    identity: Identity,
    prompt_id: str,
    version: WireVersion,
    metadata: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The inbound event for ``body`` (raises ``WireError`` for what cannot be carried)."""
    messages = _check_body(body)
    event: dict[str, Any] = {
        "schema_version": version,
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
    if version == "v2":
        event["request"] = dict(body)
        return event
    for name in _V1_UNSUPPORTED:
        if body.get(name) is not None:
            raise WireError(f"{name} needs the v2 inbound contract", name)
    if int(body.get("n") or 1) != 1:
        raise WireError("n > 1 needs the v2 inbound contract", "n")
    event["model"] = body["model"]
    event["messages"] = _v1_messages(messages)
    return event


# ------------------------------------------------------------------------------ replies


def completion_from_response(record: Mapping[str, Any], requested_model: str) -> dict[str, Any]:
    """The ``ChatCompletion`` for an ok response record (v2 carries it, v1 is rebuilt)."""
    carried = record.get("response")
    if isinstance(carried, Mapping) and carried.get("object") == "chat.completion":
        return dict(carried)
    usage = record.get("usage") or {}
    return {
        "id": f"chatcmpl-{record['id']}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": record.get("model") or requested_model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": record.get("answer"), "refusal": None},
                "logprobs": None,
                "finish_reason": record.get("finish_reason") or "stop",
            }
        ],
        "usage": {
            "prompt_tokens": int(usage.get("prompt_tokens", 0)),
            "completion_tokens": int(usage.get("completion_tokens", 0)),
            "total_tokens": int(usage.get("total_tokens", 0)),
        },
    }


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
        for n, call in enumerate(message.get("tool_calls") or []):
            streamed = {"index": n, **{k: v for k, v in call.items() if k != "index"}}
            out.append(_chunk(completion, [delta({"tool_calls": [streamed]})]))
        out.append(_chunk(completion, [delta({}, choice.get("finish_reason") or "stop")]))
    if include_usage:
        out.append({**_chunk(completion, []), "usage": completion.get("usage")})
    return out


def _finding_types(record: Mapping[str, Any]) -> list[str]:
    types = {
        str(f.get("entity_type")) for f in record.get("findings") or () if isinstance(f, Mapping)
    }
    return sorted(t for t in types if t and t != "None")


def error_for_quarantine(record: Mapping[str, Any], still_pending: bool = False) -> ErrorReply:
    """A blocked (held) prompt: 400 ``prompt_blocked`` naming finding types, never values."""
    quarantine_id = str(record.get("quarantine_id") or record["id"])
    types = _finding_types(record)
    what = f"findings: {', '.join(types)}" if types else "detection could not complete"
    pending = " and is still awaiting review" if still_pending else ""
    message = (
        f"The prompt was blocked by the data-loss policy ({what}){pending}. "
        f"Quarantine id: {quarantine_id}."
    )
    body = error_body(
        message, "invalid_request_error", "prompt_blocked", "messages",
        quarantine_id=quarantine_id, finding_types=types,
    )
    return ErrorReply(400, body)


def error_for_dlq(record: Mapping[str, Any]) -> ErrorReply:
    """Input the pipeline could not process (dead-lettered at classify): 400 with the reason."""
    reason = str(record.get("reason") or "invalid_event")
    message = f"The request could not be processed by the data-loss pipeline: {reason}."
    return ErrorReply(400, error_body(message, "invalid_request_error", reason))


def upstream_status(record: Mapping[str, Any]) -> int:
    """The HTTP status to answer a failed response with: the upstream's when known."""
    status = record.get("upstream_status")
    if isinstance(status, int) and 400 <= status <= 599:
        return status
    match = _HTTP_REASON.match(str(record.get("reason") or ""))
    if match is not None and 400 <= int(match[1]) <= 599:
        return int(match[1])
    return 504 if record.get("reason") == "timeout" else 502


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
    reason = str(record.get("reason") or "upstream_error")
    code = upstream_status(record)
    headers = {}
    retry_after = record.get("retry_after_seconds")
    if code == 429:
        headers["Retry-After"] = str(max(1, round(float(retry_after or 1))))
    message = f"The LLM call failed ({reason})."
    return ErrorReply(code, error_body(message, "upstream_error", reason), headers)
