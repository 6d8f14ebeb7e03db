"""Assemble the console app (routes, middlewares, metrics, retention task) and run it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from pipeline.config.review import ReviewSettings
from pipeline.quarantine import retention
from pipeline.quarantine.service import ReviewService
from pipeline.quarantine.web import api, pages
from pipeline.quarantine.web.auth import Authenticator
from pipeline.quarantine.web.render import STATIC
from pipeline.quarantine.web.security import middlewares
from pipeline.tasks import stop_task

__all__ = ["REGISTRY", "create_app", "serve"]

log = logging.getLogger(__name__)

REGISTRY: web.AppKey[CollectorRegistry] = web.AppKey("registry", CollectorRegistry)


async def _metrics(request: web.Request) -> web.Response:
    body = generate_latest(request.app[REGISTRY])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def _health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app(
    service: ReviewService,
    review: ReviewSettings,
    registry: CollectorRegistry,
    *,
    sweep_retention: bool = True,
) -> web.Application:
    """Build the console over an already started store; the retention sweep runs while it serves."""
    auth = Authenticator(review)
    app = web.Application(middlewares=middlewares(auth, review), client_max_size=256 * 1024)
    app[api.SERVICE] = service
    app[pages.AUTH] = auth
    app[pages.REVIEW] = review
    app[REGISTRY] = registry
    app.add_routes(pages.routes)
    app.add_routes(api.routes)
    app.router.add_get("/metrics", _metrics)
    app.router.add_get("/healthz", _health)
    app.router.add_static("/static/", STATIC, append_version=True)

    if sweep_retention:
        async def sweeper(app: web.Application) -> AsyncIterator[None]:
            task = asyncio.create_task(retention.run_periodically(
                service, review.retention_days, review.retention_interval_seconds))
            yield
            await stop_task(task)

        app.cleanup_ctx.append(sweeper)
    return app


async def serve(app: web.Application, host: str, port: int) -> None:
    """Serve until cancelled (Ctrl-C); the caller owns starting and stopping the store."""
    runner = web.AppRunner(app, access_log_format='%a "%r" %s %b')
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    log.info("review console on http://%s:%d", host, port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
