"""``hash``: ``<EMAIL_ADDRESS:3f9a1c2b>``, HMAC-SHA256 keyed with the HMAC key, truncated.

Same value, same token across conversations (joinable, not reversible).
Param ``length``: hex digits kept (default 8).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from pipeline.errors import ConfigError
from pipeline.redact.operators.base import OperatorContext

NAME = "hash"


def apply(value: str, entity_type: str, params: Mapping[str, Any], ctx: OperatorContext) -> str:
    if not ctx.hmac_key:
        raise ConfigError("hmac_key", "the hash redaction operator needs PROMPT_DLP_HMAC_KEY")
    digest = hmac.new(ctx.hmac_key, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"<{entity_type}:{digest[: int(params.get('length', 8))]}>"
