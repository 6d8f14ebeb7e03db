"""``prompt-dlp worker``: build the app for the chosen roles and run it until stopped.

Start-up order matters for fail-closed behaviour: topics exist, the policy
and detectors load (a bad policy stops the process here, before any event
is consumed), then faust starts consuming. Metrics, health and readiness
are served on ``PROMPT_DLP_METRICS_PORT``; ready means the output producer
is connected and faust has partitions assigned.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import faust

from pipeline.app import WorkerContext, create_app, new_context
from pipeline.bus import client_options, ensure_topics
from pipeline.config import Settings
from pipeline.errors import ConfigError

__all__ = ["run_worker"]

log = logging.getLogger(__name__)
_CONNECT_TIMEOUT = 60.0


def _connect_problem(settings: Settings, exc: BaseException) -> str:
    """One line saying why the bus is unreachable: wrong address, credentials or certificate."""
    cause = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    if isinstance(exc, TimeoutError):
        cause = f"no answer within {_CONNECT_TIMEOUT:.0f}s"
    return (
        f"cannot reach Kafka at {settings.bootstrap_servers} "
        f"({settings.security.protocol}): {cause}; check the address, credentials and CA file"
    )


def run_worker(settings: Settings, roles: set[str]) -> None:
    """Blocks until SIGTERM/SIGINT; faust commits what was processed on the way out."""
    from pipeline.logs import logging_config

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(asyncio.wait_for(ensure_topics(settings), _CONNECT_TIMEOUT))
    except Exception as exc:
        raise ConfigError("PROMPT_DLP_BROKER", _connect_problem(settings, exc)) from None
    app = create_app(settings)
    ctx = new_context(settings)
    _register_roles(app, ctx, roles)
    _register_services(app, ctx, roles)
    _prime_metrics(ctx)
    worker = faust.Worker(
        app,
        loop=loop,
        loglevel=settings.log_level,
        logging_config=logging_config(settings.log_level),
        quiet=True,
        redirect_stdouts=False,
    )
    worker.execute_from_commandline()


def _register_roles(app: faust.App, ctx: WorkerContext, roles: set[str]) -> None:
    if "classify" in roles:
        from pipeline.privacy.agent import register as register_control
        from pipeline.route.agent import register as register_classify
        from pipeline.route.vault_table import StrKeyed, register_vault_purge, vault_table
        from pipeline.wiring import build_classifier

        vault = StrKeyed(vault_table(app, ctx.settings))
        register_classify(app, ctx, build_classifier(ctx.settings, vault=vault))
        register_control(app, ctx, vault)
        register_vault_purge(app, ctx, vault)
    if "dispatch" in roles:
        from pipeline.dispatch.agent import register as register_dispatch
        from pipeline.wiring import build_response_guard

        register_dispatch(app, ctx, build_response_guard(ctx.settings))


def _prime_metrics(ctx: WorkerContext) -> None:
    """Zero series for every known label value, so dashboards and alerts read 0, not no-data."""
    from pipeline.detect.registry import known_labels
    from pipeline.quarantine.settings import Role

    entity_types, detectors = known_labels()
    ctx.metrics.prime(
        destinations=ctx.settings.dispatch.destinations,
        entity_types=entity_types,
        detectors=detectors,
        review_roles=[role.value for role in Role],
    )


def _register_services(app: faust.App, ctx: WorkerContext, roles: set[str]) -> None:
    """Metrics/health server, consumer-lag collector and the sink's lifecycle."""
    from pipeline.metrics.lag import KafkaOffsets, LagCollector
    from pipeline.metrics.server import start_metrics_server, stop_metrics_server

    settings = ctx.settings
    consumed = [settings.topics.inbound] if "classify" in roles else []
    consumed += [settings.topics.approved] if "dispatch" in roles else []
    state: dict[str, Any] = {}

    def ready() -> bool:
        # A standby member with no partitions is healthy and ready; a rebalance is not.
        return ctx.sink.started and state.get("started", False) and not app.rebalancing

    @app.task  # type: ignore[untyped-decorator]
    async def _start_services() -> None:
        await ctx.sink.start()
        state["started"] = True
        state["metrics"] = await start_metrics_server(ctx.metrics, settings.metrics_port, ready)
        collector = LagCollector(
            ctx.metrics, KafkaOffsets(client_options(settings)), settings.app_id, consumed
        )
        collector.start()
        state["lag"] = collector

    async def _stop_services(_app: Any, **_kwargs: Any) -> None:
        if "lag" in state:
            await state["lag"].stop()
        if "metrics" in state:
            await stop_metrics_server(state["metrics"])
        await ctx.sink.stop()

    app.on_before_shutdown.connect(_stop_services)  # type: ignore[arg-type]
