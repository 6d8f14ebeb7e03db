"""Retention: originals are destroyed after the configured period, pending items expire.

``expire_due`` is what the console's periodic task and ``purge`` without ids
run. An item whose envelope is already gone is left alone, so a sweep is
idempotent and cheap to repeat.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from pipeline.quarantine.service import ReviewService

__all__ = ["expire_due", "run_periodically"]

log = logging.getLogger(__name__)


async def expire_due(service: ReviewService, retention_days: float) -> list[str]:
    """Expire every item older than the retention period that still holds its original."""
    cutoff = service.store.clock() - timedelta(days=retention_days)
    due = [
        i.id for i in service.store.query()
        if i.original is not None and i.quarantined_at <= cutoff
    ]
    for prompt_id in due:
        await service.expire(prompt_id)
    return due


async def run_periodically(service: ReviewService, retention_days: float, every: float) -> None:
    """Sweep forever; a failed sweep is logged (ids count only) and retried next round."""
    while True:
        try:
            done = await expire_due(service, retention_days)
            if done:
                log.info("retention: expired %d quarantined prompts", len(done))
        except Exception:
            log.exception("retention sweep failed")
        await asyncio.sleep(every)


def purge_targets(
    service: ReviewService, ids: list[str], older_than_days: float | None
) -> list[str]:
    """Return the ids named plus every item quarantined more than ``older_than_days`` ago."""
    from pipeline.quarantine.store import Query

    found = list(ids)
    if older_than_days is not None:
        q = Query(older_than_seconds=older_than_days * 86400)
        found += [i.id for i in service.store.query(q)]
    return list(dict.fromkeys(found))
