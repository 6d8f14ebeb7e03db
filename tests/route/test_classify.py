"""The classify stage: one routed outcome per input, fail closed, contracts honoured."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import orjson
import pytest

from pipeline.config import Settings
from pipeline.contracts import validator
from pipeline.crypto import Envelope
from pipeline.decide.build import load_policy
from pipeline.detect.errors import DetectionTimeout, RecognizerFailed
from pipeline.engine import DlpEngine
from pipeline.events import Category, Finding, InboundPrompt
from pipeline.metrics.catalog import DETECTION_FAILURE_KINDS
from pipeline.redact.vault import MappingVaultStore, open_book
from pipeline.route.classify import Classifier, RawEvent, Routed
from pipeline.wiring import VaultPolicyStage, key_ring

SECRET = "AKIAQWERTYUIOPASDFGH"
_PATTERNS = {
    "PERSON": (re.compile(r"\b(?:Alice Moreau|Bob Stone)\b"), Category.PII),
    "AWS_ACCESS_KEY_ID": (re.compile(r"\bAKIA[A-Z0-9]{16}\b"), Category.SECRET),
}
SCHEMA_OF = {"approved": "approved.json", "quarantine": "quarantine.json", "dlq": "dlq.json"}


class RegexDetect:
    """A deterministic detector double: two regexes, optional failure on a marker."""

    version = "test-detect-1"

    def detect_many(self, prompts: Sequence[InboundPrompt]) -> list[list[Finding] | Exception]:
        out: list[list[Finding] | Exception] = []
        for prompt in prompts:
            if any("[[explode]]" in m.content for m in prompt.messages):
                out.append(RuntimeError("recognizer crashed"))
                continue
            found = [
                Finding(kind, cat, i, m.start(), m.end(), 0.9, "RegexDetect")
                for i, msg in enumerate(prompt.messages)
                for kind, (rx, cat) in _PATTERNS.items()
                for m in rx.finditer(msg.content)
            ]
            out.append(found)
        return out


@pytest.fixture
def vault() -> dict[str, dict[str, Any]]:
    return {}


@pytest.fixture
def classifier(settings: Settings, vault: dict[str, dict[str, Any]]) -> Classifier:
    keys = key_ring(settings)
    detect = RegexDetect()
    engine = DlpEngine(settings, load_policy(settings.policy_file), detect, None)  # type: ignore[arg-type]
    policy = VaultPolicyStage(engine, keys, MappingVaultStore(vault))
    return Classifier(settings, detect, policy, keys)


def event(content: str, **extra: Any) -> bytes:
    body = {
        "id": extra.pop("id", "p-1"),
        "tenant": "t-acme",
        "user": "u-1",
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": content}],
        **extra,
    }
    return orjson.dumps(body)


def run(classifier: Classifier, *values: bytes | None) -> list[Routed]:
    return classifier.classify([RawEvent(v, "prompts.inbound", 0, n) for n, v in enumerate(values)])


def test_clean_prompt_is_approved_unchanged(classifier: Classifier) -> None:
    """No findings → approved with the exact original text, plus one audit record."""
    [routed] = run(classifier, event("What is a monad?"))
    assert routed.route == "approved"
    approved, audit = (r.value for r in routed.records)
    assert approved is not None and audit is not None
    assert approved["messages"] == [{"role": "user", "content": "What is a monad?"}]
    assert approved["decision"]["action"] == "allow"
    assert audit["event"] == "decision" and audit["route"] == "approved"


def test_personal_data_is_redacted_with_reversible_pseudonyms(
    classifier: Classifier, settings: Settings
) -> None:
    """A person's name is replaced by a typed placeholder; the sealed book restores it."""
    [routed] = run(classifier, event("Please email Alice Moreau today"))
    approved = routed.records[0].value
    assert approved is not None
    text = approved["messages"][0]["content"]
    assert "Alice Moreau" not in text
    assert text == "Please email <PERSON_1> today"
    book = open_book(approved["pseudonyms"], key_ring(settings), "p-1")
    assert book.original("<PERSON_1>") == "Alice Moreau"


