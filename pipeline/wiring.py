"""Composition root: the classify stage and the response guard around one ``DlpEngine``.

The engine itself (policy, detectors, HMAC key) is assembled in
``pipeline.engine``; here it is combined with the vault keys and the vault
store. A worker builds one engine and hands it to both roles; ``scan``,
``eval``, ``explain`` and ``rescan`` build the same engine the same way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, MutableMapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import orjson

from pipeline.config import Settings
from pipeline.crypto import Envelope, KeyRing, configured_key_ring
from pipeline.engine import DlpEngine, build_dlp_engine
from pipeline.errors import ConfigError
from pipeline.events import Decision, Finding, InboundPrompt, Message
from pipeline.redact.pseudonyms import PseudonymBook
from pipeline.redact.vault import MappingVaultStore, VaultStore, load_book, save_book, seal_book
from pipeline.route.classify import Classifier
from pipeline.route.stages import EngineDetectStage

if TYPE_CHECKING:
    from pipeline.dispatch.request import DispatchRequest

log = logging.getLogger(__name__)

__all__ = [
    "PolicyGuardSession",
    "PolicyResponseGuard",
    "VaultPolicyStage",
    "build_classifier",
    "build_dlp_engine",
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
    """Kept for callers of the old name; the key is read in one place, ``Settings``."""
    return settings.hmac_secret()


class VaultPolicyStage:
    """The classify stage's decide + redact, with the conversation's pseudonyms in the vault.

    The engine decides and redacts; this adds loading the conversation's pseudonym
    book from the vault and saving it back, so a conversation keeps its placeholders.
    """

    def __init__(self, engine: DlpEngine, keys: KeyRing, vault: VaultStore) -> None:
        self._engine = engine
        self._policy = engine.policy
        self._keys = keys
        self._vault = vault
        self.version = engine.policy.version

    def decide(self, prompt: InboundPrompt, findings: Sequence[Finding]) -> Decision:
        return self._engine.decide(prompt, findings)

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
        request = self._engine.redact_request(prompt, findings, decision, book)
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
    engine: DlpEngine | None = None,
    ephemeral_keys: bool = False,
    vault: MutableMapping[str, dict[str, Any]] | None = None,
) -> Classifier:
    """The classify stage; ``vault`` is the worker's faust table (a dict offline)."""
    engine = engine or build_dlp_engine(settings)
    keys = key_ring(settings, ephemeral=ephemeral_keys)
    store = MappingVaultStore(vault if vault is not None else {})
    return Classifier(
        settings, EngineDetectStage(engine), VaultPolicyStage(engine, keys, store), keys
    )


def explain_raw_event(settings: Settings, raw: bytes, engine: DlpEngine | None = None) -> str:
    """``policy explain``: detect on one event and show each rule's verdict as JSON."""
    rows = (engine or build_dlp_engine(settings)).explain(raw)
    return orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode()


class PolicyResponseGuard:
    """Scans LLM answers with the same engine and policy, then re-identifies where allowed.

    An answer may echo or invent sensitive data: every finding is redacted with
    the conversation's own pseudonym book (so an echoed value gets the placeholder
    it already had), and only then are the placeholder kinds the policy lets this
    tenant/app/destination see restored to their originals.
    """

    def __init__(
        self,
        settings: Settings,
        engine: DlpEngine | None = None,
        clocks: tuple[Callable[[], float], Callable[[], float]] = (time.monotonic,
                                                                   time.process_time),
    ) -> None:
        self._engine = engine or build_dlp_engine(settings)
        self._policy = self._engine.policy
        self._keys = key_ring(settings)
        self.clocks = clocks  # (wall, CPU): tests freeze them instead of the machine

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
        """Findings per text; a scan that timed out while the worker was frozen runs again.

        The LLM has been paid by now: a dispatch worker stopped (SIGSTOP, a paused VM) during the
        scan would otherwise withhold a good answer. A real overrun times out again: fail closed.
        """
        import asyncio

        from pipeline.detect.errors import DetectionTimeout
        from pipeline.detect.starvation import starved

        messages = [Message("assistant", text) for text in texts]
        loop = asyncio.get_running_loop()
        wall_clock, cpu_clock = self._guard.clocks
        wall, cpu = wall_clock(), cpu_clock()
        try:
            found = await loop.run_in_executor(None, self._guard._engine.detect, messages)
        except DetectionTimeout:
            if not starved(wall, cpu, wall_clock, cpu_clock):
                raise
            log.warning("answer scan timed out while the worker was frozen or starved; again")
            found = await loop.run_in_executor(None, self._guard._engine.detect, messages)
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
            engine = self._guard._engine
            decision = engine.decide(prompt, findings)
            [redacted] = engine.redact(
                (message,), findings, decision, self._book, tenant=req.tenant, app=req.app
            )
            text = redacted.content
        return reidentify(text, self._book, self._allowed)


def build_response_guard(
    settings: Settings, engine: DlpEngine | None = None
) -> PolicyResponseGuard:
    return PolicyResponseGuard(settings, engine)
