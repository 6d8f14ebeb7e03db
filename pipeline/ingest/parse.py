"""Parse and validate one inbound event, never trusting its bytes.

Every failure becomes ``InvalidEvent`` with a stable reason code; the
detail names the offending field path but never echoes a value, because a
malformed prompt can still carry secrets.
"""

from __future__ import annotations

from typing import Any

import orjson

from pipeline.contracts import validator
from pipeline.errors import InvalidEvent
from pipeline.events import InboundPrompt, Message

__all__ = ["parse_inbound", "peek_identity"]

_INBOUND_SCHEMA = "inbound.json"


def parse_inbound(raw: bytes | None, max_bytes: int) -> InboundPrompt:
    """Decode, validate against schemas/v1/inbound.json and build the record."""
    if raw is None:
        raise InvalidEvent("empty", "the record has no value")
    if len(raw) > max_bytes:
        raise InvalidEvent("too_large", f"{len(raw)} bytes exceeds the limit of {max_bytes}")
    try:
        raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise InvalidEvent("not_utf8", f"invalid UTF-8 at byte {exc.start}") from None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidEvent("invalid_json", _json_error(exc)) from None
    if not isinstance(data, dict):
        raise InvalidEvent(
            "schema_violation", f"top level must be an object, not {type(data).__name__}"
        )
    errors = sorted(validator(_INBOUND_SCHEMA).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        raise InvalidEvent("schema_violation", _describe(errors[0]))
    return _build(data)


def peek_identity(raw: bytes | None) -> tuple[str | None, str | None]:
    """Best-effort (id, tenant) of an event that failed to parse, for the DLQ record."""
    try:
        data = orjson.loads(raw or b"")
    except orjson.JSONDecodeError:
        return None, None
    if not isinstance(data, dict):
        return None, None
    ident, tenant = data.get("id"), data.get("tenant")
    return (
        ident if isinstance(ident, str) and len(ident) <= 256 else None,
        tenant if isinstance(tenant, str) and len(tenant) <= 128 else None,
    )


def _build(data: dict[str, Any]) -> InboundPrompt:
    return InboundPrompt(
        id=data["id"],
        tenant=data["tenant"],
        user=data["user"],
        model=data["model"],
        messages=tuple(Message(m["role"], m["content"]) for m in data["messages"]),
        conversation_id=data.get("conversation_id"),
        app=data.get("app"),
        created_at=data.get("created_at"),
        metadata=data.get("metadata") or {},
    )


def _json_error(exc: orjson.JSONDecodeError) -> str:
    # orjson's message quotes the offending text; keep only the position.
    return f"not valid JSON (line {exc.lineno}, column {exc.colno})"


def _describe(error: Any) -> str:
    path = "/".join(str(p) for p in error.absolute_path) or "(root)"
    validator_name = error.validator
    if validator_name == "required":
        missing = [m for m in error.validator_value if m not in (error.instance or {})]
        return f"missing required field(s) at {path}: {', '.join(missing)}"
    if validator_name == "type":
        return f"wrong type at {path}: expected {error.validator_value}"
    if validator_name == "enum":
        return f"value at {path} is not one of {error.validator_value}"
    return f"{path} fails '{validator_name}'"
