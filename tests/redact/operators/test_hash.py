"""hash: typed, keyed HMAC-SHA256, truncated; needs the HMAC key."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from pipeline.errors import ConfigError
from pipeline.redact import PseudonymBook
from pipeline.redact.operators import OperatorContext, get_operator

KEY = b"0123456789abcdef0123456789abcdef"
HASH = get_operator("hash")


def test_hash_is_typed_keyed_and_truncated() -> None:
    """The token is <TYPE:first 8 hex of HMAC-SHA256(key, value)>."""
    digest = hmac.new(KEY, b"jane@x.io", hashlib.sha256).hexdigest()
    ctx = OperatorContext(PseudonymBook(), KEY)
    assert HASH("jane@x.io", "EMAIL_ADDRESS", {}, ctx) == f"<EMAIL_ADDRESS:{digest[:8]}>"
    assert HASH("jane@x.io", "EMAIL_ADDRESS", {"length": 12}, ctx) == (
        f"<EMAIL_ADDRESS:{digest[:12]}>"
    )


def test_hash_depends_on_the_key() -> None:
    """Another key gives another token, so tokens cannot be precomputed without the key."""
    one = HASH("Ann", "PERSON", {}, OperatorContext(PseudonymBook(), KEY))
    two = HASH("Ann", "PERSON", {}, OperatorContext(PseudonymBook(), KEY[::-1]))
    assert one != two


def test_hash_without_key_is_a_config_error() -> None:
    """Using hash with no PROMPT_DLP_HMAC_KEY configured stops with hmac_key named."""
    with pytest.raises(ConfigError) as info:
        HASH("Ann", "PERSON", {}, OperatorContext(PseudonymBook()))
    assert info.value.key == "hmac_key"
