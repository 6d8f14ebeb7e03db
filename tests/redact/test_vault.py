"""The vault: encrypted books per conversation, TTL, ownership, erasure, sealed envelopes."""

from __future__ import annotations

import json

import pytest

from pipeline.crypto import KeyRing
from pipeline.errors import DecryptionError
from pipeline.redact import (
    MappingVaultStore,
    PseudonymBook,
    erase_user,
    load_book,
    open_book,
    purge_expired,
    save_book,
    seal_book,
)

K1_SPEC = KeyRing.generate_spec("k1")
KEYS = KeyRing.parse(K1_SPEC)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def a_book(value: str = "Ann Lee") -> PseudonymBook:
    book = PseudonymBook()
    book.placeholder_for(value, "PERSON")
    return book


def store_with(*entries: tuple[str, str, str]) -> tuple[MappingVaultStore, dict, Clock]:
    table: dict = {}
    clock = Clock()
    store = MappingVaultStore(table, clock)
    for conversation, tenant, user in entries:
        save_book(store, KEYS, conversation, a_book(), tenant=tenant, user=user, ttl_seconds=60)
    return store, table, clock


def test_save_then_load_round_trips() -> None:
    """A saved book loads back equal for its owner."""
    store, _, _ = store_with(("c1", "acme", "u1"))
    assert load_book(store, KEYS, "c1", tenant="acme", user="u1") == a_book()


def test_table_holds_no_clear_text() -> None:
    """What lands in the table (a Kafka changelog) is ciphertext plus owner and expiry."""
    _, table, _ = store_with(("c1", "acme", "u1"))
    assert set(table["c1"]) == {"tenant", "user", "expires_at", "envelope"}
    assert table["c1"]["expires_at"] == 1_060.0
    assert "Ann" not in json.dumps(table)


def test_expired_entries_read_as_absent() -> None:
    """After the TTL the book is gone for readers, and purge_expired deletes it."""
    store, table, clock = store_with(("c1", "acme", "u1"))
    clock.now += 61
    assert store.get("c1") is None
    assert len(load_book(store, KEYS, "c1", tenant="acme", user="u1")) == 0
    assert purge_expired(store) == 1 and table == {}


def test_purge_touches_only_the_partitions_this_worker_owns() -> None:
    """A worker holds standby copies of every vault partition; it purges only its own."""
    from pipeline.route.vault_table import owned_by, partition_of

    ids = [f"c{i}" for i in range(12)]
    store, table, clock = store_with(*((c, "acme", "u1") for c in ids))
    clock.now += 61
    mine = [c for c in ids if partition_of(c.encode(), 2) == 0]
    assert 0 < len(mine) < len(ids)
    assert purge_expired(store, owned_by({0}, 2)) == len(mine)
    assert sorted(table) == sorted(set(ids) - set(mine))


def test_another_owner_gets_an_empty_book() -> None:
    """A conversation id reused by another tenant or user never opens the owner's book."""
    store, _, _ = store_with(("c1", "acme", "u1"))
    assert len(load_book(store, KEYS, "c1", tenant="evil", user="u1")) == 0
    assert len(load_book(store, KEYS, "c1", tenant="acme", user="u2")) == 0


def test_erase_user_deletes_only_that_users_entries() -> None:
    """erase_user removes every entry of the user (optionally in one tenant) and counts them."""
    store, table, _ = store_with(
        ("c1", "acme", "u1"), ("c2", "acme", "u1"), ("c3", "acme", "u2"), ("c4", "other", "u1")
    )
    assert erase_user(store, "u1", tenant="acme") == 2
    assert set(table) == {"c3", "c4"}
    assert erase_user(store, "u1") == 1 and set(table) == {"c3"}
    assert erase_user(store, "nobody") == 0


def test_sealed_book_opens_only_for_its_conversation() -> None:
    """The approved event's envelope opens for its conversation id and no other."""
    sealed = seal_book(a_book(), KEYS, "c1")
    assert set(sealed) == {"kid", "nonce", "ciphertext"}
    assert open_book(sealed, KEYS, "c1") == a_book()
    with pytest.raises(DecryptionError):
        open_book(sealed, KEYS, "c2")


def test_no_envelope_is_an_empty_book() -> None:
    """An approved event without pseudonyms re-identifies nothing."""
    assert len(open_book(None, KEYS, "c1")) == 0


def test_rotated_keys_still_open_old_entries() -> None:
    """After prepending a new key, entries sealed with the old one still open."""
    sealed = seal_book(a_book(), KEYS, "c1")
    rotated = KeyRing.parse(KeyRing.generate_spec("k2") + "," + K1_SPEC)
    assert rotated.active_kid == "k2"
    assert open_book(sealed, rotated, "c1") == a_book()
