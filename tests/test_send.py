"""send_until_acked: retries, never drops, and replaces a producer that cannot recover."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka.errors import KafkaConnectionError, OutOfOrderSequenceNumber
from prometheus_client import CollectorRegistry

from pipeline.bus import Record, send_until_acked
from pipeline.metrics import Metrics


class FlakySink:
    """Fails with the given errors in turn, then accepts; counts restarts."""

    def __init__(self, errors: list[Exception]) -> None:
        self.errors = errors
        self.sent: list[Any] = []
        self.restarts = 0
        self.generation = 1

    async def send_all(self, records: Any) -> None:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.extend(records)

    async def restart(self, generation: int | None = None) -> None:
        if generation is None or generation == self.generation:
            self.restarts += 1
            self.generation += 1


async def test_out_of_order_sequence_gets_a_new_producer_then_the_records_go() -> None:
    metrics = Metrics(CollectorRegistry(), process_metrics=False)
    sink = FlakySink([OutOfOrderSequenceNumber()])
    records = [Record("t", "k", {"a": 1})]
    await send_until_acked(sink, records, metrics, "classify", first_delay=0.001)  # type: ignore[arg-type]
    assert sink.sent == records
    assert sink.restarts == 1
    assert metrics.send_retries.labels("classify")._value.get() == 1  # type: ignore[attr-defined]


async def test_transient_errors_retry_the_same_producer_until_a_few_in_a_row() -> None:
    metrics = Metrics(CollectorRegistry(), process_metrics=False)
    sink = FlakySink([KafkaConnectionError() for _ in range(6)])
    await send_until_acked(sink, [Record("t", None, None)], metrics, "dispatch",  # type: ignore[arg-type]
                           first_delay=0.001, max_delay=0.002)
    assert len(sink.sent) == 1
    assert sink.restarts == 1  # after the fifth consecutive failure


class HangingSink(FlakySink):
    """The first ``hangs`` sends never resolve (a producer replaced under them), then accept."""

    def __init__(self, hangs: int) -> None:
        super().__init__([])
        self.hangs = hangs

    async def send_all(self, records: Any) -> None:
        if self.hangs:
            self.hangs -= 1
            await asyncio.Event().wait()  # never set
        self.sent.extend(records)


async def test_a_send_that_never_resolves_is_retried_on_a_new_producer() -> None:
    metrics = Metrics(CollectorRegistry(), process_metrics=False)
    sink = HangingSink(hangs=1)
    records = [Record("t", "k", {"a": 1})]
    await asyncio.wait_for(send_until_acked(sink, records, metrics, "dispatch",  # type: ignore[arg-type]
                                            first_delay=0.001, attempt_seconds=0.05), 5)
    assert sink.sent == records
    assert sink.restarts == 1


async def test_concurrent_senders_replace_a_failed_producer_once() -> None:
    metrics = Metrics(CollectorRegistry(), process_metrics=False)
    sink = FlakySink([OutOfOrderSequenceNumber() for _ in range(8)])
    await asyncio.gather(*(
        send_until_acked(sink, [Record("t", str(i), None)], metrics, "dispatch",  # type: ignore[arg-type]
                         first_delay=0.001)
        for i in range(8)
    ))
    assert len(sink.sent) == 8
    assert sink.restarts == 1  # all eight saw generation 1 fail; one replacement serves them
