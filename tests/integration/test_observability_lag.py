"""The consumer-lag collector against the real local broker."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.structs import OffsetAndMetadata, TopicPartition
from prometheus_client import CollectorRegistry

from pipeline.metrics.catalog import Metrics
from pipeline.metrics.lag import KafkaOffsets, LagCollector

pytestmark = pytest.mark.integration


async def test_lag_is_end_minus_committed_per_partition(kafka_broker: Any) -> None:
    """5 messages per partition, 2 committed on partition 0, none on 1: lag 3 and 5."""
    bootstrap = kafka_broker.bootstrap
    topic, group = f"lag-{uuid.uuid4().hex[:8]}", f"grp-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 2, 1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for partition in (0, 1):
            for i in range(5):
                await producer.send_and_wait(topic, b"x%d" % i, partition=partition)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        tp0 = TopicPartition(topic, 0)
        consumer.assign([tp0])
        await consumer.commit({tp0: OffsetAndMetadata(2, "")})
    finally:
        await consumer.stop()

    metrics = Metrics(CollectorRegistry(), process_metrics=False)
    offsets = KafkaOffsets({"bootstrap_servers": bootstrap})
    collector = LagCollector(metrics, offsets, group, [topic])
    try:
        lag = await collector.collect_once()
    finally:
        await collector.stop()
    assert lag == {(topic, 0): 3, (topic, 1): 5}
    labels = {"group": group, "topic": topic, "partition": "1"}
    assert metrics.registry.get_sample_value("prompt_dlp_consumer_lag", labels) == 5
