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


class Reevaluator(Protocol):
    async def __call__(self, item: QuarantineItem, messages: Sequence[Message]) -> Verdict: ...


class PolicyReevaluator:
    """The classify worker's engine (``pipeline.engine``): same policy, detectors and keys."""

    def __init__(self, settings: Settings, engine: DlpEngine | None = None) -> None:
        from pipeline.engine import build_dlp_engine

        self._engine = engine or build_dlp_engine(settings)

    async def __call__(self, item: QuarantineItem, messages: Sequence[Message]) -> Verdict:
        from pipeline.redact import PseudonymBook

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
