"""Dispatch's outputs continue the approved record's trace (a DLQ entry without it was a stray)."""

from __future__ import annotations

import asyncio

from pipeline.bus import Record
from pipeline.dispatch import agent
from pipeline.tracing import CORRELATION_HEADER, TRACEPARENT, parse_traceparent

INCOMING = (
    (TRACEPARENT, b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
    (CORRELATION_HEADER, b"prompt-42"),
)


def test_records_produced_while_handling_carry_the_trace() -> None:
    seen: list[list[Record]] = []

    async def handle() -> None:
        with agent.traced_from(INCOMING):
            seen.append(agent.traced([Record("prompts.dlq", "p", {"a": 1}),
                                      Record("prompts.responses", "p", {"b": 2})]))

    asyncio.run(handle())
    for record in seen[0]:
        headers = dict(record.headers)
        assert headers[CORRELATION_HEADER] == b"prompt-42"
        parent = parse_traceparent(headers[TRACEPARENT].decode())
        assert parent is not None and parent.trace_id == "0af7651916cd43dd8448eb211c80319c"


def test_outside_a_handled_record_nothing_is_added() -> None:
    record = Record("prompts.dlq", None, {"a": 1})
    assert agent.traced([record]) == [record]
