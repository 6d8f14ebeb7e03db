"""The detect → decide → redact service, assembled once per process from settings.

Every path that judges a prompt or an answer (classify, the response guard,
``scan``, ``policy explain``, ``rescan``, ``eval``) gets its engine from
``build_dlp_engine``, so they all read the same policy, the same HMAC key
(inline or ``_FILE``) and the same detectors; before, each path assembled its
own and ``rescan`` forgot the key file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from pipeline.config import Settings
from pipeline.decide.build import load_policy
from pipeline.decide.engine import decide, explain_event
from pipeline.decide.policy import Policy
from pipeline.errors import ConfigError
from pipeline.events import Decision, Finding, InboundPrompt, Message
from pipeline.redact.engine import redact, redact_request
from pipeline.redact.pseudonyms import PseudonymBook

__all__ = ["MODEL_PINS", "Detector", "DlpEngine", "build_dlp_engine", "require_spacy_model"]

# The hash-pinned model requirement, shipped in the wheel (a copy of requirements/model.txt).
MODEL_PINS = Path(__file__).resolve().parent / "model-requirements.txt"


def require_spacy_model(name: str) -> None:
    """Fail with one line naming the install command when the NER model is missing.

    spaCy itself raises an ``OSError`` with a download hint deep inside engine
    construction; we never download at run time, so say what to install instead.
    """
    from spacy.util import is_package

    if is_package(name) or Path(name).exists():
        return
    raise ConfigError(
        "PROMPT_DLP_SPACY_MODEL",
        f"spaCy model {name!r} is not installed; install it with "
        f"`pip install --no-deps --require-hashes -r {MODEL_PINS}`",
    )


class Detector(Protocol):
    """What the engine needs of detection (``pipeline.detect.engine.DetectionEngine``)."""

    version: str

    def detect(self, messages: Sequence[Message]) -> list[Finding]: ...

    def detect_batch(self, prompts: Sequence[Sequence[Message]]) -> list[list[Finding]]: ...


class DlpEngine:
    """One policy, one detector, one HMAC key: the verdict on any list of messages."""

    def __init__(
        self,
        settings: Settings,
        policy: Policy,
        detector: Detector,
        hmac_key: bytes | None,
    ) -> None:
        self.settings = settings
        self.policy = policy
        self.detector = detector
        self.hmac_key = hmac_key
        self.version: str = detector.version

    def preload(self) -> None:
        """Load every model now, so no prompt waits for one (a detector without any: no-op)."""
        load = getattr(self.detector, "preload", None)
        if callable(load):
            load()

    def detect(self, messages: Sequence[Message]) -> list[Finding]:
        return self.detector.detect(messages)

    def detect_batch(self, prompts: Sequence[Sequence[Message]]) -> list[list[Finding]]:
        return self.detector.detect_batch(prompts)

    def decide(self, prompt: InboundPrompt, findings: Sequence[Finding]) -> Decision:
        return decide(prompt, findings, self.policy, detector_version=self.version)

    def redact(
        self,
        messages: Sequence[Message],
        findings: Sequence[Finding],
        decision: Decision,
        book: PseudonymBook,
        *,
        tenant: str,
        app: str | None,
    ) -> tuple[Message, ...]:
        """The messages as they may be sent, placeholders recorded in ``book``."""
        return tuple(
            redact(
                messages,
                findings,
                decision,
                self.policy,
                book,
                tenant=tenant,
                app=app,
                hmac_key=self.hmac_key,
            )
        )

    def redact_request(
        self,
        prompt: InboundPrompt,
        findings: Sequence[Finding],
        decision: Decision,
        book: PseudonymBook,
    ) -> dict[str, Any]:
        """The whole request as it may be sent: every text redacted in place (by JSON path)."""
        return redact_request(prompt, findings, decision, self.policy, book, hmac_key=self.hmac_key)

    def explain(self, raw: bytes) -> dict[str, Any]:
        """``policy explain``: the decision and each rule's verdict on one raw event."""
        import orjson

        from pipeline.ingest import parse_inbound
        from pipeline.ingest.units import locate

        prompt = parse_inbound(raw, self.settings.max_event_bytes)
        findings = locate(prompt.units, self.detect(prompt.messages))
        return explain_event(orjson.loads(raw), findings, self.policy)


def build_dlp_engine(settings: Settings) -> DlpEngine:
    """Load the policy and the detectors (a bad policy or a missing model stops here)."""
    policy = load_policy(settings.policy_file)
    key = settings.hmac_secret()
    require_spacy_model(settings.spacy_model)
    from pipeline.detect.engine import DetectionEngine

    detector = DetectionEngine(settings, policy.custom_terms(key))
    return DlpEngine(settings, policy, detector, key)
