"""One gateway instance's moving parts: keys, limits, the producer and the reply router."""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Any

from aiokafka import AIOKafkaProducer

from pipeline.bus import client_options
from pipeline.config import Settings
from pipeline.dispatch.ratelimit import TokenBucket
from pipeline.gateway.keys import ApiKey, KeyStore
from pipeline.gateway.metrics import GatewayMetrics
from pipeline.gateway.replies import ReplyRouter
from pipeline.gateway.settings import GatewaySettings
from pipeline.tasks import stop_task
from pipeline.topics import MAX_MESSAGE_BYTES

__all__ = ["Gateway"]

_log = logging.getLogger(__name__)


class Gateway:
    """Starts and stops the Kafka clients and answers the questions handlers ask."""

    def __init__(
        self, settings: Settings, gateway: GatewaySettings, metrics: GatewayMetrics | None = None
    ) -> None:
        self.settings = settings
        self.config = gateway
        self.metrics = metrics or GatewayMetrics()
        inline = gateway.keys.get_secret_value() if gateway.keys is not None else None
        self.keys = KeyStore(
            gateway.keys_file, inline, lambda result: self.metrics.key_reloads.labels(result).inc()
        )
        self.metrics.keys.set(len(self.keys))
        self.router = ReplyRouter(
            settings,
            gateway.stream_topic,
            gateway.replay_cache,
            lambda kind, matched: self.metrics.replies.labels(kind, str(matched).lower()).inc(),
        )
        self.metrics.pending.set_function(lambda: self.router.pending)
        self._producer: AIOKafkaProducer | None = None
        self._buckets: dict[str, TokenBucket] = {}
        self._reload_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        producer = AIOKafkaProducer(
            **client_options(self.settings),
            acks="all",
            enable_idempotence=True,
            linger_ms=0,
            max_request_size=MAX_MESSAGE_BYTES,
            request_timeout_ms=30_000,
        )
        await producer.start()
        self._producer = producer
        try:
            await self.router.start(producer.partitions_for)
        except BaseException:
            await self.stop()
            raise
        self._reload_task = asyncio.create_task(self._reload_keys(), name="gateway-keys")
        self.metrics.ready.set(1)

    async def stop(self) -> None:
        self.metrics.ready.set(0)
        task, self._reload_task = self._reload_task, None
        await stop_task(task)
        await self.router.stop()
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()

    def ready(self) -> bool:
        return self._producer is not None and self.router.ready

    async def _reload_keys(self) -> None:
        while True:
            await asyncio.sleep(self.config.keys_reload_seconds)
            try:
                if self.keys.maybe_reload():
                    self.metrics.keys.set(len(self.keys))
            except Exception:  # never let a reload bug stop future reloads
                _log.exception("key reload raised")

    def retry_after(self, key: ApiKey) -> int | None:
        """Seconds to wait when ``key`` is over its rate (then no request is taken), else None."""
        if key.requests_per_minute is None:
            return None
        bucket = self._buckets.get(key.digest)
        if bucket is None or bucket.capacity != key.requests_per_minute:
            bucket = self._buckets[key.digest] = TokenBucket(key.requests_per_minute)
        wait = bucket.wait_time(1)
        if wait > 0:
            return max(1, math.ceil(wait))
        bucket.take(1)
        return None

    async def publish(self, event: bytes, key: str, headers: list[tuple[str, bytes]]) -> None:
        """Send the encoded inbound event; return once acked (acks=all, idempotent)."""
        assert self._producer is not None
        await self._producer.send_and_wait(
            self.settings.topics.inbound, event, key=key.encode(), headers=headers
        )

    def models(self) -> list[dict[str, Any]]:
        """``/v1/models``: every model name a destination maps, owned by that destination."""
        seen: dict[str, str] = {}
        for name, destination in self.settings.dispatch.destinations.items():
            for model in destination.model_map:
                seen.setdefault(model, name)
        return [
            {"id": model, "object": "model", "created": 0, "owned_by": owner}
            for model, owner in sorted(seen.items())
        ]
