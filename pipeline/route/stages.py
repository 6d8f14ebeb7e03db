"""Adapters between the classify stage and the detect / decide / redact packages.

They hold the fail-closed rules in one place: detection of a batch that
raises is retried event by event so one poisonous prompt cannot take its
neighbours down, and any per-event failure is returned as the exception
(which the classifier turns into a quarantine), never as "no findings".
The engine scans the request's text units; its findings come back located
on request paths (``pipeline.ingest.units.locate``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from pipeline.crypto import Envelope
from pipeline.events import Decision, Finding, InboundPrompt, Message
from pipeline.ingest.units import locate

__all__ = ["DetectStage", "EngineDetectStage", "PolicyStage"]


class DetectStage(Protocol):
    version: str

    def detect_many(self, prompts: Sequence[InboundPrompt]) -> list[list[Finding] | Exception]: ...


class PolicyStage(Protocol):
    version: str

    def decide(self, prompt: InboundPrompt, findings: Sequence[Finding]) -> Decision: ...

    def redact(
        self, prompt: InboundPrompt, findings: Sequence[Finding], decision: Decision
    ) -> tuple[dict[str, Any], Envelope | None]:
        """The request as it will be sent (redacted in place) and the sealed pseudonyms."""
        ...


class _Engine(Protocol):
    version: str

    def detect(self, messages: Sequence[Message]) -> list[Finding]: ...

    def detect_batch(self, prompts: Sequence[Sequence[Message]]) -> list[list[Finding]]: ...


class EngineDetectStage:
    """Batch detection with per-event isolation on failure."""

    def __init__(self, engine: _Engine) -> None:
        self._engine = engine
        self.version = engine.version

    def detect_many(self, prompts: Sequence[InboundPrompt]) -> list[list[Finding] | Exception]:
        if not prompts:
            return []
        try:
            found = self._engine.detect_batch([p.messages for p in prompts])
            return [self._locate(p, f) for p, f in zip(prompts, found, strict=True)]
        except Exception:  # isolate the culprit(s) below
            pass
        out: list[list[Finding] | Exception] = []
        for prompt in prompts:
            try:
                out.append(self._locate(prompt, self._engine.detect(prompt.messages)))
            except Exception as exc:
                out.append(exc)
        return out

    @staticmethod
    def _locate(prompt: InboundPrompt, findings: Sequence[Finding]) -> list[Finding]:
        return locate(prompt.units, findings)
