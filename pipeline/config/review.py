"""Settings of the review console: who may sign in, as what, and how long items are kept.

Nested in the main settings as ``Settings.review`` (env ``PROMPT_DLP_REVIEW__*``).
Tokens are ``name:role:token`` entries separated by commas or newlines, inline
(``PROMPT_DLP_REVIEW__TOKENS``) or in ``tokens_file``; the token is last so it may
contain colons.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr

from pipeline.errors import ConfigError

__all__ = ["DEFAULT_PORT", "DEFAULT_RETENTION_DAYS", "ReviewSettings", "Role", "TokenEntry"]

DEFAULT_RETENTION_DAYS = 30.0
DEFAULT_PORT = 8470
DEFAULT_SESSION_SECONDS = 8 * 3600


class Role(StrEnum):
    """Reviewer roles, each including the rights of the ones before it."""

    VIEWER = "viewer"
    REVIEWER = "reviewer"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


_RANK = {Role.VIEWER: 0, Role.REVIEWER: 1, Role.ADMIN: 2}


class TokenEntry(BaseModel):
    """One configured bearer token and the identity it stands for."""

    name: str
    role: Role
    token: SecretStr


class ReviewSettings(BaseModel):
    """Authentication, session, retention and listener settings of the review console."""

    tokens: SecretStr | None = None
    tokens_file: Path | None = None
    trusted_header: bool = False
    trusted_proxies: list[str] = Field(default_factory=list)
    user_header: str = "X-Forwarded-User"
    groups_header: str = "X-Forwarded-Groups"
    group_roles: dict[str, Role] = Field(
        default_factory=lambda: {
            "dlp-admins": Role.ADMIN,
            "dlp-reviewers": Role.REVIEWER,
            "dlp-viewers": Role.VIEWER,
        }
    )
    public_origin: str | None = None
    cookie_secure: bool = True
    session_seconds: int = Field(default=DEFAULT_SESSION_SECONDS, ge=60)
    retention_days: float = Field(default=DEFAULT_RETENTION_DAYS, gt=0)
    retention_interval_seconds: float = Field(default=3600.0, gt=0)
    host: str = "127.0.0.1"
    port: int = Field(default=DEFAULT_PORT, ge=0, le=65535)
    metrics_public: bool = True

    def token_entries(self) -> list[TokenEntry]:
        """Parse the inline and file tokens; a malformed entry stops with the key named."""
        text = self.tokens.get_secret_value() if self.tokens is not None else ""
        if self.tokens_file is not None:
            text += "\n" + self.tokens_file.read_text(encoding="utf-8")
        entries: list[TokenEntry] = []
        for n, raw in enumerate(text.replace(",", "\n").splitlines()):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(":", 2)
            if len(parts) != 3 or not all(parts):
                raise ConfigError("review.tokens", f"entry {n + 1} must be name:role:token")
            name, role, token = parts
            if role not in Role.__members__.values():
                raise ConfigError("review.tokens", f"entry {n + 1} has unknown role {role!r}")
            entries.append(TokenEntry(name=name, role=Role(role), token=SecretStr(token)))
        return entries
