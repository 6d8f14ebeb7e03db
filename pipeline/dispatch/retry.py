"""When to try an LLM call again: exponential backoff with full jitter, or the server's hint.

Full jitter (``uniform(0, min(cap, base * 2**attempt))``) spreads retries of many
workers so a recovering endpoint is not hit in lock-step. A ``Retry-After`` /
``retry-after-ms`` from a 429/503 wins: the server knows when it will have room.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["RetryPolicy", "parse_retry_after"]


def parse_retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms``, ``Retry-After`` seconds or HTTP-date; else None."""
    lowered = {k.lower(): v for k, v in headers.items()}
    ms = lowered.get("retry-after-ms")
    if ms is not None:
        try:
            value = float(ms) / 1000.0
        except ValueError:
            value = -1.0
        if value >= 0:
            return value
    raw = lowered.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
        return max(0.0, seconds)
    return seconds if seconds >= 0 else None


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff delays; ``rand`` is injectable so tests are deterministic."""

    base: float = 0.5
    cap: float = 30.0
    max_retry_after: float = 300.0
    rand: Callable[[], float] = field(default=random.random, compare=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to sleep before retry number ``attempt`` (1 = first retry)."""
        if retry_after is not None:
            # Honour the hint, plus a little jitter so waiters do not return together.
            return min(retry_after, self.max_retry_after) + self.rand() * self.base
        ceiling = min(self.cap, self.base * 2 ** max(0, attempt - 1))
        return float(self.rand() * ceiling)
