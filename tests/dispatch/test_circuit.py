from pipeline.dispatch.circuit import CircuitBreaker, CircuitState


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def make(clock: Clock, seen: list[CircuitState] | None = None) -> CircuitBreaker:
    return CircuitBreaker(3, 10.0, clock, seen.append if seen is not None else None)


def test_opens_after_consecutive_failures() -> None:
    """Three failures in a row open it; a success in between resets the count."""
    clock, seen = Clock(), []
    cb = make(clock, seen)
    cb.record_failure(); cb.record_failure(); cb.record_success(); cb.record_failure()  # noqa: E702
    assert cb.state is CircuitState.CLOSED
    cb.record_failure(); cb.record_failure()  # noqa: E702
    assert cb.state is CircuitState.OPEN
    assert not cb.try_acquire()
    assert cb.wait_hint() == 10.0
    assert seen == [CircuitState.CLOSED, CircuitState.OPEN]


def test_half_open_lets_exactly_one_probe_through() -> None:
    """After the open period one caller probes; the rest wait for its verdict."""
    clock = Clock()
    cb = make(clock)
    for _ in range(3):
        cb.record_failure()
    clock.now = 10.0
    assert cb.state is CircuitState.HALF_OPEN
    assert cb.try_acquire()
    assert not cb.try_acquire()
    cb.record_success()
    assert cb.state is CircuitState.CLOSED
    assert cb.try_acquire() and cb.try_acquire()


def test_failed_probe_reopens_for_longer() -> None:
    """A failed probe re-opens the circuit with the open period doubled."""
    clock = Clock()
    cb = make(clock)
    for _ in range(3):
        cb.record_failure()
    clock.now = 10.0
    assert cb.try_acquire()
    cb.record_failure()
    assert cb.state is CircuitState.OPEN
    clock.now = 29.0
    assert cb.state is CircuitState.OPEN
    clock.now = 30.0
    assert cb.state is CircuitState.HALF_OPEN


def test_released_probe_frees_the_slot() -> None:
    """A probe that ends without a verdict (e.g. a 400) lets the next one go."""
    clock = Clock()
    cb = make(clock)
    for _ in range(3):
        cb.record_failure()
    clock.now = 10.0
    assert cb.try_acquire()
    cb.release_probe()
    assert cb.try_acquire()
