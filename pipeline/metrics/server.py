"""Per-worker HTTP exposition: ``/metrics``, ``/healthz`` and ``/readyz``.

Runs inside the worker's own event loop (aiohttp), so liveness really means
"the loop is serving" and readiness can ask the worker's state directly.
Read-only by construction: only GET is routed, anything else gets 405.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from pipeline.metrics.catalog import Metrics

__all__ = [
    "DEFAULT_HOST",
    "Runner",
    "bound_port",
    "start_metrics_server",
    "stop_metrics_server",
]

DEFAULT_HOST = "0.0.0.0"  # scraped from other pods/containers
PATHS = ("/metrics", "/healthz", "/readyz")

Runner = web.AppRunner
Ready = Callable[[], bool]

_log = logging.getLogger(__name__)


def _app(metrics: Metrics, ready: Ready) -> web.Application:
    async def get_metrics(_: web.Request) -> web.Response:
        body = generate_latest(metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(_: web.Request) -> web.Response:
        try:
            ok = bool(ready())
        except Exception:  # a broken probe means "not ready", never a 500 loop
            _log.exception("readiness check raised")
            ok = False
        return web.Response(text="ready\n" if ok else "not ready\n", status=200 if ok else 503)

    async def not_allowed(request: web.Request) -> web.Response:
        raise web.HTTPMethodNotAllowed(request.method, ["GET"])

    app = web.Application()
    for path, handler in zip(PATHS, (get_metrics, healthz, readyz), strict=True):
        app.router.add_get(path, handler, allow_head=False)
        app.router.add_route("*", path, not_allowed)
    return app


async def start_metrics_server(
    metrics: Metrics, port: int, ready: Ready, *, host: str = DEFAULT_HOST
) -> Runner:
    """Serve the catalog on ``host:port`` (0 picks a free port) from the running loop."""
    runner = web.AppRunner(_app(metrics, ready), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    _log.info("metrics server listening", extra={"port": bound_port(runner)})
    return runner


def bound_port(runner: Runner) -> int:
    """Return the port actually bound (useful when started with port 0)."""
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    raise RuntimeError("metrics server is not listening")


async def stop_metrics_server(runner: Runner) -> None:
    """Close the listening socket and finish in-flight scrapes."""
    await runner.cleanup()
