"""The hook that scans an LLM answer before the requester sees it.

Answers can leak data too (echoed secrets, values invented or pulled from tool
results, re-identified pseudonyms), so the same detection engine and policy apply
on the way back. The worker's entry point injects the real guard (detect → redact
→ re-identify placeholders where policy allows, ``pipeline.wiring``); this module
fixes the shape and a pass-through for tests.

The guard works on plain texts; walking a completion or a stream to find them is
``answer.py``/``streaming.py``'s job. It is split in two so a stream can scan a
window with its context (``detect``) and then render only the part it releases
(``render``): one session per request keeps the conversation's pseudonym book,
so a value gets the same placeholder in every chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from pipeline.events import Finding

if TYPE_CHECKING:
    from pipeline.dispatch.request import DispatchRequest

__all__ = ["GuardSession", "ResponseGuard", "identity_guard"]


class GuardSession(Protocol):
    """The guard bound to one request."""

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        """Findings per text (offsets in that text; ``message_index`` is not meaningful)."""
        ...

    def render(self, text: str, findings: Sequence[Finding]) -> str:
        """``text`` as it may be delivered: findings redacted per policy, then re-identified."""
        ...


class ResponseGuard(Protocol):
    """Opens a session per request."""

    def session(self, request: DispatchRequest) -> GuardSession: ...


class _PassThrough:
    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        return [[] for _ in texts]

    def render(self, text: str, findings: Sequence[Finding]) -> str:
        return text


class IdentityGuard:
    """Deliver answers unchanged; for tests and for deployments without a policy."""

    def session(self, request: DispatchRequest) -> GuardSession:
        return _PassThrough()


identity_guard = IdentityGuard()
