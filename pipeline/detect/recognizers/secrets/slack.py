"""Slack API tokens and incoming-webhook URLs."""

from __future__ import annotations

from typing import ClassVar

import regex

from pipeline.detect.base import RegexRecognizer
from pipeline.detect.placeholders import is_placeholder
from pipeline.events import Category


class SlackTokenRecognizer(RegexRecognizer):
    """Bot, user, app-level, refresh and config tokens."""

    entity_type = "SLACK_TOKEN"
    category = Category.SECRET
    keywords = ("xox", "xapp-")
    # Slack "Token types": xoxb- bot, xoxp- user, xoxa-/xoxr- refresh, xoxs-/xoxo- legacy,
    # xoxe- config, xapp- app-level.
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![A-Za-z0-9-])(?:xox[abposre](?:\.xox[bp])?-|xapp-)[A-Za-z0-9-]{10,250}"
    )

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        token = match.group()
        if is_placeholder(token) or sum(c.isdigit() for c in token) < 4:
            return None
        return 0.95


class SlackWebhookRecognizer(RegexRecognizer):
    """A webhook URL is itself the credential: anyone holding it can post."""

    entity_type = "SLACK_WEBHOOK_URL"
    category = Category.SECRET
    keywords = ("hooks.slack.com",)
    # Slack "Sending messages using incoming webhooks": hooks.slack.com/services/T../B../secret.
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{20,200}"
    )

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        return None if is_placeholder(match.group().rsplit("/", 1)[-1]) else 0.95
