"""Against the real broker: state survives a restart of the store, outputs land on the topics."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from pipeline.config import Settings, TopicNames
from pipeline.config.review import Role
from pipeline.crypto import KeyRing
from pipeline.quarantine.kafka_store import KafkaQuarantineStore
from pipeline.quarantine.model import ReviewState
from pipeline.quarantine.service import Reviewer, ReviewService
from pipeline.quarantine.testing import finding, quarantine_record, read_topic, seed_quarantine
from tests.conftest import TEST_KAFKA_PORT

pytestmark = pytest.mark.integration

PORT = TEST_KAFKA_PORT
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
MSGS = [("user", f"aws_secret_access_key={SECRET} please fix")]
RITA = Reviewer("rita", Role.REVIEWER)
ADA = Reviewer("ada", Role.ADMIN)


@pytest.fixture(scope="module")
def broker(kafka_broker: object) -> object:
    """The session's real broker (tests/conftest.py); topics are unique per test."""
    return kafka_broker


@pytest.fixture
def settings(broker: object) -> Settings:
    run = uuid.uuid4().hex[:8]
    topics = TopicNames(**{f: f"{getattr(TopicNames(), f)}.{run}" for f in TopicNames.model_fields})
    return Settings(broker=f"kafka://127.0.0.1:{PORT}", topics=topics, partitions=2,
                    vault_keys=SecretStr(KeyRing.generate_spec("it1")))


def seed(settings: Settings, n: int, age_days: float = 0) -> list[dict[str, object]]:
    assert settings.vault_keys is not None
    keys = KeyRing.parse(settings.vault_keys.get_secret_value())
    at = datetime.now(UTC) - timedelta(days=age_days)
    return [quarantine_record(keys, f"p{i}", MSGS, [finding(MSGS, SECRET, "AWS_SECRET_ACCESS_KEY")],
                              quarantined_at=at, conversation_id=f"c{i}") for i in range(n)]


def service(settings: Settings, store: KafkaQuarantineStore) -> ReviewService:
    assert settings.vault_keys is not None
    return ReviewService(store, KeyRing.parse(settings.vault_keys.get_secret_value()))


async def test_state_is_rebuilt_after_restart(settings: Settings) -> None:
    """Released, rejected, marked and purged items come back the same from the topics."""
    await seed_quarantine(settings, seed(settings, 4))
    store = KafkaQuarantineStore(settings)
    await store.start()
    try:
        svc = service(settings, store)
        assert [i.id for i in store.pending()] == ["p0", "p1", "p2", "p3"]
        await svc.release(RITA, "p0", "redacted")
        await svc.reject(RITA, "p1", "not allowed")
        await svc.mark_false_positive(RITA, "p2", 0)
        await svc.purge(ADA, ["p3"])
    finally:
        await store.stop()

    again = KafkaQuarantineStore(settings)
    await again.start()
    try:
        assert again.get("p0").state is ReviewState.RELEASED
        assert again.get("p1").state is ReviewState.REJECTED
        assert again.get("p1").history[-1].justification == "not allowed"
        assert again.get("p2").state is ReviewState.PENDING
        assert again.get("p2").false_positives == {0}
        assert again.get("p3") is None, "a purged item must not come back from prompts.quarantine"
        assert again.pending_count() == 1
    finally:
        await again.stop()

    approved = await read_topic(settings, settings.topics.approved)
    assert [(k, v["id"], v["released_by"]) for k, v in approved] == [("c0", "p0", "rita")]
    assert SECRET not in str(approved)
    responses = await read_topic(settings, settings.topics.responses)
    assert sorted((v["id"], v["status"]) for _, v in responses) == [
        ("p1", "rejected"), ("p3", "rejected")]
    audit = await read_topic(settings, settings.topics.audit)
    assert sorted(v["event"] for _, v in audit) == [
        "erased", "false_positive", "rejected", "released"]
    state = await read_topic(settings, settings.topics.quarantine_state)
    assert ("p3", None) in state


async def test_store_follows_new_records(settings: Settings) -> None:
    """A prompt quarantined while the store runs shows up without a restart."""
    await seed_quarantine(settings, seed(settings, 1))
    store = KafkaQuarantineStore(settings)
    await store.start()
    try:
        assert store.pending_count() == 1
        more = seed(settings, 3)[1:]
        await seed_quarantine(settings, more)
        for _ in range(100):
            if store.pending_count() == 3:
                break
            await asyncio.sleep(0.1)
        assert store.pending_count() == 3
    finally:
        await store.stop()


async def test_expired_state_survives_restart_without_original(settings: Settings) -> None:
    """An expired item comes back expired and without its envelope."""
    await seed_quarantine(settings, seed(settings, 1, age_days=40))
    store = KafkaQuarantineStore(settings)
    await store.start()
    try:
        from pipeline.quarantine.retention import expire_due

        assert await expire_due(service(settings, store), 30) == ["p0"]
    finally:
        await store.stop()
    again = KafkaQuarantineStore(settings)
    await again.start()
    try:
        item = again.get("p0")
        assert item is not None and item.state is ReviewState.EXPIRED and item.original is None
    finally:
        await again.stop()
