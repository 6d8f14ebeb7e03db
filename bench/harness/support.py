"""Small process and topic helpers shared by the benchmarks and the tests (tests import these)."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Callable

from pipeline.config import TopicNames

__all__ = ["free_port", "unique_topics", "wait_until"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def unique_topics() -> TopicNames:
    """Topic names no other run uses, so runs never see each other's records."""
    tag = uuid.uuid4().hex[:8]
    return TopicNames(
        **{name: f"t{tag}.{default}" for name, default in TopicNames().model_dump().items()}
    )
