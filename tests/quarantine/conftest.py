"""Shared fixtures: a key ring, seeded prompts, the in-memory service, a schema validator."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from pipeline.crypto import KeyRing
from pipeline.quarantine.service import ReviewService
from pipeline.quarantine.store import RecordingSink
from pipeline.quarantine.testing import finding, memory_service, quarantine_record

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "v1"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
EMAIL = "jane.doe@example.com"
SECRET_MSGS = [("system", "You are helpful."),
               ("user", f"Why does aws_secret_access_key={AWS_SECRET} fail?")]
EMAIL_MSGS = [("user", f"Write to {EMAIL} about the invoice.")]
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def key_spec() -> str:
    return KeyRing.generate_spec("k1")


@pytest.fixture
def keyring(key_spec: str) -> KeyRing:
    return KeyRing.parse(key_spec)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def seeded(keyring: KeyRing, clock: Clock) -> tuple[ReviewService, RecordingSink]:
    """Three items: p-secret (acme, 2h old), p-email (globex, 3 days old), p-old (40 days)."""
    svc, sink, _ = memory_service(keyring, clock=clock)
    svc.store.apply_quarantined(quarantine_record(
        keyring, "p-secret", SECRET_MSGS,
        [finding(SECRET_MSGS, AWS_SECRET, "AWS_SECRET_ACCESS_KEY", detector="AwsSecretKey")],
        quarantined_at=NOW - timedelta(hours=2), conversation_id="conv-1"))
    svc.store.apply_quarantined(quarantine_record(
        keyring, "p-email", EMAIL_MSGS,
        [finding(EMAIL_MSGS, EMAIL, "EMAIL_ADDRESS", category="pii", detector="EmailRecognizer")],
        tenant="globex", user="bob", reasons=("pii to external model → block",),
        quarantined_at=NOW - timedelta(days=3)))
    svc.store.apply_quarantined(quarantine_record(
        keyring, "p-old", EMAIL_MSGS,
        [finding(EMAIL_MSGS, EMAIL, "EMAIL_ADDRESS", category="pii", detector="EmailRecognizer")],
        quarantined_at=NOW - timedelta(days=40)))
    return svc, sink


@pytest.fixture(scope="session")
def validate() -> Callable[[str, dict[str, Any]], None]:
    """Validate a value against schemas/v1/<name>."""
    resources = {}
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text())
        resources[path.name] = Resource.from_contents(schema)
        resources[schema["$id"]] = Resource.from_contents(schema)
    registry = Registry().with_resources(resources.items())

    def check(name: str, value: dict[str, Any]) -> None:
        schema = json.loads((SCHEMAS / name).read_text())
        Draft202012Validator(schema, registry=registry).validate(value)

    return check
