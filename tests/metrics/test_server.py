"""The per-worker HTTP exposition: /metrics, /healthz, /readyz, read-only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from pipeline.metrics.catalog import Metrics
from pipeline.metrics.server import Runner, bound_port, start_metrics_server, stop_metrics_server

State = dict[str, bool]


@pytest.fixture
def state() -> State:
    return {"ready": False}


@pytest.fixture
async def server(state: State) -> AsyncIterator[tuple[Metrics, str]]:
    metrics = Metrics(CollectorRegistry())
    runner: Runner = await start_metrics_server(
        metrics, 0, lambda: state["ready"], host="127.0.0.1"
    )
    try:
        yield metrics, f"http://127.0.0.1:{bound_port(runner)}"
    finally:
        await stop_metrics_server(runner)


async def _get(url: str, method: str = "GET") -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.request(method, url) as resp:
        return resp.status, resp.headers.get("Content-Type", ""), await resp.text()


async def test_metrics_endpoint_serves_the_catalog(server: tuple[Metrics, str]) -> None:
    """GET /metrics returns the Prometheus text format with our families and values."""
    metrics, base = server
    metrics.events.labels("classify", "approved").inc(3)
    status, ctype, body = await _get(base + "/metrics")
    assert status == 200
    assert ctype.startswith("text/plain")
    names = {f.name for f in text_string_to_metric_families(body)}
    assert {"prompt_dlp_events", "prompt_dlp_consumer_lag", "prompt_dlp_build_info"} <= names
    assert 'prompt_dlp_events_total{outcome="approved",stage="classify"} 3.0' in body


async def test_healthz_is_ok_while_the_loop_serves(server: tuple[Metrics, str]) -> None:
    """Liveness only says the process and its loop answer."""
    _, base = server
    assert (await _get(base + "/healthz"))[0] == 200


async def test_readyz_follows_the_readiness_callable(
    server: tuple[Metrics, str], state: State
) -> None:
    """503 until the worker says it is ready, then 200."""
    _, base = server
    assert (await _get(base + "/readyz"))[0] == 503
    state["ready"] = True
    assert (await _get(base + "/readyz"))[0] == 200


async def test_readyz_is_not_ready_when_the_check_raises() -> None:
    """A readiness check that raises reports 503, never 500."""

    def broken() -> bool:
        raise RuntimeError("consumer not built yet")

    runner = await start_metrics_server(Metrics(CollectorRegistry()), 0, broken, host="127.0.0.1")
    try:
        status, _, _ = await _get(f"http://127.0.0.1:{bound_port(runner)}/readyz")
        assert status == 503
    finally:
        await stop_metrics_server(runner)


@pytest.mark.parametrize("path", ["/metrics", "/healthz", "/readyz"])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
async def test_endpoints_are_read_only(server: tuple[Metrics, str], path: str, method: str) -> None:
    """Anything but GET is 405 Method Not Allowed."""
    _, base = server
    status, _, _ = await _get(base + path, method)
    assert status == 405


async def test_unknown_path_is_404(server: tuple[Metrics, str]) -> None:
    """Nothing else is served."""
    _, base = server
    assert (await _get(base + "/admin"))[0] == 404


async def test_port_in_use_fails_loudly_and_cleans_up() -> None:
    """A second server on the same port raises instead of silently not serving."""
    make: Callable[[], Metrics] = lambda: Metrics(CollectorRegistry())  # noqa: E731
    first = await start_metrics_server(make(), 0, lambda: True, host="127.0.0.1")
    try:
        with pytest.raises(OSError):
            await start_metrics_server(make(), bound_port(first), lambda: True, host="127.0.0.1")
    finally:
        await stop_metrics_server(first)
