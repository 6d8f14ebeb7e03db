"""Erasure of quarantined originals opens its store through the factory it is given."""

from __future__ import annotations

from pydantic import SecretStr

from pipeline.config import Settings
from pipeline.quarantine.erase import erase_user_quarantine
from pipeline.quarantine.model import ReviewState
from pipeline.quarantine.testing import memory_service, quarantine_record


async def test_erasure_purges_only_that_users_items_via_the_injected_store(keyring, key_spec):
    svc, sink, _ = memory_service(keyring)
    for ident, user in (("a1", "u-ana"), ("a2", "u-ana"), ("b1", "u-bo")):
        svc.store.apply_quarantined(
            quarantine_record(keyring, ident, [("user", "hello")], [], user=user))
    opened: list[Settings] = []

    def factory(settings: Settings):  # type: ignore[no-untyped-def]
        opened.append(settings)
        return svc.store

    settings = Settings(vault_keys=SecretStr(key_spec))
    assert await erase_user_quarantine(settings, "u-ana", None, "dpo", open_store=factory) == 2
    assert opened == [settings]
    assert svc.store.get("b1").state is ReviewState.PENDING
    assert {r.key for r in sink.records if r.value is None} >= {"a1", "a2"}
