"""Keep fetched records across faust's end-of-recovery flow resume.

faust ends every rebalance's recovery with: resume the stream partitions, await
``Consumer.perform_seek()`` (aiokafka ``seek_to_committed``), then
``flow_control.resume()`` — which empties every channel queue, on the
assumption that the seek rewound each partition so that whatever sat in a queue
will be fetched again. But aiokafka only seeks a partition whose committed
offset is > 0; a partition with no commit yet (a fresh group, or a worker killed
before its first commit) keeps its fetch position. The fetcher is already running
while the seek is awaited, so records it delivered meanwhile were dropped from
the agent's queue: never processed, never acked, never fetched again, and later
acks of the following offsets commit over the hole (faust's ``_new_offset``
tolerates a one-offset gap). Seen as prompts that are never answered.

The fix hooks the clear that ``resume()`` performs (it runs with flow already
active; the clears of a revoke or a shutdown run with flow suspended and are left
alone) and puts back the records of the topic that nobody will fetch again: those of
the current generation on partitions whose committed offset is not > 0.
Every agent installs it for its source topic (classify: inbound; dispatch: approved).
Everything else is dropped exactly as before, so nothing is delivered twice.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["keep_unrewound_records_on_resume", "survives_resume"]

log = logging.getLogger(__name__)


def survives_resume(app: Any, topic: str, item: Any) -> bool:
    """Return True if ``item`` (a queued Event) would be lost, never re-fetched, by a clear."""
    message = getattr(item, "message", None)
    if message is None or getattr(message, "topic", None) != topic:
        return False
    if message.generation_id != app.consumer_generation_id:
        return False  # stale: the stream would skip it anyway
    consumer = app.consumer
    tp = message.tp
    if tp not in consumer.assignment():
        return False
    committed = consumer._committed_offset.get(tp)
    return not committed  # None/0: seek_to_committed did not rewind this partition


def keep_unrewound_records_on_resume(app: Any, topic: str) -> None:
    """Wrap ``app.flow_control.clear`` so a resume does not drop unrewound records of ``topic``."""
    flow = app.flow_control
    original_clear = flow.clear
    if getattr(original_clear, "_keeps_topic", None) == topic:
        return

    def clear() -> None:
        if not flow.is_active():  # revoke/stop: suspend() came first; drop everything
            original_clear()
            return
        kept: list[tuple[Any, list[Any]]] = []
        for queue in list(flow._queues):
            items = [i for i in list(queue._queue) if survives_resume(app, topic, i)]
            if items:
                kept.append((queue, items))
        original_clear()
        for queue, items in kept:
            queue._queue.extend(items)  # non-empty before the clear: no getter is waiting
            log.debug("kept %d fetched records of %s across flow resume", len(items), topic)

    clear._keeps_topic = topic  # type: ignore[attr-defined]
    flow.clear = clear
