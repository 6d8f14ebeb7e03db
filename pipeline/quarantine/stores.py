"""Where a quarantine store comes from: a factory the callers hand in.

The CLI, the console and erasure all open the Kafka-backed store in production;
tests hand in an in-memory one. The factory is passed to whoever needs a store
(never imported from the CLI module), so library code does not depend on the CLI.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.config import Settings
from pipeline.quarantine.store import QuarantineStore

__all__ = ["StoreFactory", "open_kafka_store"]

StoreFactory = Callable[[Settings], QuarantineStore]


def open_kafka_store(settings: Settings) -> QuarantineStore:
    """The store rebuilt from the quarantine topics on the configured broker."""
    from pipeline.quarantine.kafka_store import KafkaQuarantineStore

    return KafkaQuarantineStore(settings)
