"""Gateway settings, read from ``PROMPT_DLP_GATEWAY_*`` (beside the main ``Settings``).

Kept apart from ``pipeline.config.Settings`` so the gateway adds no field to the
workers' settings object; the gateway reads both (broker, topics and security
come from the main one).
"""

from __future__ import annotations

import socket
import uuid
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["GatewaySettings"]

DEFAULT_PORT = 8090
DEFAULT_REPLY_TIMEOUT_SECONDS = 60.0
DEFAULT_MAX_BODY_BYTES = 1_048_576
DEFAULT_REPLAY_CACHE = 10_000
DEFAULT_KEYS_RELOAD_SECONDS = 1.0


def _instance_id() -> str:
    return f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"


class GatewaySettings(BaseSettings):
    """What one gateway instance listens on, who may call it, and how long it waits."""

    model_config = SettingsConfigDict(env_prefix="PROMPT_DLP_GATEWAY_", frozen=True, extra="ignore")

    host: str = "0.0.0.0"
    port: int = Field(default=DEFAULT_PORT, ge=0, le=65535)
    instance_id: str = Field(default_factory=_instance_id)
    # API keys: a file (JSON or YAML list, re-read when it changes) and/or inline JSON.
    keys_file: Path | None = None
    keys: SecretStr | None = None
    keys_reload_seconds: float = Field(default=DEFAULT_KEYS_RELOAD_SECONDS, gt=0)
    # A header set by a trusted front proxy naming the end user; None = not trusted.
    user_header: str | None = None
    reply_timeout_seconds: float = Field(default=DEFAULT_REPLY_TIMEOUT_SECONDS, gt=0)
    # Upper bound on X-Prompt-DLP-Review-Wait (seconds a caller may wait for a reviewer).
    review_wait_max_seconds: float = Field(default=0.0, ge=0)
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, ge=1024)
    # Replies remembered per instance, so an Idempotency-Key retry gets the answer again.
    replay_cache: int = Field(default=DEFAULT_REPLAY_CACHE, ge=0)
    # v1: today's inbound contract (plain-text messages); v2: the whole request body.
    wire_version: Literal["v1", "v2"] = "v1"
    stream_topic: str = "prompts.responses.stream"
