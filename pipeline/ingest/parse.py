"""Parse and validate one inbound event, never trusting its bytes.

Every failure becomes ``InvalidEvent`` with a stable reason code; the
detail names the offending field path but never echoes a value, because a
malformed prompt can still carry secrets.

A v2 event carries the whole Chat Completions body under ``request``; a v1
event (top-level ``model`` + ``messages``, ``schema_version`` absent or
``"v1"``) is converted to that shape first and validated as v2, so both give
the same record (and a v1 event may use every message form v2 accepts).
"""

from __future__ import annotations

from typing import Any

import orjson

from pipeline.contracts import fast_validator
from pipeline.errors import InvalidEvent
from pipeline.events import SCHEMA_V2, SCHEMA_VERSION, InboundPrompt, Message
from pipeline.ingest.units import MAX_DEPTH, TooDeep, request_units

__all__ = ["inbound_from_dict", "parse_inbound", "peek_identity", "upgrade_v1"]

_INBOUND_SCHEMA = "inbound.json"
_V1_REQUEST_KEYS = ("model", "messages")


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
    version = data.get("schema_version") or (SCHEMA_V2 if "request" in data else SCHEMA_VERSION)
    event = upgrade_v1(data) if version == SCHEMA_VERSION else data
    try:
        errors = sorted(
            fast_validator(_INBOUND_SCHEMA, SCHEMA_V2).iter_errors(event),
            key=lambda e: [str(p) for p in e.instance_path],
        )
        if errors:
            raise InvalidEvent("schema_violation", _describe(errors, v1=event is not data))
        return inbound_from_dict(event, source_version=str(version))
    except (TooDeep, RecursionError):  # what cannot be walked cannot be scanned: refuse it
        raise InvalidEvent("too_deep", f"nested deeper than {MAX_DEPTH} levels") from None


def upgrade_v1(data: dict[str, Any]) -> dict[str, Any]:
    """A v1 event in the v2 shape: ``model`` and ``messages`` move under ``request``."""
    out = {k: v for k, v in data.items() if k not in _V1_REQUEST_KEYS}
    out["schema_version"] = SCHEMA_V2
    out["request"] = {k: data[k] for k in _V1_REQUEST_KEYS if k in data}
    return out


def inbound_from_dict(event: dict[str, Any], *, source_version: str = SCHEMA_V2) -> InboundPrompt:
    """The typed record of a schema-valid v2 event (no validation here)."""
    request = event["request"]
    units, attachments = request_units(request)
    return InboundPrompt(
        id=event["id"],
        tenant=event["tenant"],
        user=event["user"],
        model=request["model"],
        messages=tuple(Message(u.role, u.text) for u in units),
        conversation_id=event.get("conversation_id"),
        app=event.get("app"),
        created_at=event.get("created_at"),
        metadata=event.get("metadata") or {},
        request=request,
        units=units,
        attachments=attachments,
        schema_version=source_version,
    )


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


def _json_error(exc: orjson.JSONDecodeError) -> str:
    # orjson's message quotes the offending text; keep only the position.
    return f"not valid JSON (line {exc.lineno}, column {exc.colno})"


def _describe(errors: list[Any], *, v1: bool = False) -> str:
    """The first error by path, naming the field and the rule, never the value."""
    first = errors[0]
    parts = list(first.instance_path)
    if v1 and parts[:1] == ["request"]:
        parts = parts[1:]  # name the field where the v1 event has it
    path = "/".join(str(p) for p in parts) or "(root)"
    kind = first.kind
    name = getattr(kind, "name", "schema")
    if name == "required":
        missing = [
            str(e.kind.property)
            for e in errors
            if getattr(e.kind, "name", "") == "required" and e.instance_path == first.instance_path
        ]
        return f"missing required field(s) at {path}: {', '.join(missing)}"
    if name == "type":
        return f"wrong type at {path}: expected {getattr(kind, 'types', '?')}"
    if name == "enum":
        return f"value at {path} is not one of {list(getattr(kind, 'options', []))}"
    return f"{path} fails '{name}'"
