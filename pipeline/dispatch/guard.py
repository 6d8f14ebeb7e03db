"""The hook that scans an LLM answer before the requester sees it.

Answers can leak data too (echoed secrets, re-identified pseudonyms), so the
same detection engine and policy apply on the way back. The worker's entry
point injects the real guard (detect → redact → re-identify placeholders where
policy allows); this module only fixes the shape and a no-op for tests.
"""

from __future__ import annotations

from typing import Any, Protocol

from pipeline.events import Finding

__all__ = ["ResponseGuard", "identity_guard"]


class ResponseGuard(Protocol):
    """Return the answer as it may be delivered, and what was found in it."""

    async def __call__(
        self, answer: str, approved: dict[str, Any]
    ) -> tuple[str, list[Finding]]: ...


async def identity_guard(answer: str, approved: dict[str, Any]) -> tuple[str, list[Finding]]:
    """Deliver the answer unchanged; for tests and for deployments without a policy."""
    return answer, []
