"""OpenAI project, service-account, admin and legacy user keys."""

from __future__ import annotations

from typing import ClassVar

import regex

from pipeline.detect.base import RegexRecognizer, entropy
from pipeline.detect.placeholders import is_placeholder
from pipeline.events import Category


class OpenAiKeyRecognizer(RegexRecognizer):
    """``T3BlbkFJ`` (base64 of "OpenAI") inside the key raises confidence; it is not required."""

    entity_type = "OPENAI_API_KEY"
    category = Category.SECRET
    keywords = ("sk-",)
    # OpenAI key formats (platform docs, secret-scanning partner patterns): sk-proj-, sk-svcacct-,
    # sk-admin-, sk-None-, and legacy sk- + 48 base62 (20 + "T3BlbkFJ" + 20).
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![A-Za-z0-9_-])sk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,300}"
        r"|[A-Za-z0-9]{32,200})(?![A-Za-z0-9_-])"
    )

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        token = match.group()
        if is_placeholder(token[3:]) or entropy(token) < 3.5:
            return None
        return 1.0 if "T3BlbkFJ" in token else 0.9


class AnthropicKeyRecognizer(RegexRecognizer):
    """Anthropic API and admin keys."""

    entity_type = "ANTHROPIC_API_KEY"
    category = Category.SECRET
    keywords = ("sk-ant-",)
    # Anthropic console keys: sk-ant-api03-… / sk-ant-admin01-… (base64url body, ~95 chars).
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![A-Za-z0-9_-])sk-ant-[a-z]{2,10}\d{2}-[A-Za-z0-9_-]{20,300}"
    )

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        return None if is_placeholder(match.group()[14:]) else 0.95
