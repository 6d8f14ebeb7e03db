"""The one place the quarantine couples to detect, decide and redact: re-judging a held prompt.

``rescan`` asks a ``Reevaluator`` for a ``Verdict`` on the decrypted messages
under the policy and detectors configured now. Tests inject their own
reevaluator; ``PolicyReevaluator`` is the real one. A redacted release here uses
a fresh pseudonym book: its placeholders are not kept in the vault, so the
answer to such a prompt is not re-identified.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pipeline.config import Settings
from pipeline.engine import DlpEngine
from pipeline.events import Action, Finding, InboundPrompt, Message
from pipeline.quarantine.model import QuarantineItem

__all__ = ["PolicyReevaluator", "Reevaluator", "Verdict"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the current policy says: blocked still, or the messages to send and how."""

    blocked: bool
    decision: dict[str, Any]
    findings: list[dict[str, Any]] = field(default_factory=list)
    messages: tuple[Message, ...] = ()
    mode: str = "original"
    request: dict[str, Any] | None = None  # a v2 original: the whole request to release


class Reevaluator(Protocol):
    async def __call__(self, item: QuarantineItem, messages: Sequence[Message]) -> Verdict: ...


class PolicyReevaluator:
    """The classify worker's engine (``pipeline.engine``): same policy, detectors and keys."""

    def __init__(self, settings: Settings, engine: DlpEngine | None = None) -> None:
        from pipeline.engine import build_dlp_engine

        self._engine = engine or build_dlp_engine(settings)

    async def __call__(self, item: QuarantineItem, messages: Sequence[Message]) -> Verdict:
        from pipeline.redact import PseudonymBook

        request = getattr(messages, "request", None)
        if request is not None:
            return self._judge_request(item, request, tuple(messages))
        rec = item.record
        prompt = InboundPrompt(
            id=item.id, tenant=rec["tenant"], user=rec["user"], model=rec["model"],
            messages=tuple(messages), conversation_id=rec.get("conversation_id"),
            app=rec.get("app"), created_at=rec.get("created_at"),
        )
        findings: list[Finding] = self._engine.detect(list(messages))
        decision = self._engine.decide(prompt, findings)
        wire = [f.to_dict() for f in findings]
        if decision.action is Action.BLOCK:
            return Verdict(True, decision.to_dict(), wire)
        if decision.action is Action.REDACT:
            sent = self._engine.redact(messages, findings, decision, PseudonymBook(),
                                       tenant=prompt.tenant, app=prompt.app)
            return Verdict(False, decision.to_dict(), wire, tuple(sent), "redacted")
        return Verdict(False, decision.to_dict(), wire, tuple(messages), "original")

    def _judge_request(
        self, item: QuarantineItem, request: dict[str, Any], messages: tuple[Message, ...]
    ) -> Verdict:
        """A v2 original: the whole request judged as classify would (attachments included)."""
        from pipeline.ingest.parse import inbound_from_dict
        from pipeline.ingest.segments import public_findings
        from pipeline.ingest.units import locate
        from pipeline.redact import PseudonymBook

        keys = ("id", "tenant", "user", "conversation_id", "app", "created_at")
        event = {k: item.record[k] for k in keys if item.record.get(k) is not None}
        prompt = inbound_from_dict({**event, "request": request})
        findings = locate(prompt.units, self._engine.detect(list(prompt.messages)))
        decision = self._engine.decide(prompt, findings)
        wire = [f.to_dict() for f in public_findings(prompt.units, findings)]
        if decision.action is Action.BLOCK:
            return Verdict(True, decision.to_dict(), wire)
        sent = self._engine.redact_request(prompt, findings, decision, PseudonymBook())
        mode = "redacted" if decision.action is Action.REDACT else "original"
        return Verdict(False, decision.to_dict(), wire, messages, mode, request=sent)
