"""``rejoin_group`` on a real faust worker and broker: the group rebalances, the worker is
assigned its partitions again (what ``RecoveryWatch`` relies on to restart a stuck recovery).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from pipeline.bus import ensure_topics
from pipeline.config import Settings
from tests.conftest import unique_topics

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

APP = """
import asyncio
import faust
from pipeline.faustcompat import rejoin_group

app = faust.App({app_id!r}, broker={broker_url!r}, store="memory://", web_enabled=False,
                topic_partitions=2, datadir={datadir!r})
src = app.topic({src!r}, value_type=bytes, value_serializer="raw")
table = app.Table("t", default=int, partitions=2)
assigned = []


@app.agent(src)
async def agent(stream):
    async for _ in stream:
        pass


@app.on_partitions_assigned.connect
async def on_assigned(_sender, assigned_tps, **_):
    assigned.append(len(assigned_tps))
    print(f"ASSIGNED {{len(assigned)}}", flush=True)


@app.timer(interval=1.0)
async def rejoin_once():
    if len(assigned) == 1 and not app.rebalancing:
        print("REJOIN", flush=True)
        await rejoin_group(app)


if __name__ == "__main__":
    app.main()
"""


def _wait_for(path: Path, text: str, proc: subprocess.Popen[bytes], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = path.read_text(errors="replace")
        if text in log or proc.poll() is not None:
            return log
        time.sleep(0.5)
    return path.read_text(errors="replace")


async def test_rejoin_group_makes_the_worker_rebalance(kafka_broker: Any, tmp_path: Path) -> None:
    topics = unique_topics()
    await ensure_topics(Settings(broker=kafka_broker.faust_url, topics=topics, partitions=2))
    app_file = tmp_path / "rejoin_app.py"
    app_file.write_text(textwrap.dedent(APP.format(
        app_id=f"rejoin-{uuid.uuid4().hex[:8]}", broker_url=kafka_broker.faust_url,
        datadir=str(tmp_path / "data"), src=topics.inbound,
    )))
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, str(app_file), "worker", "-l", "info", "--without-web"],
            cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    try:
        text = _wait_for(log_path, "ASSIGNED 2", proc, 120)
        assert "REJOIN" in text and "ASSIGNED 2" in text, text[-4000:]
        assert proc.poll() is None, text[-4000:]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
