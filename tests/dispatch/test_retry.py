from datetime import UTC, datetime

import pytest

from pipeline.dispatch.retry import RetryPolicy, parse_retry_after

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
        ({"Retry-After": "Thu, 01 Jan 2026 12:00:05 GMT"}, 5.0),
        ({"Retry-After": "Thu, 01 Jan 2026 11:00:00 GMT"}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "-1"}, None),
        ({"retry-after-ms": "x", "Retry-After": "2"}, 2.0),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    """Seconds, milliseconds (preferred) and HTTP-dates parse; junk is ignored."""
    assert parse_retry_after(headers, NOW) == expected


def test_backoff_is_full_jitter_under_an_exponential_cap() -> None:
    """Delay is rand * min(cap, base * 2**(n-1))."""
    policy = RetryPolicy(base=0.5, cap=4.0, rand=lambda: 1.0)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5, 10)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert RetryPolicy(base=0.5, cap=4.0, rand=lambda: 0.0).delay(7) == 0.0


def test_server_hint_wins_and_is_capped() -> None:
    """Retry-After is honoured (never shortened), plus jitter; absurd hints are capped."""
    policy = RetryPolicy(base=0.5, cap=4.0, max_retry_after=60, rand=lambda: 0.5)
    assert policy.delay(1, retry_after=10) == 10.25
    assert policy.delay(1, retry_after=3600) == 60.25
