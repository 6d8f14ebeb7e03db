"""Per-destination rate limits: requests/min and tokens/min token buckets.

Providers enforce both limits; staying under them avoids 429s instead of
reacting to them. Token use is estimated before the call (prompt characters / 4
plus an expected completion) and corrected with the reported usage afterwards;
a bucket may go negative, which simply delays the next callers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

__all__ = ["RateLimiter", "TokenBucket", "estimate_tokens"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
_CHARS_PER_TOKEN = 4


def estimate_tokens(messages: Sequence[Mapping[str, Any]], completion_estimate: int) -> int:
    """Estimate cheaply (upper-ish) of the tokens a call will consume.

    Every text of a message counts: string or parts content, tool-call arguments.
    """
    chars = sum(_chars(m.get("content")) for m in messages)
    for m in messages:
        for call in m.get("tool_calls") or ():
            if not isinstance(call, dict):
                continue
            fn = call.get("function") or call.get("custom") or {}
            chars += len(str(fn.get("arguments") or fn.get("input") or ""))
    return chars // _CHARS_PER_TOKEN + 4 * len(messages) + completion_estimate


def _chars(content: Any) -> int:
    if isinstance(content, str):
        return len(content)
    if isinstance(content, list):
        return sum(len(str(p.get("text") or "")) for p in content if isinstance(p, dict))
    return 0


class TokenBucket:
    """``rate_per_minute`` tokens refill continuously up to a burst of one minute's worth."""

    def __init__(self, rate_per_minute: float, clock: Clock = time.monotonic) -> None:
        self.capacity = rate_per_minute
        self._rate = rate_per_minute / 60.0
        self._clock = clock
        self._level = rate_per_minute
        self._stamp = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._level = min(self.capacity, self._level + (now - self._stamp) * self._rate)
        self._stamp = now

    def wait_time(self, amount: float) -> float:
        """Seconds until ``amount`` is available (0 if it is now); never below zero."""
        self._refill()
        amount = min(amount, self.capacity)  # one oversized request must still pass, eventually
        return max(0.0, (amount - self._level) / self._rate)

    def take(self, amount: float) -> None:
        self._refill()
        self._level -= amount

    def give_back(self, amount: float) -> None:
        """Correct an estimate (negative ``amount`` charges more)."""
        self._refill()
        self._level = min(self.capacity, self._level + amount)


class RateLimiter:
    """Both buckets of one destination; ``acquire`` waits until a call fits."""

    def __init__(
        self,
        requests_per_minute: float | None,
        tokens_per_minute: float | None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._requests = TokenBucket(requests_per_minute, clock) if requests_per_minute else None
        self._tokens = TokenBucket(tokens_per_minute, clock) if tokens_per_minute else None
        self._sleep = sleep
        self._lock = asyncio.Lock()

    def wait_time(self, tokens: int) -> float:
        waits = [0.0]
        if self._requests is not None:
            waits.append(self._requests.wait_time(1))
        if self._tokens is not None:
            waits.append(self._tokens.wait_time(tokens))
        return max(waits)

    async def acquire(self, tokens: int) -> None:
        """Wait (first come, first served) until one request of ``tokens`` fits, then take it."""
        async with self._lock:
            while (wait := self.wait_time(tokens)) > 0:
                await self._sleep(wait)
            if self._requests is not None:
                self._requests.take(1)
            if self._tokens is not None:
                self._tokens.take(tokens)

    def settle(self, estimated: int, actual: int | None) -> None:
        """Replace the estimate with the usage the server reported."""
        if self._tokens is not None and actual is not None:
            self._tokens.give_back(estimated - actual)
