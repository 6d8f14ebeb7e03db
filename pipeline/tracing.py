"""W3C Trace Context carried through Kafka record headers.

Each stage that consumes a record and produces another continues the trace:
same trace id, a fresh span id for its own hop, ``tracestate`` passed along
untouched. ``x-correlation-id`` is our business-level id, kept end to end and
created at the first hop. No tracing backend is needed; the ids go into logs
so one prompt's journey can be followed across workers.

Spec: https://www.w3.org/TR/trace-context/ (traceparent version 00).
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "CORRELATION_HEADER",
    "TRACEPARENT",
    "TRACESTATE",
    "Headers",
    "TraceContext",
    "child_headers",
    "correlation_id",
    "new_context",
    "parse_traceparent",
    "trace_fields",
]

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
CORRELATION_HEADER = "x-correlation-id"

# The one type for Kafka record headers in this package (as read, built and sent).
Headers = tuple[tuple[str, bytes], ...]
IncomingHeaders = Iterable[tuple[str, bytes | None]] | Mapping[str, bytes | None] | None

# version-traceid-parentid-flags; future versions may append "-..." fields.
_TRACEPARENT = re.compile(
    r"^(?P<version>[0-9a-f]{2})-(?P<trace_id>[0-9a-f]{32})-(?P<span_id>[0-9a-f]{16})"
    r"-(?P<flags>[0-9a-f]{2})(?P<rest>-.*)?$"
)
_CORRELATION = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_MAX_TRACESTATE = 512  # the spec lets vendors cap it; we never grow it
_SAMPLED = 0x01


@dataclass(frozen=True, slots=True)
class TraceContext:
    """One hop's position in a trace."""

    trace_id: str
    span_id: str
    flags: int = 0

    @property
    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{self.flags:02x}"

    @property
    def sampled(self) -> bool:
        return bool(self.flags & _SAMPLED)

    def child(self) -> TraceContext:
        """Continue the trace with a new span id: the next hop."""
        return TraceContext(self.trace_id, _new_span_id(), self.flags)


def _new_span_id() -> str:
    while (span := secrets.token_hex(8)) == "0" * 16:
        pass  # pragma: no cover - one in 2**64
    return span


def new_context(*, sampled: bool = False) -> TraceContext:
    """Start a new trace (for a record that arrived without one)."""
    while (trace := secrets.token_hex(16)) == "0" * 32:
        pass  # pragma: no cover
    return TraceContext(trace, _new_span_id(), _SAMPLED if sampled else 0)


def parse_traceparent(value: str | bytes | None) -> TraceContext | None:
    """Parse a ``traceparent``; ``None`` when absent or invalid (the spec says: restart)."""
    if value is None:
        return None
    if isinstance(value, bytes):
        try:
            value = value.decode("ascii")
        except UnicodeDecodeError:
            return None
    match = _TRACEPARENT.match(value.strip())
    if match is None:
        return None
    version, trace_id, span_id = match["version"], match["trace_id"], match["span_id"]
    if version == "ff" or (version == "00" and match["rest"] is not None):
        return None
    if trace_id == "0" * 32 or span_id == "0" * 16:
        return None
    return TraceContext(trace_id, span_id, int(match["flags"], 16))


def _lookup(headers: IncomingHeaders) -> dict[str, bytes]:
    """First value of each header we care about, by case-insensitive name."""
    if headers is None:
        return {}
    items = headers.items() if isinstance(headers, Mapping) else headers
    found: dict[str, bytes] = {}
    for name, value in items:
        key = name.lower() if isinstance(name, str) else bytes(name).decode("latin-1").lower()
        if key in (TRACEPARENT, TRACESTATE, CORRELATION_HEADER) and value is not None:
            found.setdefault(key, bytes(value))
    return found


def correlation_id(headers: IncomingHeaders) -> str | None:
    """Return the incoming correlation id if well formed (bounded, printable), else None."""
    raw = _lookup(headers).get(CORRELATION_HEADER)
    if raw is None:
        return None
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return None
    return text if _CORRELATION.match(text) else None


def child_headers(incoming: IncomingHeaders) -> Headers:
    """Headers for a record produced while handling ``incoming``.

    Keeps the trace id with a new span id (or starts a trace), passes
    ``tracestate`` only alongside a valid parent, and keeps or creates the
    correlation id.
    """
    found = _lookup(incoming)
    parent = parse_traceparent(found.get(TRACEPARENT))
    ctx = parent.child() if parent is not None else new_context()
    out: list[tuple[str, bytes]] = [(TRACEPARENT, ctx.traceparent.encode("ascii"))]
    state = found.get(TRACESTATE)
    if parent is not None and state and len(state) <= _MAX_TRACESTATE:
        out.append((TRACESTATE, state))
    cid = correlation_id(incoming) or uuid.uuid4().hex
    out.append((CORRELATION_HEADER, cid.encode("ascii")))
    return tuple(out)


def trace_fields(headers: IncomingHeaders) -> dict[str, str]:
    """``trace_id``, ``span_id`` and ``correlation_id`` of a record, for log context."""
    fields: dict[str, str] = {}
    ctx = parse_traceparent(_lookup(headers).get(TRACEPARENT))
    if ctx is not None:
        fields["trace_id"], fields["span_id"] = ctx.trace_id, ctx.span_id
    cid = correlation_id(headers)
    if cid is not None:
        fields["correlation_id"] = cid
    return fields
