"""Shared fixtures: settings for tests, and the real local Kafka broker (session-wide)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.config import Settings, TopicNames
from pipeline.crypto import KeyRing

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


def unique_topics() -> TopicNames:
    """Topic names no other test uses, so tests never see each other's records."""
    tag = uuid.uuid4().hex[:8]
    return TopicNames(
        **{name: f"t{tag}.{default}" for name, default in TopicNames().model_dump().items()}
    )
