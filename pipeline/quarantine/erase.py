"""Right to erasure for the quarantine: destroy every held original of one user (audited)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from pipeline.config import Settings
from pipeline.config.review import Role
from pipeline.crypto import configured_key_ring
from pipeline.metrics import Metrics
from pipeline.quarantine.service import Reviewer, ReviewService
from pipeline.quarantine.stores import StoreFactory

__all__ = ["erase_user_quarantine"]


async def erase_user_quarantine(
    settings: Settings, user: str, tenant: str | None, actor: str, open_store: StoreFactory
) -> int:
    """Tombstone all of ``user``'s quarantine items (in ``tenant``, if given); how many."""
    store = open_store(settings)
    await store.start()
    try:
        service = ReviewService(store, configured_key_ring(settings), Metrics(CollectorRegistry()))
        doomed = [
            item.id
            for item in store.query()
            if item.record.get("user") == user and tenant in (None, item.tenant)
        ]
        done = await service.purge(Reviewer(actor, Role.ADMIN, via="erasure"), doomed)
    finally:
        await store.stop()
    return len(done)
