"""A worker SIGKILLed mid-request: every caller gets exactly one answer, its own, or a clear 504.

Its own stack (the kill must not disturb other tests). The mock answers slowly,
so requests are inside the LLM call when the worker dies; a fresh worker takes
over the partitions and the pipeline's at-least-once redelivery produces the
replies (duplicates are dropped by the gateway: first final record wins).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from tests.gateway.support import Stack, http
from tests.integration.workers import wait_until

pytestmark = pytest.mark.integration

SEED = int(os.environ.get("PROMPT_DLP_TEST_SEED", random.randrange(1 << 30)))
REQUESTS = 40


@pytest.fixture
def stack(kafka_broker: Any, vault_keys: str, tmp_path: Any) -> Iterator[Stack]:
    print(f"seed {SEED} (PROMPT_DLP_TEST_SEED)")
    gateway_env = {"PROMPT_DLP_GATEWAY__REPLY_TIMEOUT_SECONDS": "60"}
    with Stack(kafka_broker.bootstrap, vault_keys, tmp_path, mock_latency_ms=1500,
               gateway_env=gateway_env) as running:
        running.start(workers=1, gateways=2)
        yield running


def test_worker_killed_mid_request(stack: Stack) -> None:
    def llm_busy() -> bool:
        return int(json.loads(http(f"{stack.mock_url}/admin/stats")[2])["in_flight"]) > 0

    async def run() -> list[tuple[int, int, str]]:
        clients = [
            openai.AsyncOpenAI(base_url=f"{url}/v1", api_key=stack.callers[0].key,
                               max_retries=0, timeout=120)
            for _, url in stack.gateways
        ]

        async def call(i: int) -> tuple[int, int, str]:
            try:
                reply = await clients[i % 2].chat.completions.create(
                    model="gpt-4o-mini", messages=[
                        {"role": "user", "content": f"[[echo]] killed run {SEED} caller {i}"}]
                )
            except openai.APIStatusError as exc:
                body = exc.body if isinstance(exc.body, dict) else {}
                return i, exc.status_code, str(body.get("code"))
            return i, 200, reply.choices[0].message.content or ""

        tasks = [asyncio.create_task(call(i)) for i in range(REQUESTS)]
        await asyncio.to_thread(wait_until, llm_busy, 60, "LLM calls in flight")
        stack.workers[0].crash()  # the supervisor and both role processes
        stack.start_worker()
        return await asyncio.gather(*tasks)

    results = asyncio.run(run())
    assert len(results) == REQUESTS
    for i, status, got in results:
        allowed = ((200, f"killed run {SEED} caller {i}"), (504, "gateway_timeout"))
        assert (status, got) in allowed, (i, status, got, stack.logs()[-3000:])
    assert any(status == 200 for _, status, _ in results)
    print("answered", sum(s == 200 for _, s, _ in results), "of", REQUESTS)
