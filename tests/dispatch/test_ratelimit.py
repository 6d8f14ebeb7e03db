import pytest

from pipeline.dispatch.ratelimit import RateLimiter, TokenBucket, estimate_tokens


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_bucket_refills_at_rate_per_minute() -> None:
    """60/min means one per second once the burst is spent."""
    clock = FakeClock()
    bucket = TokenBucket(60, clock)
    bucket.take(60)
    assert bucket.wait_time(1) == pytest.approx(1.0)
    clock.now = 0.5
    assert bucket.wait_time(1) == pytest.approx(0.5)
    clock.now = 120
    assert bucket.wait_time(60) == 0.0


def test_oversized_request_still_passes_eventually() -> None:
    """A request bigger than a minute's budget waits for a full bucket, not forever."""
    clock = FakeClock()
    bucket = TokenBucket(100, clock)
    bucket.take(100)
    assert bucket.wait_time(10_000) == pytest.approx(60.0)


async def test_requests_per_minute_spaces_calls() -> None:
    """Past the burst, acquire waits for the refill."""
    clock = FakeClock()
    limiter = RateLimiter(requests_per_minute=120, tokens_per_minute=None, clock=clock,
                          sleep=clock.sleep)
    for _ in range(120):
        await limiter.acquire(1)
    assert clock.now == 0.0
    await limiter.acquire(1)
    assert clock.now == pytest.approx(0.5)


async def test_tokens_per_minute_and_settle() -> None:
    """Token use is estimated up front and corrected with reported usage."""
    clock = FakeClock()
    limiter = RateLimiter(None, tokens_per_minute=1000, clock=clock, sleep=clock.sleep)
    await limiter.acquire(800)
    limiter.settle(800, 100)  # only 100 used: 700 back
    await limiter.acquire(900)
    assert clock.now == 0.0
    await limiter.acquire(600)
    assert clock.now == pytest.approx(36.0)  # 600 tokens at 1000/60 per second


def test_estimate_counts_characters_and_completion() -> None:
    assert estimate_tokens([{"role": "user", "content": "x" * 400}], 256) == 100 + 4 + 256
