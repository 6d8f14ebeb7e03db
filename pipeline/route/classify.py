"""The classify stage as one pure-ish function over a batch of raw events.

    raw ─ parse ─┬─ invalid ─────────────────────────────► DLQ + audit
                 └─ detect ─┬─ error/timeout ─────────────► quarantine + audit
                            └─ decide ─┬─ block ──────────► quarantine + audit
                                       └─ redact ─────────► approved + audit

No Kafka here: the agent feeds ``RawEvent``s and sends the returned
``Record``s. Every input yields exactly one routed record plus one audit
record, whatever goes wrong, so nothing is lost and nothing is approved
on an error (fail closed). Outputs are the v2 typed records of
``pipeline.records``; the approved one carries the whole redacted request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import orjson

from pipeline.bus import Record
from pipeline.config import Settings
from pipeline.crypto import KeyRing
from pipeline.errors import DetectionFailure, InvalidEvent
from pipeline.events import Action, Decision, Finding, InboundPrompt
from pipeline.ingest import parse_inbound
from pipeline.ingest.parse import peek_identity
from pipeline.ingest.segments import public_findings
from pipeline.records import (
    ApprovedRequest,
    AuditEvent,
    DeadLetter,
    Identity,
    QuarantinedRequest,
)
from pipeline.route.stages import DetectStage, PolicyStage
from pipeline.tracing import Headers

__all__ = ["ACTOR", "Classifier", "Inspected", "RawEvent", "Routed"]

ACTOR = "classify-worker"


@dataclass(frozen=True, slots=True)
class RawEvent:
    """An inbound Kafka record as the agent saw it."""

    value: bytes | None
    topic: str
    partition: int
    offset: int
    headers: Headers = ()


@dataclass(frozen=True, slots=True)
class Inspected:
    """A batch after parsing and detection, before any decision."""

    batch: tuple[RawEvent, ...]
    parsed: tuple[InboundPrompt | InvalidEvent, ...]
    detected: tuple[list[Finding] | Exception, ...]


@dataclass(frozen=True, slots=True)
class Routed:
    """The outcome for one input: where it went, and the records to send."""

    route: str  # approved | quarantine | dlq
    records: tuple[Record, ...]
    action: str | None = None
    findings: tuple[Finding, ...] = ()
    # dlq: the reason code; quarantine after a failure: a ``DetectionFailure`` (metric label).
    reason: str | None = None


class Classifier:
    """Runs parse → detect → decide → redact for a batch and builds the outputs."""

    def __init__(
        self, settings: Settings, detect: DetectStage, policy: PolicyStage, keys: KeyRing
    ) -> None:
        self._settings = settings
        self._topics = settings.topics
        self._detect = detect
        self._policy = policy
        self._keys = keys

    def classify(self, batch: Sequence[RawEvent]) -> list[Routed]:
        """One ``Routed`` per input, in input order."""
        return self.route(self.inspect(batch))

    def inspect(self, batch: Sequence[RawEvent]) -> Inspected:
        """Parse and detect: the CPU-heavy, thread-safe half (the agent runs it off-loop)."""
        parsed: list[InboundPrompt | InvalidEvent] = []
        for raw in batch:
            try:
                parsed.append(parse_inbound(raw.value, self._settings.max_event_bytes))
            except InvalidEvent as exc:
                parsed.append(exc)
        prompts = [p for p in parsed if isinstance(p, InboundPrompt)]
        return Inspected(tuple(batch), tuple(parsed), tuple(self._detect.detect_many(prompts)))

    def route(self, inspected: Inspected) -> list[Routed]:
        """Decide, redact and build records: the cheap half, run where tables live."""
        results = iter(inspected.detected)
        out: list[Routed] = []
        for raw, item in zip(inspected.batch, inspected.parsed, strict=True):
            if isinstance(item, InvalidEvent):
                out.append(self._dead_letter(raw, item))
                continue
            findings = next(results)
            if isinstance(findings, Exception):
                out.append(self._fail_closed(raw, item, findings))
            else:
                out.append(self._route(raw, item, findings))
        return out

    def fail_batch(self, batch: Sequence[RawEvent], exc: Exception) -> list[Routed]:
        """Quarantine (or dead-letter) a whole batch whose detection could not finish."""
        out: list[Routed] = []
        for raw in batch:
            try:
                prompt = parse_inbound(raw.value, self._settings.max_event_bytes)
            except InvalidEvent as invalid:
                out.append(self._dead_letter(raw, invalid))
            else:
                out.append(self._fail_closed(raw, prompt, exc))
        return out

    def _route(self, raw: RawEvent, prompt: InboundPrompt, findings: list[Finding]) -> Routed:
        try:
            decision = self._policy.decide(prompt, findings)
            if decision.action is Action.BLOCK:
                return self._quarantine(raw, prompt, decision, findings)
            request, pseudonyms = self._policy.redact(prompt, findings, decision)
            findings = public_findings(prompt.units, findings)  # from here on: records
        except Exception as exc:  # a policy bug must not approve anything
            return self._fail_closed(raw, prompt, exc)
        wire = self._stamped(decision)
        value = ApprovedRequest(
            _identity(prompt), request, wire, tuple(findings),
            created_at=prompt.created_at, pseudonyms=pseudonyms,
        )
        return Routed(
            "approved",
            (
                Record(self._topics.approved, prompt.key, value.to_dict(), raw.headers),
                self._audit(raw, prompt, "approved", wire, findings),
            ),
            action=str(decision.action),
            findings=tuple(findings),
        )

    def _quarantine(
        self,
        raw: RawEvent,
        prompt: InboundPrompt,
        decision: Decision,
        findings: Sequence[Finding],
        reason: DetectionFailure | None = None,
    ) -> Routed:
        original = self._keys.encrypt(
            orjson.dumps({"request": _request_of(prompt)}), aad=prompt.id.encode()
        )
        findings = public_findings(prompt.units, findings)  # no key that is a value, spelled out
        wire = self._stamped(decision)
        roles, lengths = _shape(prompt)
        value = QuarantinedRequest(
            _identity(prompt), prompt.model, wire, tuple(findings), original,
            roles, lengths, created_at=prompt.created_at,
        )
        return Routed(
            "quarantine",
            (
                Record(self._topics.quarantine, prompt.key, value.to_dict(), raw.headers),
                self._audit(raw, prompt, "quarantine", wire, findings),
            ),
            action=str(decision.action),
            findings=tuple(findings),
            reason=reason,
        )

    def _fail_closed(self, raw: RawEvent, prompt: InboundPrompt, exc: Exception) -> Routed:
        kind = type(exc).__name__
        decision = Decision(
            Action.BLOCK,
            ("fail-closed.detection-error",),
            (f"detection or policy failed ({kind}); held for review",),
            classification="restricted",
        )
        return self._quarantine(raw, prompt, decision, (), reason=DetectionFailure.of(exc))

    def _dead_letter(self, raw: RawEvent, exc: InvalidEvent) -> Routed:
        size = len(raw.value or b"")
        ident = peek_identity(raw.value) if exc.reason != "too_large" else (None, None)
        payload = (
            self._keys.encrypt(raw.value, aad=f"{raw.topic}/{raw.partition}/{raw.offset}".encode())
            if raw.value
            else None
        )
        value = DeadLetter(
            exc.reason, exc.detail, "classify", (raw.topic, raw.partition, raw.offset),
            size, payload, ident[0], ident[1],
        )
        audit = AuditEvent(
            "dlq", ACTOR, ident[0], ident[1], route="dlq", detail={"reason": exc.reason}
        )
        key = ident[0] or f"{raw.topic}/{raw.partition}/{raw.offset}"
        return Routed(
            "dlq",
            (
                Record(self._topics.dlq, key, value.to_dict(), raw.headers),
                Record(self._topics.audit, key, audit.to_dict(), raw.headers),
            ),
            reason=exc.reason,
        )

    def _stamped(self, decision: Decision) -> Decision:
        """The decision as carried on the wire, stamped with the versions that made it."""
        return replace(
            decision, policy_version=self._policy.version, detector_version=self._detect.version
        )

    def _audit(
        self,
        raw: RawEvent,
        prompt: InboundPrompt,
        route: str,
        decision: Decision,
        findings: Sequence[Finding],
    ) -> Record:
        value = AuditEvent(
            "decision", ACTOR, prompt.id, prompt.tenant, prompt.user, route, decision,
            tuple(findings),
        )
        return Record(self._topics.audit, prompt.key, value.to_dict(), raw.headers)


def _identity(prompt: InboundPrompt) -> Identity:
    return Identity(prompt.id, prompt.tenant, prompt.user, prompt.conversation_id, prompt.app)


def _request_of(prompt: InboundPrompt) -> dict[str, object]:
    """The request as received (a prompt built from bare messages has none: rebuild it)."""
    if prompt.request:
        return dict(prompt.request)
    return {"model": prompt.model, "messages": [
        {"role": m.role, "content": m.content} for m in prompt.messages
    ]}


def _shape(prompt: InboundPrompt) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Role and scannable characters per message: the review queue's clear view of a prompt."""
    messages = _request_of(prompt)["messages"]
    assert isinstance(messages, list)
    lengths = [0] * len(messages)
    for unit in prompt.units:
        index = unit.segments[0].message_index
        if index >= 0:
            lengths[index] += sum(s.end - s.start for s in unit.segments)
    if not prompt.units:
        lengths = [len(m.content) for m in prompt.messages]
    return tuple(str(m.get("role", "")) for m in messages), tuple(lengths)
