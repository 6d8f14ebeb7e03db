"""Composition root: the classify stage and the response guard around one ``DlpEngine``.

The engine itself (policy, detectors, HMAC key) is assembled in
``pipeline.engine``; here it is combined with the vault keys and the vault
store. A worker builds one engine and hands it to both roles; ``scan``,
``eval``, ``explain`` and ``rescan`` build the same engine the same way.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import Any

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

__all__ = [
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
    ) -> tuple[tuple[Message, ...], Envelope | None]:
        conversation = prompt.conversation_id
        ident = {"tenant": prompt.tenant, "user": prompt.user}
        book = (
            load_book(self._vault, self._keys, conversation, **ident)
            if conversation
            else PseudonymBook()
        )
        messages = self._engine.redact(
            prompt.messages, findings, decision, book, tenant=prompt.tenant, app=prompt.app
        )
        if not len(book):
            return messages, None
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
        return messages, Envelope.from_dict(seal_book(book, self._keys, scope))


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
    """Scans an LLM answer with the same engine and policy, then re-identifies where allowed.

    The answer may echo or invent sensitive data: every finding is redacted
    with the conversation's own pseudonym book (so an echoed value gets the
    placeholder it already had), and only then are the placeholder kinds the
    policy lets this tenant/app see restored to their originals.
    """

    def __init__(self, settings: Settings, engine: DlpEngine | None = None) -> None:
        self._engine = engine or build_dlp_engine(settings)
        self._policy = self._engine.policy
        self._keys = key_ring(settings)

    async def __call__(self, answer: str, approved: dict[str, Any]) -> tuple[str, list[Finding]]:
        import asyncio

        from pipeline.redact.reidentify import reidentify
        from pipeline.redact.vault import open_book

        message = Message("assistant", answer)
        findings = await asyncio.get_running_loop().run_in_executor(
            None, self._engine.detect, [message]
        )
        scope = approved.get("conversation_id") or approved["id"]
        book = open_book(approved.get("pseudonyms"), self._keys, scope)
        prompt = InboundPrompt(
            id=approved["id"],
            tenant=approved["tenant"],
            user=approved["user"],
            model=approved.get("model", ""),
            messages=(message,),
            conversation_id=approved.get("conversation_id"),
            app=approved.get("app"),
        )
        decision = self._engine.decide(prompt, findings)
        [redacted] = self._engine.redact(
            (message,), findings, decision, book, tenant=prompt.tenant, app=prompt.app
        )
        destination = approved.get("decision", {}).get("destination")
        allowed = self._policy.scoped(prompt.tenant, prompt.app, destination).reidentify
        return reidentify(redacted.content, book, allowed), list(findings)


def build_response_guard(
    settings: Settings, engine: DlpEngine | None = None
) -> PolicyResponseGuard:
    return PolicyResponseGuard(settings, engine)
