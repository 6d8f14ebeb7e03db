"""The gateway's own Prometheus metrics (a registry per process, served on /metrics).

Labels are bounded: route, HTTP status code, reply kind. Never a key, a tenant
chosen by callers at will, or anything from a prompt.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector

__all__ = ["GatewayMetrics"]

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class GatewayMetrics:
    """One attribute per metric."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        ProcessCollector(registry=self.registry)
        r = self.registry
        self.requests = Counter(
            "prompt_dlp_gateway_requests_total",
            "HTTP requests answered, by route and status code.",
            ["route", "code"], registry=r,
        )
        self.request_seconds = Histogram(
            "prompt_dlp_gateway_request_duration_seconds",
            "Time from request received to response complete, by route.",
            ["route"], buckets=_BUCKETS, registry=r,
        )
        self.added_seconds = Histogram(
            "prompt_dlp_gateway_added_latency_seconds",
            "Request time minus the LLM call's own latency: what gateway, bus, classify "
            "and dispatch add (answered requests only).",
            buckets=_BUCKETS, registry=r,
        )
        self.first_chunk_seconds = Histogram(
            "prompt_dlp_gateway_time_to_first_chunk_seconds",
            "Time from a streaming request to its first chunk being written.",
            buckets=_BUCKETS, registry=r,
        )
        self.pending = Gauge(
            "prompt_dlp_gateway_pending_requests",
            "Requests published and waiting for their reply on this instance.", registry=r,
        )
        self.replies = Counter(
            "prompt_dlp_gateway_replies_total",
            "Reply-topic records read, by kind and whether a waiter here took it.",
            ["kind", "matched"], registry=r,
        )
        self.timeouts = Counter(
            "prompt_dlp_gateway_timeouts_total",
            "Requests answered 504 because no reply came in time.", registry=r,
        )
        self.key_reloads = Counter(
            "prompt_dlp_gateway_key_reloads_total",
            "API key file reloads, by result (ok|error).", ["result"], registry=r,
        )
        self.keys = Gauge("prompt_dlp_gateway_keys", "API keys currently loaded.", registry=r)
        self.ready = Gauge(
            "prompt_dlp_gateway_ready", "1 when producer and reply reader are up.", registry=r
        )
