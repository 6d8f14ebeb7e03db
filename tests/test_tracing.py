"""W3C trace context through Kafka headers."""

from __future__ import annotations

import pytest

from pipeline.tracing import (
    CORRELATION_HEADER,
    TRACEPARENT,
    TRACESTATE,
    TraceContext,
    child_headers,
    correlation_id,
    new_context,
    parse_traceparent,
    trace_fields,
)

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
SPAN = "00f067aa0ba902b7"
VALID = f"00-{TRACE}-{SPAN}-01"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (VALID, TraceContext(TRACE, SPAN, 1)),
        (VALID.encode(), TraceContext(TRACE, SPAN, 1)),
        (f"00-{TRACE}-{SPAN}-00", TraceContext(TRACE, SPAN, 0)),
        (f"01-{TRACE}-{SPAN}-01-future", TraceContext(TRACE, SPAN, 1)),  # later versions may extend
        (f"00-{TRACE}-{SPAN}-01-extra", None),  # version 00 has exactly four fields
        (f"ff-{TRACE}-{SPAN}-01", None),  # version ff is forbidden
        (f"00-{'0' * 32}-{SPAN}-01", None),  # all-zero trace id
        (f"00-{TRACE}-{'0' * 16}-01", None),  # all-zero parent id
        (f"00-{TRACE.upper()}-{SPAN}-01", None),  # must be lowercase hex
        (f"00-{TRACE[:-1]}-{SPAN}-01", None),
        ("garbage", None),
        ("", None),
        (None, None),
        (b"\xff\xfe", None),
    ],
)
def test_parse_traceparent(value: str | bytes | None, expected: TraceContext | None) -> None:
    """Valid headers parse; anything the spec rejects yields None (start a new trace)."""
    assert parse_traceparent(value) == expected


def test_traceparent_round_trips() -> None:
    """Formatting then parsing gives the same context."""
    ctx = new_context(sampled=True)
    assert parse_traceparent(ctx.traceparent) == ctx
    assert ctx.sampled and len(ctx.trace_id) == 32 and len(ctx.span_id) == 16


def test_child_headers_keep_trace_and_state_with_a_new_span() -> None:
    """A child hop keeps trace id, flags, tracestate and correlation id; the span id changes."""
    incoming = [
        (TRACEPARENT, VALID.encode()),
        (TRACESTATE, b"vendor=abc"),
        (CORRELATION_HEADER, b"req-42"),
        ("content-type", b"application/json"),
    ]
    out = dict(child_headers(incoming))
    assert set(out) == {TRACEPARENT, TRACESTATE, CORRELATION_HEADER}
    child = parse_traceparent(out[TRACEPARENT])
    assert child is not None
    assert child.trace_id == TRACE and child.span_id != SPAN and child.flags == 1
    assert out[TRACESTATE] == b"vendor=abc"
    assert out[CORRELATION_HEADER] == b"req-42"


def test_child_headers_start_a_trace_and_correlation_id_when_absent() -> None:
    """No incoming context: a fresh trace and a generated correlation id."""
    out = dict(child_headers(None))
    assert parse_traceparent(out[TRACEPARENT]) is not None
    assert len(out[CORRELATION_HEADER]) == 32
    assert TRACESTATE not in out


def test_invalid_parent_drops_tracestate() -> None:
    """tracestate is meaningless without a valid traceparent, so it is not passed on."""
    out = dict(child_headers([(TRACEPARENT, b"bogus"), (TRACESTATE, b"v=1")]))
    assert TRACESTATE not in out
    assert parse_traceparent(out[TRACEPARENT]) is not None


def test_header_names_match_case_insensitively_and_accept_mappings() -> None:
    """Producers that send Traceparent or a dict of headers are understood."""
    out = dict(child_headers({"Traceparent": VALID.encode(), "X-Correlation-Id": b"abc"}))
    ctx = parse_traceparent(out[TRACEPARENT])
    assert ctx is not None and ctx.trace_id == TRACE
    assert out[CORRELATION_HEADER] == b"abc"


@pytest.mark.parametrize("bad", [b"", b"a" * 200, b"has space", b"\xff", "ünï".encode()])
def test_malformed_correlation_id_is_replaced(bad: bytes) -> None:
    """Unbounded or odd correlation ids are not propagated (they could carry content)."""
    assert correlation_id([(CORRELATION_HEADER, bad)]) is None
    assert dict(child_headers([(CORRELATION_HEADER, bad)]))[CORRELATION_HEADER] != bad


def test_none_header_values_are_ignored() -> None:
    """Kafka allows null header values; they count as absent."""
    out = dict(child_headers([(TRACEPARENT, None), (CORRELATION_HEADER, None)]))
    assert parse_traceparent(out[TRACEPARENT]) is not None


def test_trace_fields_for_logs() -> None:
    """Log context gets trace id, span id and correlation id of a record."""
    fields = trace_fields([(TRACEPARENT, VALID.encode()), (CORRELATION_HEADER, b"c-1")])
    assert fields == {"trace_id": TRACE, "span_id": SPAN, "correlation_id": "c-1"}
    assert trace_fields([]) == {}
