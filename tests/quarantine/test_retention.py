"""Retention expires what is older than the period, once."""

from __future__ import annotations

from pipeline.quarantine.model import ReviewState
from pipeline.quarantine.retention import expire_due, purge_targets


async def test_expire_due_takes_only_old_items_and_is_idempotent(seeded):
    """Only the 40-day-old item expires at 30 days; a second sweep does nothing."""
    svc, _sink = seeded
    assert await expire_due(svc, 30) == ["p-old"]
    assert svc.store.get("p-old").state is ReviewState.EXPIRED
    assert await expire_due(svc, 30) == []
    assert svc.store.get("p-email").state is ReviewState.PENDING


async def test_expire_due_drops_originals_of_decided_items_too(seeded):
    """A released item keeps its state but loses its original after the period."""
    svc, _ = seeded
    from pipeline.config.review import Role
    from pipeline.quarantine.service import Reviewer

    await svc.release(Reviewer("r", Role.REVIEWER), "p-email")
    assert await expire_due(svc, 1) == ["p-old", "p-email"]
    item = svc.store.get("p-email")
    assert item.state is ReviewState.RELEASED and item.original is None


def test_purge_targets_merge_ids_and_age(seeded):
    """Named ids and old ids are combined without duplicates."""
    svc, _ = seeded
    assert purge_targets(svc, ["p-old"], 2) == ["p-old", "p-email"]
    assert purge_targets(svc, ["p-secret"], None) == ["p-secret"]
