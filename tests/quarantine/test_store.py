"""The state index: newest version wins, tombstones erase for good, filters combine."""

from __future__ import annotations

from datetime import timedelta

from pipeline.quarantine.model import HistoryEntry, QuarantineItem, ReviewState
from pipeline.quarantine.store import Query

from .conftest import NOW


def test_state_record_round_trips(seeded):
    """What goes on the state topic reads back as the same item."""
    svc, _ = seeded
    item = svc.store.get("p-secret").advance(
        HistoryEntry("2025-06-01T12:00:00.000Z", "rita", "release", ReviewState.RELEASED, "ok"))
    again = QuarantineItem.from_state_value(item.to_state_value())
    assert again == item


def test_older_state_versions_are_ignored(seeded):
    """A redelivered older state record does not roll the item back."""
    svc, _ = seeded
    item = svc.store.get("p-secret")
    v1 = item.advance(HistoryEntry("t1", "a", "release", ReviewState.RELEASED))
    svc.store.apply_state("p-secret", v1.to_state_value())
    svc.store.apply_state("p-secret", item.to_state_value())
    assert svc.store.get("p-secret").state is ReviewState.RELEASED


def test_quarantine_record_does_not_override_state(seeded, keyring):
    """The state topic is authoritative once it has a record for the id."""
    svc, _ = seeded
    item = svc.store.get("p-secret")
    released = item.advance(HistoryEntry("t1", "a", "release", ReviewState.RELEASED))
    svc.store.apply_state("p-secret", released.to_state_value())
    svc.store.apply_quarantined({**item.record, "original": item.original})
    assert svc.store.get("p-secret").state is ReviewState.RELEASED


def test_tombstone_erases_for_good(seeded):
    """After a tombstone neither the quarantine record nor old state brings the item back."""
    svc, _ = seeded
    item = svc.store.get("p-email")
    svc.store.apply_state("p-email", None)
    svc.store.apply_quarantined({**item.record, "original": item.original})
    svc.store.apply_state("p-email", item.advance(
        HistoryEntry("t", "a", "reject", ReviewState.REJECTED)).to_state_value())
    assert svc.store.get("p-email") is None


def test_query_filters_combine(seeded):
    """Tenant, reason substring, state, since and age filters are ANDed, oldest first."""
    store = seeded[0].store
    assert [i.id for i in store.query()] == ["p-old", "p-email", "p-secret"]
    assert [i.id for i in store.query(Query(tenant="globex"))] == ["p-email"]
    assert [i.id for i in store.query(Query(reason="pii"))] == ["p-email"]
    assert [i.id for i in store.query(Query(older_than_seconds=86400))] == ["p-old", "p-email"]
    assert [i.id for i in store.query(Query(since=NOW - timedelta(days=5)))] == [
        "p-email", "p-secret"]
    assert store.query(Query(state=ReviewState.RELEASED)) == []
