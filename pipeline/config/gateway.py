"""Gateway settings: nested in the main settings as ``Settings.gateway``.

Env ``PROMPT_DLP_GATEWAY__*`` (e.g. ``PROMPT_DLP_GATEWAY__PORT``), like
``dispatch`` and ``review``; broker, topics and security come from the main
settings. Defaults are named constants.
"""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["GatewaySettings"]

DEFAULT_PORT = 8090
DEFAULT_REPLY_TIMEOUT_SECONDS = 60.0
DEFAULT_MAX_BODY_BYTES = 1_048_576
DEFAULT_REPLAY_CACHE = 10_000
DEFAULT_KEYS_RELOAD_SECONDS = 1.0


def _instance_id() -> str:
    return f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"


class GatewaySettings(BaseModel):
    """What one gateway instance listens on, who may call it, and how long it waits."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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
    stream_topic: str = "prompts.responses.stream"
