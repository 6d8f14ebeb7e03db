"""The pseudonym vault as a faust Table, keyed exactly like the inbound topic.

Keys are raw bytes (``key_type=bytes`` makes faust use the raw codec), so a
changelog record for conversation ``c`` hashes to the same partition as the
inbound events keyed ``c``: whichever worker owns that inbound partition
recovers that conversation's book. ``use_partitioner`` keeps that true when a
batch mixes partitions. ``StrKeyed`` lets the vault code use str keys.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

import faust

from pipeline.config import Settings

__all__ = ["StrKeyed", "vault_table"]


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
