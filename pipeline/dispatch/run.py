"""Run a dispatch-only worker: ``python -m pipeline.dispatch.run`` (settings from ``PROMPT_DLP_*``).

``run_dispatch_worker`` is what ``prompt-dlp worker --role dispatch`` calls; it
creates missing topics, registers the dispatch agent and blocks in faust's worker
until SIGTERM/SIGINT. A SIGKILL is safe by design: see ``dedup.py``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import faust

from pipeline.app import create_app, new_context
from pipeline.bus import ensure_topics
from pipeline.config import Settings
from pipeline.dispatch.agent import register
from pipeline.dispatch.guard import ResponseGuard, identity_guard

__all__ = ["run_dispatch_worker"]

_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def run_dispatch_worker(settings: Settings, guard: ResponseGuard = identity_guard) -> None:
    """Block running the dispatch role until the process is asked to stop."""
    logging.basicConfig(level=settings.log_level, format=_LOG_FORMAT)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(ensure_topics(settings))
    app = create_app(settings)
    timeout = settings.dispatch.session_timeout_seconds
    if timeout is not None:
        app.conf.broker_session_timeout = timeout
        app.conf.broker_heartbeat_interval = min(3.0, timeout / 3)
    ctx = new_context(settings)
    register(app, ctx, guard=guard)

    @app.on_before_shutdown.connect  # type: ignore[arg-type]
    async def _stop_sink(_app: Any, **_kwargs: Any) -> None:
        await ctx.sink.stop()

    worker = faust.Worker(app, loop=loop, loglevel=settings.log_level, redirect_stdouts=False)
    worker.execute_from_commandline()


if __name__ == "__main__":
    run_dispatch_worker(Settings())