def test_placeholders_are_consistent_across_turns(classifier: Classifier) -> None:
    """The same person gets the same placeholder in a later turn of the conversation."""
    first, second = run(
        classifier,
        event("Bob Stone and Alice Moreau met", id="p-1", conversation_id="c-1"),
        event("Did Alice Moreau reply?", id="p-2", conversation_id="c-1"),
    )
    assert first.records[0].value["messages"][0]["content"] == "<PERSON_1> and <PERSON_2> met"  # type: ignore[index]
    assert second.records[0].value["messages"][0]["content"] == "Did <PERSON_2> reply?"  # type: ignore[index]


def test_secret_is_quarantined_encrypted(classifier: Classifier, settings: Settings) -> None:
    """A credential blocks; the original travels only encrypted and decrypts exactly."""
    raw = event(f"my key is {SECRET}")
    [routed] = run(classifier, raw)
    assert routed.route == "quarantine"
    for record in routed.records:
        assert SECRET.encode() not in orjson.dumps(record.value)
    quarantined = routed.records[0].value
    assert quarantined is not None
    plain = key_ring(settings).decrypt(Envelope.from_dict(quarantined["original"]), b"p-1")
    assert orjson.loads(plain)["messages"][0]["content"] == f"my key is {SECRET}"
    assert quarantined["findings"][0]["entity_type"] == "AWS_ACCESS_KEY_ID"


def test_detector_failure_fails_closed(classifier: Classifier) -> None:
    """A detector that raises quarantines its event and leaves the neighbours alone."""
    bad, good = run(classifier, event("[[explode]] hi", id="p-bad"), event("hello", id="p-ok"))
    assert bad.route == "quarantine"
    assert bad.records[0].value["decision"]["rule_ids"] == ["fail-closed.detection-error"]  # type: ignore[index]
    assert bad.reason == "error"  # the metric label the catalog primes and the alert reads
    assert good.route == "approved"


@pytest.mark.parametrize(
    ("exc", "kind"),
    [(TimeoutError(), "timeout"), (DetectionTimeout("budget"), "timeout"),
     (RecognizerFailed("x"), "error"), (ValueError("bug"), "error")],
)
def test_failed_batches_carry_a_bounded_failure_kind(
    classifier: Classifier, exc: Exception, kind: str
) -> None:
    """What the agent counts as ``prompt_dlp_detection_failures_total{kind}``: timeout|error."""
    [routed] = classifier.fail_batch([RawEvent(event("hi"), "prompts.inbound", 0, 0)], exc)
    assert routed.route == "quarantine" and routed.reason == kind
    assert routed.reason in DETECTION_FAILURE_KINDS


@pytest.mark.parametrize("raw", [b"{not json", b"\xc3\x28", b"[]", None, event("x")[:-1]])
def test_unparseable_events_go_to_dlq_with_reason(
    classifier: Classifier, raw: bytes | None
) -> None:
    """Malformed input is dead-lettered with a reason, its bytes kept encrypted."""
    [routed] = run(classifier, raw)
    assert routed.route == "dlq"
    dlq = routed.records[0].value
    assert dlq is not None and dlq["reason"] and dlq["stage"] == "classify"
    assert dlq["source"] == {"topic": "prompts.inbound", "partition": 0, "offset": 0}
    assert ("payload" in dlq) == bool(raw)


def test_every_output_matches_its_contract(classifier: Classifier) -> None:
    """Approved, quarantine, DLQ and audit records all validate against schemas/v1."""
    outcomes = run(
        classifier,
        event("hi", id="a"),
        event(
            "Alice Moreau",
            id="b",
            conversation_id="c",
            app="crm",
            created_at="2026-01-02T03:04:05Z",
        ),
        event(SECRET, id="c"),
        b"{",
    )
    assert [o.route for o in outcomes] == ["approved", "approved", "quarantine", "dlq"]
    for outcome in outcomes:
        primary, audit = outcome.records
        validator(SCHEMA_OF[outcome.route]).validate(primary.value)
        validator("audit.json").validate(audit.value)


def test_batch_order_and_count_are_preserved(classifier: Classifier) -> None:
    """Exactly one outcome per input, in input order."""
    values = [event("hi", id=f"p-{i}") if i % 3 else b"bad" for i in range(10)]
    outcomes = run(classifier, *values)
    assert len(outcomes) == 10
    assert [o.route for o in outcomes] == ["dlq" if i % 3 == 0 else "approved" for i in range(10)]
