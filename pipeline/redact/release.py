"""Redacting a held prompt for release with the policy's own operators.

A reviewer's "release redacted" must send what the pipeline would have sent:
the same rules and operators (placeholder, mask, hash, drop, ...) applied to
the findings recorded with the quarantined prompt, not a second redaction of
its own. A fresh pseudonym book is used, so nothing is re-identified later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.config import Settings
from pipeline.decide.build import load_policy
from pipeline.decide.policy import Policy
from pipeline.events import Action, Category, Decision, Finding, Message
from pipeline.redact.engine import redact
from pipeline.redact.pseudonyms import PseudonymBook

__all__ = ["PolicyRedactor", "finding_from_dict"]

RULE_ID = "review.release-redacted"


def finding_from_dict(data: Mapping[str, Any]) -> Finding:
    """A finding as recorded on the quarantine topic (``Finding.to_dict``)."""
    return Finding(
        entity_type=str(data["entity_type"]),
        category=Category(data["category"]),
        message_index=int(data["message_index"]),
        start=int(data["start"]),
        end=int(data["end"]),
        score=float(data.get("score", 1.0)),
        detector=str(data.get("detector", "")),
    )


class PolicyRedactor:
    """``(record, messages) -> messages``: the policy's redaction of a quarantined prompt."""

    def __init__(self, policy: Policy, hmac_key: bytes | None = None) -> None:
        self._policy = policy
        self._hmac_key = hmac_key

    @classmethod
    def from_settings(cls, settings: Settings) -> PolicyRedactor:
        return cls(load_policy(settings.policy_file), settings.hmac_secret())

    def __call__(
        self, record: Mapping[str, Any], messages: Sequence[Message]
    ) -> tuple[Message, ...]:
        findings = [finding_from_dict(f) for f in record.get("findings") or ()]
        destination = (record.get("decision") or {}).get("destination")
        decision = Decision(Action.REDACT, (RULE_ID,), destination=destination)
        return redact(messages, findings, decision, self._policy, PseudonymBook(),
                      tenant=str(record["tenant"]), app=record.get("app"),
                      hmac_key=self._hmac_key)
