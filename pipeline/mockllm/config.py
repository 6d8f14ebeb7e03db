"""Mock server settings: latency, auth, timings of faults; from argv or ``MOCKLLM_*`` env."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["MockConfig"]

DEFAULT_MODELS = ("gpt-4o-mini", "gpt-4o", "llama-3.1-8b-instruct")


@dataclass
class MockConfig:
    """Mutable on purpose: ``POST /admin/config`` changes latency while the server runs."""

    api_key: str | None = None
    latency_ms: float = 20.0
    jitter_ms: float = 0.0
    chunk_ms: float = 1.0  # pause between streamed chunks (time to first chunk is latency_ms)
    hang_seconds: float = 30.0
    retry_after: float = 1.0
    models: tuple[str, ...] = field(default=DEFAULT_MODELS)
    fault: str | None = None  # a fault mode active from start, e.g. "outage"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MockConfig:
        """Read ``MOCKLLM_API_KEY``, ``MOCKLLM_LATENCY_MS``, ``MOCKLLM_JITTER_MS``, ..."""
        cfg = cls()
        cfg.api_key = env.get("MOCKLLM_API_KEY") or None
        cfg.latency_ms = float(env.get("MOCKLLM_LATENCY_MS", cfg.latency_ms))
        cfg.jitter_ms = float(env.get("MOCKLLM_JITTER_MS", cfg.jitter_ms))
        cfg.chunk_ms = float(env.get("MOCKLLM_CHUNK_MS", cfg.chunk_ms))
        cfg.hang_seconds = float(env.get("MOCKLLM_HANG_SECONDS", cfg.hang_seconds))
        cfg.retry_after = float(env.get("MOCKLLM_RETRY_AFTER", cfg.retry_after))
        cfg.fault = env.get("MOCKLLM_FAULT") or None
        return cfg
