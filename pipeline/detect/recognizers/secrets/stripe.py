"""Stripe secret and restricted keys."""

from __future__ import annotations

from typing import ClassVar

import regex

from pipeline.detect.base import RegexRecognizer
from pipeline.detect.placeholders import is_placeholder
from pipeline.events import Category


class StripeSecretKeyRecognizer(RegexRecognizer):
    """Test-mode keys are still credentials to the account's test data, so they block too."""

    entity_type = "STRIPE_SECRET_KEY"
    category = Category.SECRET
    keywords = ("sk_live_", "rk_live_", "sk_test_", "rk_test_")
    # Stripe docs "API keys": sk_/rk_ + live_/test_ + base62 (24 to ~99 characters).
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![A-Za-z0-9_])[sr]k_(?:live|test)_[A-Za-z0-9]{10,247}(?![A-Za-z0-9_])"
    )

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        token = match.group()
        if is_placeholder(token[8:]) or is_placeholder(token):
            return None
        return 0.95 if "_live_" in token else 0.8
