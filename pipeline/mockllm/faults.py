"""Which fault, if any, a request gets: the admin-set fault, or a marker in the prompt.

Admin: ``POST /admin/faults`` ``{"mode": "rate_limit", "count": 3, "retry_after": 1}``;
modes rate_limit, server_error (``status`` 500|502|503), hang (``seconds``), reset,
truncated, outage (503 until cleared with ``{"mode": "none"}``). ``count`` omitted
means one request, except for outage.

Marker: ``[[fault:KIND]]`` or ``[[fault:KINDxN]]`` in any message faults the first
N attempts of that prompt id (every attempt without ``xN``). KIND is an HTTP status
(400, 429, 500, 503, ...) or hang, reset, truncated, midstream (the model is called and
billed, then the connection drops halfway through the stream or before the JSON).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

__all__ = ["MODES", "Fault", "FaultBook"]

MODES = ("rate_limit", "server_error", "hang", "reset", "truncated", "outage")
_MARKER = re.compile(r"\[\[fault:([a-z0-9_]+?)(?:x(\d+))?\]\]")
_KIND_TO_MODE = {
    "hang": "hang", "reset": "reset", "truncated": "truncated", "midstream": "midstream",
}


@dataclass(frozen=True)
class Fault:
    """What to do instead of answering."""

    mode: str  # one of MODES, or "status" for a plain HTTP error
    status: int = 503
    retry_after: float | None = None
    seconds: float = 0.0


class FaultBook:
    """The active admin fault and per-prompt marker attempts."""

    def __init__(self, default_retry_after: float, hang_seconds: float) -> None:
        self._retry_after = default_retry_after
        self._hang = hang_seconds
        self._active: Fault | None = None
        self._remaining: int | None = None
        self._attempts: Counter[str] = Counter()

    def set(self, spec: dict[str, Any]) -> None:
        """Install an admin fault; ``{"mode": "none"}`` clears it."""
        mode = str(spec.get("mode", "none"))
        if mode in ("none", "clear", ""):
            self._active, self._remaining = None, None
            return
        if mode not in MODES:
            raise ValueError(f"unknown fault mode {mode!r}")
        status = {"rate_limit": 429, "outage": 503}.get(mode, int(spec.get("status", 503)))
        retry_after = spec.get("retry_after")
        if retry_after is None and mode in ("rate_limit", "outage"):
            retry_after = self._retry_after
        self._active = Fault(
            mode, status, None if retry_after is None else float(retry_after),
            float(spec.get("seconds", self._hang)),
        )
        count = spec.get("count")
        self._remaining = None if (count is None and mode == "outage") else int(count or 1)

    def describe(self) -> dict[str, Any]:
        if self._active is None:
            return {"mode": "none"}
        return {"mode": self._active.mode, "status": self._active.status,
                "remaining": self._remaining}

    def take(self, prompt_id: str, text: str) -> Fault | None:
        """Return the fault for this request, consuming one admin count or one marker attempt."""
        if self._active is not None:
            fault = self._active
            if self._remaining is not None:
                self._remaining -= 1
                if self._remaining <= 0:
                    self._active, self._remaining = None, None
            return fault
        match = _MARKER.search(text)
        if match is None:
            return None
        kind, times = match.group(1), match.group(2)
        self._attempts[prompt_id] += 1
        if times is not None and self._attempts[prompt_id] > int(times):
            return None
        if kind in _KIND_TO_MODE:
            return Fault(_KIND_TO_MODE[kind], seconds=self._hang)
        if not kind.isdigit():
            return None
        status = int(kind)
        retry_after = self._retry_after if status in (429, 503) else None
        return Fault("status", status, retry_after)
