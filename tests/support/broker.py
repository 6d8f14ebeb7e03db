"""The real local Kafka broker for tests; the driver lives in ``bench.harness.broker``.

Kept here as an import path for the tests: the benchmarks need the same broker and must
not import from ``tests/``, so the one implementation sits with them.
"""

from bench.harness.broker import REPO, SCRIPT, BrokerError, LocalBroker, SaslInfo

__all__ = ["REPO", "SCRIPT", "BrokerError", "LocalBroker", "SaslInfo"]
