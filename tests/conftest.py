"""Shared fixtures: settings for tests, and the real local Kafka broker (session-wide)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.harness.support import unique_topics
from pipeline.config import Settings
from pipeline.crypto import KeyRing

__all__ = ["REPO", "TEST_KAFKA_PORT", "unique_topics"]

REPO = Path(__file__).resolve().parents[1]
TEST_KAFKA_PORT = int(os.environ.get("PROMPT_DLP_TEST_KAFKA_PORT", "19592"))


@pytest.fixture(scope="session")
def vault_keys() -> str:
    return KeyRing.generate_spec("test1")


@pytest.fixture
def settings(tmp_path: Path, vault_keys: str) -> Settings:
    """Offline settings with a fresh key ring and unique topic names."""
    return Settings(data_dir=tmp_path, vault_keys=vault_keys)


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One real Apache Kafka broker (KRaft) for the whole session."""
    from tests.support.broker import LocalBroker

    broker = LocalBroker(TEST_KAFKA_PORT, tmp_path_factory.mktemp("kafka"))
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


