"""Builders shared by the decide tests."""

from __future__ import annotations

from pipeline.events import Category, Finding, InboundPrompt, Message

CATEGORY = {
    "AWS_ACCESS_KEY_ID": Category.SECRET,
    "GITHUB_TOKEN": Category.SECRET,
    "BRAND_NEW_TOKEN": Category.SECRET,
    "PERSON": Category.PII,
    "EMAIL_ADDRESS": Category.PII,
    "CREDIT_CARD": Category.PII,
    "IP_ADDRESS": Category.PII,
    "LOCATION": Category.PII,
    "DENY_TERM": Category.CUSTOM,
}


def finding(
    entity_type: str, start: int = 0, end: int = 4, score: float = 0.9, message_index: int = 0
) -> Finding:
    return Finding(entity_type, CATEGORY[entity_type], message_index, start, end, score, "test")


def prompt(
    text: str = "some prompt text",
    *,
    tenant: str = "acme",
    app: str | None = None,
    model: str = "gpt-4o",
    user: str = "u1",
) -> InboundPrompt:
    return InboundPrompt(
        "p1", tenant, user, model, (Message("user", text),), conversation_id="c1", app=app
    )
