"""Moved to ``pipeline.config.review`` (all settings classes live in ``pipeline.config``).

Kept as an import path for code written against the old location.
"""

from pipeline.config.review import (
    DEFAULT_PORT,
    DEFAULT_RETENTION_DAYS,
    ReviewSettings,
    Role,
    TokenEntry,
)

__all__ = ["DEFAULT_PORT", "DEFAULT_RETENTION_DAYS", "ReviewSettings", "Role", "TokenEntry"]
