"""Builders shared by the redact tests."""

from __future__ import annotations

from pipeline.decide import parse_policy
from pipeline.events import Action, Category, Decision, Finding

CATEGORY = {
    "PERSON": Category.PII,
    "EMAIL_ADDRESS": Category.PII,
    "CREDIT_CARD": Category.PII,
    "IP_ADDRESS": Category.PII,
    "AWS_ACCESS_KEY_ID": Category.SECRET,
    "DENY_TERM": Category.CUSTOM,
}

# PII redacts (placeholders), IP addresses are allowed, secrets and deny terms block.
POLICY = parse_policy("""\
version: "t1"
rules:
  - {id: pii, category: pii, action: redact}
  - {id: ip, entity_type: IP_ADDRESS, action: allow}
  - {id: secret, category: secret, action: block}
  - {id: custom, category: custom, action: block}
  - {id: cards, entity_type: CREDIT_CARD, action: redact,
     operator: {name: mask, params: {keep_last: 4, preserve: " "}}}
overrides:
  - id: hr
    match: {tenant: hr}
    rules: [{id: hr.person, entity_type: PERSON, action: redact, operator: {name: hash}}]
  - id: quiet
    match: {tenant: quiet}
    rules: [{id: quiet.person, entity_type: PERSON, action: redact, operator: {name: drop}}]
""")

REDACT = Decision(Action.REDACT, ("pii",))


def finding(
    entity_type: str, start: int, end: int, message_index: int = 0, score: float = 0.9
) -> Finding:
    return Finding(entity_type, CATEGORY[entity_type], message_index, start, end, score, "test")


def span_of(
    text: str, value: str, entity_type: str, message_index: int = 0, occurrence: int = 0
) -> Finding:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(value, start + 1)
    return finding(entity_type, start, start + len(value), message_index)
