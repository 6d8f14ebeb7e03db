"""Calling one destination until it answers: limits, circuit breaker, retries.

Retryable failures (429, 408/409, 5xx, timeouts, resets) are retried without
limit by default: while a destination is down the prompt waits, unacknowledged,
instead of being dropped; the breaker keeps that wait cheap. A permanent 4xx, a
reply that stays malformed for ``malformed_attempts`` tries, or (when
``retry_budget_seconds`` is set, e.g. behind the gateway, whose caller waits) a
retryable failure whose next retry would pass the budget ends in a
``PermanentDispatchError`` (→ DLQ) carrying the last status and Retry-After; so
does waiting on an open circuit past the budget (``circuit_open``). Every call
reuses the prompt id as its idempotency key, so a retry of a call that did reach
the model is not billed twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pipeline.config.dispatch import DispatchSettings
from pipeline.dispatch.circuit import CircuitBreaker, CircuitState
from pipeline.dispatch.client import ChatClient, Completion, MalformedReply, error_label
from pipeline.dispatch.ratelimit import RateLimiter, estimate_tokens
from pipeline.dispatch.retry import RetryPolicy
from pipeline.dispatch.streaming import StreamRelay
from pipeline.errors import PermanentDispatchError, RetryableDispatchError
from pipeline.metrics import Metrics

__all__ = ["Lane"]

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]
_CIRCUIT_POLL_SECONDS = 0.25


class Lane:
    """Everything between the dispatcher and one destination's HTTP endpoint."""

    def __init__(
        self,
        client: ChatClient,
        settings: DispatchSettings,
        metrics: Metrics,
        concurrency: asyncio.Semaphore,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.name = client.name
        self.client = client
        self._settings = settings
        self._metrics = metrics
        self._concurrency = concurrency
        self._sleep = sleep
        self._clock = clock
        dest = client.dest
        self.limiter = RateLimiter(dest.requests_per_minute, dest.tokens_per_minute, clock, sleep)
        gauge = metrics.circuit_state.labels(self.name)
        self.breaker = CircuitBreaker(
            settings.circuit_failures, settings.circuit_open_seconds, clock, self._on_circuit(gauge)
        )
        self.policy = policy or RetryPolicy(
            settings.backoff_base_seconds,
            settings.backoff_cap_seconds,
            settings.max_retry_after_seconds,
        )

    def _on_circuit(self, gauge: Any) -> Callable[[CircuitState], None]:
        def report(state: CircuitState) -> None:
            gauge.set(int(state))
            if state is not CircuitState.CLOSED:
                log.warning("destination %s circuit %s", self.name, state.name.lower())

        return report

    async def call(
        self,
        body: dict[str, Any],
        prompt_id: str,
        idempotency_key: str | None,
        relay: StreamRelay | None = None,
    ) -> Completion:
        """Return the completion, or raise PermanentDispatchError (reason in the message).

        With a ``relay`` the call streams; each attempt restarts the relay (which
        re-sends nothing already sent) and the completion is the relay's assembly.
        """
        expected = self._settings.completion_tokens_estimate * max(1, int(body.get("n") or 1))
        tokens = estimate_tokens(body["messages"], expected)
        attempt = 0
        malformed = 0
        first_try = self._clock()
        while True:
            attempt += 1
            await self._wait_for_circuit(first_try)
            await self.limiter.acquire(tokens)
            try:
                completion = await self._once(body, prompt_id, idempotency_key, relay)
            except MalformedReply as exc:
                self.breaker.release_probe()
                malformed += 1
                if malformed >= self._settings.malformed_attempts:
                    raise PermanentDispatchError(str(exc)) from None
                delay = self.policy.delay(attempt)
            except RetryableDispatchError as exc:
                self.breaker.record_failure()
                delay = self.policy.delay(attempt, exc.retry_after)
                self._check_budget(first_try, delay, exc)
            except BaseException:  # permanent, cancelled, or a bug: no verdict on the endpoint
                self.breaker.release_probe()
                raise
            else:
                self.breaker.record_success()
                self.limiter.settle(tokens, completion.total_tokens)
                return completion
            self._metrics.dispatch_retries.labels(self.name).inc()
            await self._sleep(delay)

    def _check_budget(self, first_try: float, delay: float, exc: RetryableDispatchError) -> None:
        """Raise the last failure as permanent once the next retry would overrun the budget."""
        budget = self._settings.retry_budget_seconds
        if budget is not None and self._clock() - first_try + delay > budget:
            raise PermanentDispatchError(str(exc), retry_after=exc.retry_after) from None

    async def _wait_for_circuit(self, first_try: float) -> None:
        budget = self._settings.retry_budget_seconds
        while not self.breaker.try_acquire():
            hint = self.breaker.wait_hint()
            if budget is not None and self._clock() - first_try + hint > budget:
                raise PermanentDispatchError("circuit_open", retry_after=hint)
            await self._sleep(min(_CIRCUIT_POLL_SECONDS, self.breaker.wait_hint()) or 0.05)

    async def _once(
        self,
        body: dict[str, Any],
        prompt_id: str,
        key: str | None,
        relay: StreamRelay | None,
    ) -> Completion:
        started = time.monotonic()
        async with self._concurrency:
            try:
                if relay is None:
                    completion = await self.client.complete(body, prompt_id, key)
                else:
                    relay.restart()
                    async for chunk in self.client.stream(body, prompt_id, key):
                        await relay.feed(chunk)
                    completion = await relay.finish(time.monotonic() - started)
            except Exception as exc:
                self._metrics.dispatch_requests.labels(self.name, error_label(exc)).inc()
                raise
            finally:
                self._metrics.dispatch_seconds.labels(self.name).observe(time.monotonic() - started)
        self._metrics.dispatch_requests.labels(self.name, "2xx").inc()
        self._metrics.tokens.labels(self.name, "prompt").inc(completion.prompt_tokens or 0)
        self._metrics.tokens.labels(self.name, "completion").inc(completion.completion_tokens or 0)
        return completion
