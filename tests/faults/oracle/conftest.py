"""The oracle suite's own broker: scenarios restart it, which would disturb the session one."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.broker import LocalBroker

PORT = int(os.environ.get("PROMPT_DLP_ORACLE_KAFKA_PORT", "19720"))


@pytest.fixture(scope="module")
def oracle_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    broker = LocalBroker(PORT, tmp_path_factory.mktemp("oracle-kafka"), start_timeout=240)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()
