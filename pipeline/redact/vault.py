"""The pseudonym vault: each conversation's ``PseudonymBook``, encrypted, with a TTL.

The classify worker keeps ``conversation_id -> {tenant, user, expires_at, envelope}``
in any ``MutableMapping[str, dict]`` (a faust Table backed by a compacted
changelog, or a dict in tests) behind ``VaultStore``. The envelope is the
book encrypted with the ``KeyRing``, AAD = conversation id, so an envelope
copied to another conversation does not open. Expired entries read as absent.
``seal_book``/``open_book`` carry the same envelope on the approved event
(field ``"pseudonyms"``) so the dispatch worker re-identifies without the table.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, Protocol

from pipeline.crypto import Envelope, KeyRing
from pipeline.errors import DecryptionError
from pipeline.redact.pseudonyms import PseudonymBook

__all__ = [
    "MappingVaultStore",
    "VaultEntry",
    "VaultStore",
    "erase_user",
    "load_book",
    "open_book",
    "purge_expired",
    "save_book",
    "seal_book",
]


@dataclass(frozen=True, slots=True)
class VaultEntry:
    """One conversation's encrypted book and whose it is."""

    tenant: str
    user: str
    expires_at: float  # unix seconds
    envelope: Envelope

    def to_dict(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "user": self.user,
            "expires_at": self.expires_at,
            "envelope": self.envelope.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VaultEntry:
        try:
            return cls(
                str(data["tenant"]),
                str(data["user"]),
                float(data["expires_at"]),
                Envelope.from_dict(dict(data["envelope"])),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DecryptionError("malformed vault entry") from exc


class VaultStore(Protocol):
    """Where vault entries live; expired entries must read as absent."""

    def get(self, conversation_id: str) -> VaultEntry | None: ...

    def put(self, conversation_id: str, entry: VaultEntry) -> None: ...

    def delete(self, conversation_id: str) -> None: ...

    def scan(self) -> Iterator[tuple[str, VaultEntry]]:
        """Every stored entry, expired ones included (for erasure and purging)."""
        ...

    def now(self) -> float: ...


class MappingVaultStore:
    """``VaultStore`` over a ``MutableMapping[str, dict]``: a faust Table or a dict."""

    def __init__(
        self, table: MutableMapping[str, dict[str, Any]], clock: Callable[[], float] = time.time
    ) -> None:
        self._table = table
        self._clock = clock

    def now(self) -> float:
        return self._clock()

    def get(self, conversation_id: str) -> VaultEntry | None:
        raw = self._table.get(conversation_id)
        if raw is None:
            return None
        entry = VaultEntry.from_dict(raw)
        return entry if entry.expires_at > self._clock() else None

    def put(self, conversation_id: str, entry: VaultEntry) -> None:
        self._table[conversation_id] = entry.to_dict()

    def delete(self, conversation_id: str) -> None:
        self._table.pop(conversation_id, None)

    def scan(self) -> Iterator[tuple[str, VaultEntry]]:
        for key, raw in list(self._table.items()):
            yield key, VaultEntry.from_dict(raw)


def seal_book(book: PseudonymBook, keyring: KeyRing, conversation_id: str) -> dict[str, str]:
    """Encrypt the book, bound to its conversation (the approved event's ``pseudonyms``)."""
    return keyring.encrypt(book.to_bytes(), conversation_id.encode("utf-8")).to_dict()


def open_book(
    envelope: Mapping[str, Any] | None, keyring: KeyRing, conversation_id: str
) -> PseudonymBook:
    """Decrypt the book sealed for ``conversation_id``; an empty book for no envelope."""
    if envelope is None:
        return PseudonymBook()
    plain = keyring.decrypt(Envelope.from_dict(dict(envelope)), conversation_id.encode("utf-8"))
    return PseudonymBook.from_bytes(plain)


def load_book(
    store: VaultStore, keyring: KeyRing, conversation_id: str, *, tenant: str, user: str
) -> PseudonymBook:
    """Return the conversation's book; an empty one if absent, expired or someone else's."""
    entry = store.get(conversation_id)
    if entry is None or (entry.tenant, entry.user) != (tenant, user):
        return PseudonymBook()
    return open_book(entry.envelope.to_dict(), keyring, conversation_id)


def save_book(
    store: VaultStore,
    keyring: KeyRing,
    conversation_id: str,
    book: PseudonymBook,
    *,
    tenant: str,
    user: str,
    ttl_seconds: float,
) -> VaultEntry:
    """Store the book encrypted, expiring ``ttl_seconds`` after this turn."""
    envelope = Envelope.from_dict(seal_book(book, keyring, conversation_id))
    entry = VaultEntry(tenant, user, store.now() + ttl_seconds, envelope)
    store.put(conversation_id, entry)
    return entry


def erase_user(store: VaultStore, user: str, tenant: str | None = None) -> int:
    """Delete every vault entry of ``user`` (in ``tenant``, if given); how many were deleted.

    Over a faust Table this sees only the partitions this worker owns: run it
    where every partition is covered (e.g. an agent fed by an erasure topic).
    """
    doomed = [
        key
        for key, entry in store.scan()
        if entry.user == user and (tenant is None or entry.tenant == tenant)
    ]
    for key in doomed:
        store.delete(key)
    return len(doomed)


def purge_expired(store: VaultStore, owns: Callable[[str], bool] = lambda _key: True) -> int:
    """Delete entries past their ``expires_at`` (tombstones compact them away); how many.

    ``owns`` limits the purge to the keys this process is responsible for (a
    worker holds standby copies of partitions other workers own).
    """
    now = store.now()
    doomed = [key for key, entry in store.scan() if entry.expires_at <= now and owns(key)]
    for key in doomed:
        store.delete(key)
    return len(doomed)
