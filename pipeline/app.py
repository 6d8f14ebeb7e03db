"""The faust App and the context every worker role shares.

A role module (``pipeline.route.agent``, ``pipeline.dispatch.agent``) exposes
``register(app, ctx)`` which declares its agents and tables on the app;
``prompt-dlp worker --role`` decides which roles a process runs.

Source topics are read with faust's acks off: ``pipeline.offsets`` is their only committer
(see there why faust's own offset bookkeeping may not commit them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import faust
from prometheus_client import CollectorRegistry

from pipeline.bus import KafkaSink, client_options, ssl_context
from pipeline.config import Settings
from pipeline.faustcompat import FaustConsumerPort, on_assigned, on_revoked
from pipeline.metrics import Metrics
from pipeline.offsets import OffsetManager

__all__ = ["WorkerContext", "create_app", "new_context", "raw_topic"]


@dataclass
class WorkerContext:
    """What agents need besides the app: settings, the output sink, metrics, the commit path."""

    settings: Settings
    sink: KafkaSink
    metrics: Metrics
    offsets: OffsetManager
    extras: dict[str, Any] = field(default_factory=dict)


def _credentials(settings: Settings) -> Any:
    sec = settings.security
    ctx = ssl_context(settings)
    if sec.protocol.startswith("SASL"):
        return faust.SASLCredentials(
            username=sec.sasl_username,
            password=sec.password(),
            mechanism=sec.sasl_mechanism,
            ssl_context=ctx,
        )
    if ctx is not None:
        return faust.SSLCredentials(ctx)
    return None


def create_app(settings: Settings, *, web_port: int | None = None) -> faust.App:
    """A faust App configured for at-least-once processing on our bus."""
    datadir = settings.data_dir / "faust" / settings.app_id
    datadir.mkdir(parents=True, exist_ok=True)
    return faust.App(
        settings.app_id,
        broker=settings.broker,
        broker_credentials=_credentials(settings),
        value_serializer="raw",
        key_serializer="raw",
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication,
        topic_allow_declare=True,
        topic_disable_leader=True,
        producer_acks=-1,
        consumer_auto_offset_reset="earliest",
        # A dead worker's partitions move on after this; heartbeats stay well inside it.
        broker_session_timeout=settings.session_timeout_seconds,
        broker_heartbeat_interval=min(3.0, settings.session_timeout_seconds / 3),
        # faust commits nothing of ours (source topics have acks off); tables only.
        broker_commit_interval=1.0,
        stream_wait_empty=True,
        datadir=str(datadir),
        store="memory://",
        table_cleanup_interval=60.0,
        web_enabled=web_port is not None,
        web_port=web_port or 6066,
        web_bind="127.0.0.1",
    )


def raw_topic(app: faust.App, settings: Settings, name: str) -> Any:
    """A source topic read as raw bytes, offsets committed by ``pipeline.offsets`` only.

    Agents parse (and dead-letter) values themselves. ``acks=False`` keeps faust from tracking,
    gap-filling or committing this topic's offsets.
    """
    return app.topic(
        name,
        acks=False,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=settings.partitions,
    )


Registrar = Callable[[faust.App, WorkerContext], None]


def new_context(
    settings: Settings,
    app: faust.App,
    source_topics: set[str],
    registry: CollectorRegistry | None = None,
) -> WorkerContext:
    """The context of one worker app; its offset manager follows the app's rebalances."""
    metrics = Metrics(registry or CollectorRegistry())
    offsets = OffsetManager(
        FaustConsumerPort(app, client_options(settings)),
        metrics,
        source_topics,
        drain_seconds=min(5.0, settings.session_timeout_seconds / 2),
    )
    on_revoked(app, offsets.on_revoked)
    on_assigned(app, offsets.on_assigned)
    return WorkerContext(settings, KafkaSink(settings), metrics, offsets)
