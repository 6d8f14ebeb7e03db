"""A circuit breaker per destination: stop calling an endpoint that keeps failing.

closed → (``failures`` consecutive retryable failures) → open → (``open_seconds``)
→ half-open: exactly one probe call is let through; success closes the circuit,
failure re-opens it with the open period doubled (capped). While open, callers
wait rather than fail, so prompts stay unacknowledged in Kafka instead of being
dropped, and a recovered endpoint sees one probe, not a stampede.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import IntEnum

__all__ = ["CircuitBreaker", "CircuitState"]

Clock = Callable[[], float]
_MAX_OPEN_FACTOR = 8


class CircuitState(IntEnum):
    """Values are those of the ``prompt_dlp_circuit_state`` gauge."""

    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


class CircuitBreaker:
    """State machine only; the caller sleeps. ``on_change`` reports every transition."""

    def __init__(
        self,
        failures: int,
        open_seconds: float,
        clock: Clock = time.monotonic,
        on_change: Callable[[CircuitState], None] | None = None,
    ) -> None:
        self._threshold = failures
        self._base_open = open_seconds
        self._open_for = open_seconds
        self._clock = clock
        self._on_change = on_change
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_out = False
        self._report()

    @property
    def state(self) -> CircuitState:
        """The current state, moving open → half-open once the open period has passed."""
        if self._state is CircuitState.OPEN and self._clock() - self._opened_at >= self._open_for:
            self._set(CircuitState.HALF_OPEN)
            self._probe_out = False
        return self._state

    def try_acquire(self) -> bool:
        """May a call go out now? In half-open only the single probe may."""
        state = self.state
        if state is CircuitState.CLOSED:
            return True
        if state is CircuitState.HALF_OPEN and not self._probe_out:
            self._probe_out = True
            return True
        return False

    def wait_hint(self) -> float:
        """Seconds until asking again is worthwhile."""
        if self.state is CircuitState.OPEN:
            return max(0.0, self._opened_at + self._open_for - self._clock())
        return 0.0

    def record_success(self) -> None:
        self._failures = 0
        self._probe_out = False
        self._open_for = self._base_open
        if self._state is not CircuitState.CLOSED:
            self._set(CircuitState.CLOSED)

    def record_failure(self) -> None:
        """Count a retryable failure (429/5xx/timeout/connection)."""
        if self._state is CircuitState.HALF_OPEN:
            self._open_for = min(self._open_for * 2, self._base_open * _MAX_OPEN_FACTOR)
            self._open()
            return
        self._failures += 1
        if self._state is CircuitState.CLOSED and self._failures >= self._threshold:
            self._open()

    def release_probe(self) -> None:
        """Free the probe slot: the call said nothing about the endpoint (e.g. a 400)."""
        self._probe_out = False

    def _open(self) -> None:
        self._opened_at = self._clock()
        self._probe_out = False
        self._set(CircuitState.OPEN)

    def _set(self, state: CircuitState) -> None:
        self._state = state
        self._report()

    def _report(self) -> None:
        if self._on_change is not None:
            self._on_change(self._state)
