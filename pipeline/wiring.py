"""Composition root: builds the detect → decide → redact stages from settings.

The only module that knows which concrete classes implement each stage;
the worker, ``scan``, ``eval`` and ``rescan`` all get the very same engine
through here.
"""

from __future__ import annotations

from collections.abc import Collection, MutableMapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import orjson

from pipeline.config import Settings
from pipeline.crypto import Envelope, KeyRing, configured_key_ring
from pipeline.decide.build import load_policy
from pipeline.decide.engine import decide, explain_event
from pipeline.decide.policy import Policy
from pipeline.errors import ConfigError
from pipeline.events import Decision, Finding, InboundPrompt, Message
from pipeline.redact.engine import redact, redact_request
from pipeline.redact.pseudonyms import PseudonymBook
from pipeline.redact.vault import MappingVaultStore, VaultStore, load_book, save_book, seal_book
from pipeline.route.classify import Classifier
from pipeline.route.stages import EngineDetectStage

if TYPE_CHECKING:
    from pipeline.dispatch.request import DispatchRequest

__all__ = [
    "PolicyGuardSession",
    "PolicyResponseGuard",
    "PolicyStage",
    "build_classifier",
    "build_engine",
    "build_response_guard",
    "explain_raw_event",
    "hmac_key",
    "key_ring",
]


def key_ring(settings: Settings, *, ephemeral: bool = False) -> KeyRing:
    """The vault key ring; ``ephemeral`` allows a throwaway one (scan/eval keep nothing)."""
    configured = configured_key_ring(settings)
    if configured is not None:
        return configured
    if ephemeral:
        return KeyRing.parse(KeyRing.generate_spec("ephemeral"))
    raise ConfigError(
        "PROMPT_DLP_VAULT_KEYS",
        "no encryption key configured (set PROMPT_DLP_VAULT_KEYS or PROMPT_DLP_VAULT_KEYS_FILE; "
        "`prompt-dlp keys generate` prints one)",
    )


def hmac_key(settings: Settings) -> bytes | None:
    if settings.hmac_key is not None:
        return settings.hmac_key.get_secret_value().encode()
    if settings.hmac_key_file is not None:
        return settings.hmac_key_file.read_bytes().strip()
    return None


def build_engine(settings: Settings, policy: Policy) -> Any:
    """The detection engine, with the policy's allow/deny lists and fingerprints."""
    from pipeline.detect.engine import DetectionEngine

    return DetectionEngine(settings, policy.custom_terms(hmac_key(settings)))


class PolicyStage:
    """decide + redact with the conversation's pseudonym book from the vault."""

    def __init__(
        self,
        policy: Policy,
        keys: KeyRing,
        vault: VaultStore,
        detector_version: str,
        hmac: bytes | None,
    ) -> None:
        self._policy = policy
        self._keys = keys
        self._vault = vault
        self._detector_version = detector_version
        self._hmac = hmac
        self.version = policy.version

    def decide(self, prompt: InboundPrompt, findings: Sequence[Finding]) -> Decision:
        return decide(prompt, findings, self._policy, detector_version=self._detector_version)

    def redact(
        self, prompt: InboundPrompt, findings: Sequence[Finding], decision: Decision
    ) -> tuple[dict[str, Any], Envelope | None]:
        conversation = prompt.conversation_id
        ident = {"tenant": prompt.tenant, "user": prompt.user}
        book = (
            load_book(self._vault, self._keys, conversation, **ident)
            if conversation
            else PseudonymBook()
        )
        request = redact_request(
            prompt, findings, decision, self._policy, book, hmac_key=self._hmac
        )
        if not len(book):
            return request, None
        scope = conversation or prompt.id
        if conversation:
            save_book(
                self._vault,
                self._keys,
                conversation,
                book,
                **ident,
                ttl_seconds=self._policy.vault_ttl_seconds,
            )
        return request, Envelope.from_dict(seal_book(book, self._keys, scope))


def build_classifier(
    settings: Settings,
    *,
    ephemeral_keys: bool = False,
    vault: MutableMapping[str, dict[str, Any]] | None = None,
) -> Classifier:
    """The classify stage; ``vault`` is the worker's faust table (a dict offline)."""
    policy = load_policy(settings.policy_file)
    keys = key_ring(settings, ephemeral=ephemeral_keys)
    detect = EngineDetectStage(build_engine(settings, policy))
    store = MappingVaultStore(vault if vault is not None else {})
    stage = PolicyStage(policy, keys, store, detect.version, hmac_key(settings))
    return Classifier(settings, detect, stage, keys)


def explain_raw_event(settings: Settings, raw: bytes) -> str:
    """``policy explain``: detect on one event and show each rule's verdict as JSON."""
    from pipeline.ingest import parse_inbound
    from pipeline.ingest.units import locate

    policy = load_policy(settings.policy_file)
    prompt = parse_inbound(raw, settings.max_event_bytes)
    engine = build_engine(settings, policy)
    findings = locate(prompt.units, engine.detect(prompt.messages))
    rows = explain_event(orjson.loads(raw), findings, policy)
    return orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode()


class PolicyResponseGuard:
    """Scans LLM answers with the same engine and policy, then re-identifies where allowed.

    An answer may echo or invent sensitive data: every finding is redacted with
    the conversation's own pseudonym book (so an echoed value gets the placeholder
    it already had), and only then are the placeholder kinds the policy lets this
    tenant/app/destination see restored to their originals.
    """

    def __init__(self, settings: Settings) -> None:
        self._policy = load_policy(settings.policy_file)
        self._engine = build_engine(settings, self._policy)
        self._keys = key_ring(settings)
        self._hmac = hmac_key(settings)

    def session(self, request: DispatchRequest) -> PolicyGuardSession:
        from pipeline.redact.vault import open_book

        book = open_book(request.pseudonyms, self._keys, request.key)
        allowed = self._policy.scoped(request.tenant, request.app, request.destination).reidentify
        return PolicyGuardSession(self, request, book, allowed)


class PolicyGuardSession:
    """One request's guard: its pseudonym book (it grows as the answer is redacted)."""

    def __init__(
        self,
        guard: PolicyResponseGuard,
        request: DispatchRequest,
        book: PseudonymBook,
        allowed: Collection[str] | None,
    ) -> None:
        self._guard = guard
        self._request = request
        self._book = book
        self._allowed = allowed

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        import asyncio

        messages = [Message("assistant", text) for text in texts]
        found = await asyncio.get_running_loop().run_in_executor(
            None, self._guard._engine.detect, messages
        )
        out: list[list[Finding]] = [[] for _ in texts]
        for f in found:
            out[f.message_index].append(replace(f, message_index=0))
        return out

    def render(self, text: str, findings: Sequence[Finding]) -> str:
        from pipeline.redact.reidentify import reidentify

        if findings:
            message = Message("assistant", text)
            req = self._request
            prompt = InboundPrompt(
                id=req.id, tenant=req.tenant, user=req.user, model=req.model,
                messages=(message,), conversation_id=req.conversation_id, app=req.app,
            )
            policy = self._guard._policy
            decision = decide(prompt, findings, policy)
            [redacted] = redact(
                (message,), findings, decision, policy, self._book,
                tenant=req.tenant, app=req.app, hmac_key=self._guard._hmac,
            )
            text = redacted.content
        return reidentify(text, self._book, self._allowed)


def build_response_guard(settings: Settings) -> PolicyResponseGuard:
    return PolicyResponseGuard(settings)
