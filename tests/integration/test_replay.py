"""`prompt-dlp rescan --inbound-since`: today's policy over a time range of real inbound traffic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from pipeline.bus import ensure_topics
from pipeline.config import Settings
from tests.conftest import unique_topics
from tests.integration.kafka_io import produce

pytestmark = pytest.mark.integration


async def test_inbound_range_is_re_evaluated(kafka_broker: Any, vault_keys: str) -> None:
    """Every inbound event in the range gets one result line, with the current decision."""
    topics = unique_topics()
    await ensure_topics(Settings(broker=f"kafka://{kafka_broker.bootstrap}", topics=topics))
    since = (datetime.now(UTC) - timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S")

    def event(ident: str, text: str) -> bytes:
        return orjson.dumps({"id": ident, "tenant": "t", "user": "u", "model": "m",
                             "messages": [{"role": "user", "content": text}]})

    await produce(kafka_broker.bootstrap, topics.inbound, [
        ("r1", event("r1", "How do I sort a dict by value?")),
        ("r2", event("r2", "Email maria.gonzalez@contoso-mail.com the invoice.")),
        ("r3", b"not json"),
    ])
    env = {**os.environ, "PROMPT_DLP_BROKER": f"kafka://{kafka_broker.bootstrap}",
           "PROMPT_DLP_VAULT_KEYS": vault_keys,
           **{f"PROMPT_DLP_TOPICS__{k.upper()}": v for k, v in topics.model_dump().items()}}
    done = subprocess.run([sys.executable, "-m", "pipeline", "rescan", "--dry-run",
                           "--inbound-since", since], env=env, capture_output=True, timeout=180)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith(b"{")]
    by_id = {r.get("id") or "invalid": r for r in results}  # partition by partition
    assert len(results) == 3 and set(by_id) == {"r1", "r2", "invalid"}
    assert (by_id["r1"]["action"], by_id["r2"]["action"]) == ("allow", "redact")
    assert by_id["invalid"]["error"] == "invalid_json"
    assert b"maria.gonzalez" not in done.stdout
    assert b"1 allow, 1 invalid, 1 redact" in done.stderr
