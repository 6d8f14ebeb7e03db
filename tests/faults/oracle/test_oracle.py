"""Every oracle scenario once (``make soak`` repeats them): the pipeline as processes, judged
from the output topics, ``__consumer_offsets`` and the mock LLM's bill.

The seed is printed and in the failure message; ``PROMPT_DLP_FAULT_SEED=<seed>`` replays it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.oracle.harness import fault_seed, run_scenario
from tests.faults.oracle.scenarios import SCENARIOS
from tests.support.broker import LocalBroker

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_scenario_loses_nothing_and_bills_once(
    name: str, oracle_broker: LocalBroker, tmp_path: Path
) -> None:
    spec = SCENARIOS[name]
    result = await run_scenario(
        name, spec.run, oracle_broker, tmp_path, fault_seed(), events=spec.events
    )
    assert result.verdict.ok, result.failure()
