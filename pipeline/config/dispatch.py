"""Dispatch settings: named LLM destinations, their limits, and the worker's knobs.

Nested in the main settings as ``Settings.dispatch`` (env ``PROMPT_DLP_DISPATCH__*``;
``destinations`` is easiest given as JSON). Credentials are ``SecretStr`` or a file
path, so they never print. Defaults are named constants.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from pipeline.errors import ConfigError

__all__ = ["Destination", "DispatchSettings", "Provider"]

DEFAULT_BASE_URL = "http://127.0.0.1:8088/v1"
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_CONNECT_TIMEOUT_SECONDS = 5.0
DEFAULT_CONCURRENCY = 16
DEFAULT_BATCH_SIZE = 32
DEFAULT_BATCH_WAIT_SECONDS = 0.002  # records are pipelined: a linger only delays the first
DEFAULT_BACKOFF_BASE_SECONDS = 0.5
DEFAULT_BACKOFF_CAP_SECONDS = 30.0
DEFAULT_MAX_RETRY_AFTER_SECONDS = 300.0
DEFAULT_MALFORMED_ATTEMPTS = 3
DEFAULT_CIRCUIT_FAILURES = 5
DEFAULT_CIRCUIT_OPEN_SECONDS = 10.0
DEFAULT_COMPLETION_TOKENS_ESTIMATE = 256
# Streaming hold-back window (see pipeline/dispatch/window.py).
DEFAULT_STREAM_HOLDBACK_CHARS = 48
DEFAULT_STREAM_STEP_CHARS = 24
DEFAULT_STREAM_MAX_HOLD_CHARS = 2048


class Provider(StrEnum):
    """How to address the endpoint: OpenAI proper, Azure OpenAI, or any compatible server."""

    OPENAI = "openai"
    AZURE = "azure"
    COMPATIBLE = "compatible"  # vLLM, LiteLLM, Ollama, our mock


class Destination(BaseModel):
    """One OpenAI-compatible endpoint and the limits we keep towards it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: Provider = Provider.COMPATIBLE
    base_url: str = DEFAULT_BASE_URL
    api_key: SecretStr | None = None
    api_key_file: Path | None = None
    api_key_env: str | None = None
    # Azure: endpoint is base_url; the deployment is azure_deployment or the mapped model.
    api_version: str | None = None
    azure_deployment: str | None = None
    model_map: dict[str, str] = Field(default_factory=dict)
    timeout_seconds: float = Field(default=DEFAULT_TIMEOUT_SECONDS, gt=0)
    connect_timeout_seconds: float = Field(default=DEFAULT_CONNECT_TIMEOUT_SECONDS, gt=0)
    requests_per_minute: float | None = Field(default=None, gt=0)
    tokens_per_minute: float | None = Field(default=None, gt=0)
    # Send the prompt id as Idempotency-Key; the gateway dedups retries of one call.
    idempotency_keys: bool = True
    # Ask the provider not to retain the exchange; off for servers rejecting unknown fields.
    send_store_false: bool = True
    extra_body: dict[str, Any] = Field(default_factory=dict)
    extra_headers: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _azure_needs_version(self) -> Destination:
        if self.provider is Provider.AZURE and not self.api_version:
            raise ValueError("an azure destination needs api_version")
        return self

    def model_for(self, requested: str) -> str:
        """Return the provider's model (or Azure deployment) name for the requested model."""
        return self.model_map.get(requested, requested)

    def resolve_api_key(self, name: str) -> str | None:
        """Return the API key from the inline value, its file, or the named env variable."""
        if self.api_key is not None:
            return self.api_key.get_secret_value()
        if self.api_key_file is not None:
            try:
                return self.api_key_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(
                    f"dispatch.destinations.{name}.api_key_file", "cannot be read"
                ) from exc
        if self.api_key_env is not None:
            value = os.environ.get(self.api_key_env)
            if not value:
                raise ConfigError(f"dispatch.destinations.{name}.api_key_env", "is not set")
            return value
        return None


class DispatchSettings(BaseModel):
    """Where approved prompts go and how hard we push."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default_destination: str = "default"
    destinations: dict[str, Destination] = Field(default_factory=lambda: {"default": Destination()})
    concurrency: int = Field(default=DEFAULT_CONCURRENCY, ge=1)
    batch_size: int = Field(default=DEFAULT_BATCH_SIZE, ge=1)
    batch_wait_seconds: float = Field(default=DEFAULT_BATCH_WAIT_SECONDS, gt=0)
    backoff_base_seconds: float = Field(default=DEFAULT_BACKOFF_BASE_SECONDS, gt=0)
    backoff_cap_seconds: float = Field(default=DEFAULT_BACKOFF_CAP_SECONDS, gt=0)
    max_retry_after_seconds: float = Field(default=DEFAULT_MAX_RETRY_AFTER_SECONDS, gt=0)
    malformed_attempts: int = Field(default=DEFAULT_MALFORMED_ATTEMPTS, ge=1)
    # Give up a retryable failure (429, 5xx, timeout) once retrying would pass this many
    # seconds since the first attempt: the requester then gets the upstream's last status
    # and Retry-After, the DLQ keeps the prompt. None: retry until the destination answers.
    # Behind a gateway, set it below the gateway's reply timeout.
    retry_budget_seconds: float | None = Field(default=None, ge=0)
    circuit_failures: int = Field(default=DEFAULT_CIRCUIT_FAILURES, ge=1)
    circuit_open_seconds: float = Field(default=DEFAULT_CIRCUIT_OPEN_SECONDS, gt=0)
    completion_tokens_estimate: int = Field(default=DEFAULT_COMPLETION_TOKENS_ESTIMATE, ge=0)
    dedup_table: str = "dispatch-dedup"
    # A streamed character is released once this much text followed it (and at a space).
    stream_holdback_chars: int = Field(default=DEFAULT_STREAM_HOLDBACK_CHARS, ge=0)
    stream_step_chars: int = Field(default=DEFAULT_STREAM_STEP_CHARS, ge=1)
    stream_max_hold_chars: int = Field(default=DEFAULT_STREAM_MAX_HOLD_CHARS, ge=64)

    @model_validator(mode="after")
    def _default_exists(self) -> DispatchSettings:
        if self.default_destination not in self.destinations:
            raise ValueError(
                f"default_destination {self.default_destination!r} is not in destinations"
            )
        return self
