"""The pseudonym vault as a faust Table, keyed exactly like the inbound topic.

Keys are raw bytes (``key_type=bytes`` makes faust use the raw codec), so a
changelog record for conversation ``c`` hashes to the same partition as the
inbound events keyed ``c``: whichever worker owns that inbound partition
recovers that conversation's book. ``use_partitioner`` keeps that true when a
batch mixes partitions. ``StrKeyed`` lets the vault code use str keys.

Expired entries read as absent, but their encrypted originals would stay on
the compacted topic forever: ``register_vault_purge`` runs a timer on every
classify worker that deletes the expired entries of the partitions it owns
(actively, not as a standby), so their tombstones let compaction drop them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import faust
from aiokafka.partitioner import DefaultPartitioner

from pipeline.app import WorkerContext
from pipeline.config import Settings
from pipeline.redact.vault import MappingVaultStore, purge_expired

__all__ = ["StrKeyed", "owned_by", "partition_of", "register_vault_purge", "vault_table"]

log = logging.getLogger(__name__)
_PARTITIONER = DefaultPartitioner()


def vault_table(app: faust.App, settings: Settings) -> Any:
    return app.Table(
        "vault",
        default=None,
        partitions=settings.partitions,
        use_partitioner=True,
        key_type=bytes,
        changelog_topic=app.topic(
            settings.topics.vault,
            partitions=settings.partitions,
            compacting=True,
            key_type=bytes,
            key_serializer="raw",
            value_serializer="json",
        ),
    )


class StrKeyed(MutableMapping[str, Any]):
    """A str-keyed view over a bytes-keyed mapping (the faust Table)."""

    def __init__(self, table: MutableMapping[bytes, Any]) -> None:
        self._table = table

    def __getitem__(self, key: str) -> Any:
        return self._table[key.encode()]

    def __setitem__(self, key: str, value: Any) -> None:
        self._table[key.encode()] = value

    def __delitem__(self, key: str) -> None:
        del self._table[key.encode()]

    def get(self, key: str, default: Any = None) -> Any:
        return self._table.get(key.encode(), default)

    def __iter__(self) -> Iterator[str]:
        return (k.decode() for k in list(self._table))

    def __len__(self) -> int:
        return len(self._table)


def partition_of(key: bytes, partitions: int) -> int:
    """The partition the producer puts ``key`` in (the table uses the producer's partitioner)."""
    every = list(range(partitions))
    return int(_PARTITIONER(key, every, every))


def owned_by(owned: set[int], partitions: int) -> Callable[[str], bool]:
    """A predicate: the (str) vault key lies in one of the ``owned`` partitions."""
    return lambda key: partition_of(key.encode(), partitions) in owned


def register_vault_purge(
    app: faust.App, ctx: WorkerContext, table: MutableMapping[str, Any]
) -> None:
    """Every ``vault_purge_interval_seconds``, tombstone the expired entries this worker owns.

    Ownership is the worker's active inbound partitions (the vault is keyed and
    partitioned like the inbound topic); nothing is purged while a rebalance or
    table recovery is in progress, when ownership is not settled.
    """
    settings = ctx.settings
    store = MappingVaultStore(table)

    @app.timer(settings.vault_purge_interval_seconds)  # type: ignore[untyped-decorator]
    async def purge_vault() -> None:
        if app.rebalancing:
            return
        owned = {
            tp.partition
            for tp in app.assignor.assigned_actives()
            if tp.topic == settings.topics.inbound
        }
        if not owned:
            return
        try:
            purged = purge_expired(store, owned_by(owned, settings.partitions))
        except Exception:  # a malformed entry must not stop the timer; it retries next time
            log.exception("vault purge failed; retrying at the next interval")
            return
        ctx.metrics.vault_purged.inc(purged)
        if purged:
            log.info("purged %d expired vault entries", purged)
