"""A real Prometheus scrapes a running pipeline: every dashboard query returns data that moves.

The Debian ``prometheus`` binary runs on a free port with a temp TSDB, a 1s
scrape and evaluation interval, and our alert/recording rules loaded. It
scrapes the targets given by the ``scrape_targets`` fixture; then every panel
query of deploy/grafana/dashboards/prompt-dlp.json must return at least one
series, every panel the traffic drives must move off its primed zero, and
every rule must evaluate without error.

Targets: by default the real ``prompt-dlp worker --role all`` and the mock LLM
on the local broker, under clean / personal-data / secret / malformed traffic
(fixture ``pipeline_targets``). ``PROMPT_DLP_OBSERVABILITY_TARGETS=fake``
scrapes instead a small process that serves the real catalog through
``start_metrics_server`` and drives every metric (``FAKE_WORKER``), which
isolates dashboard mistakes from pipeline behaviour.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.support import DASHBOARD, RULES, dashboard_queries, substitute

pytestmark = pytest.mark.prometheus

REPO = Path(__file__).resolve().parents[2]
PROMETHEUS_PORT = 19420
FAKE_WORKER_PORT = 19421
PIPELINE_METRICS_PORT = 19422
MOCK_LLM_PORT = 19425  # 19423: dispatch metrics (--role all: metrics port + 1)
CONSOLE_PORT = 19424
RATE_WINDOW = {"$__rate_interval": "15s"}  # a few 1s scrapes
Targets = dict[str, list[str]]

# The stand-in worker: the real catalog and exposition, synthetic traffic on every metric.
FAKE_WORKER = r"""
import asyncio, random, signal, sys
from prometheus_client import CollectorRegistry
from pipeline.errors import DetectionFailure
from pipeline.metrics.catalog import DECISION_ACTIONS, DISPATCH_STATUSES, OUTCOMES, Metrics
from pipeline.metrics.server import start_metrics_server, stop_metrics_server

async def main(port):
    m = Metrics(CollectorRegistry())
    m.prime(destinations=["default"],
            entity_types=[("EMAIL_ADDRESS", "pii"), ("GITHUB_TOKEN", "secret")],
            detectors=[("email", "EMAIL_ADDRESS")], review_roles=["reviewer"])
    runner = await start_metrics_server(m, port, lambda: True, host="127.0.0.1")
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    pending = 0
    while not stop.is_set():
        for stage, outcomes in OUTCOMES.items():
            m.events.labels(stage, random.choice(outcomes)).inc()
        m.decisions.labels(random.choice(DECISION_ACTIONS)).inc()
        m.findings.labels("EMAIL_ADDRESS", "pii").inc()
        m.classify_seconds.observe(random.uniform(0.001, 0.05))
        for stage in ("classify", "dispatch"):
            m.e2e_seconds.labels(stage).observe(random.uniform(0.01, 1.5))
            m.queue_wait_seconds.labels(stage).observe(random.uniform(0.001, 0.2))
        m.detection_failures.labels(random.choice(list(DetectionFailure))).inc()
        m.dlq.labels("classify", "invalid_json").inc()
        m.dispatch_requests.labels("default", random.choice(DISPATCH_STATUSES)).inc()
        m.dispatch_seconds.labels("default").observe(random.uniform(0.05, 2.0))
        m.dispatch_retries.labels("default").inc()
        m.dispatch_duplicates_skipped.inc()
        m.tokens.labels("default", "prompt").inc(30)
        m.tokens.labels("default", "completion").inc(60)
        m.circuit_state.labels("default").set(random.choice((0, 0, 1, 2)))
        m.false_positives.labels("email", "EMAIL_ADDRESS").inc()
        m.review_actions.labels("release", "reviewer").inc()
        pending = (pending + 1) % 20
        m.set_quarantine_backlog(pending, 10.0 * pending)
        m.consumer_lag.labels("prompt-dlp", "prompts.inbound", "0").set(random.randint(0, 50))
        try:
            await asyncio.wait_for(stop.wait(), 0.1)
        except asyncio.TimeoutError:
            pass
    await stop_metrics_server(runner)

asyncio.run(main(int(sys.argv[1])))
"""


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return json.loads(resp.read())


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _wait_http(url: str, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited ({proc.returncode}) before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


class PrometheusServer:
    """The Debian ``prometheus`` binary scraping ``targets`` (job → host:port list) every second."""

    def __init__(self, binary: str, workdir: Path, port: int, targets: Targets) -> None:
        self.binary, self.workdir, self.port, self.targets = binary, workdir, port, targets
        self.url = f"http://127.0.0.1:{port}"
        self._proc: subprocess.Popen[bytes] | None = None

    def config(self) -> dict[str, Any]:
        return {
            "global": {
                "scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "1s",
            },
            "rule_files": [str(RULES)],
            "scrape_configs": [
                {"job_name": job, "static_configs": [{"targets": hosts}]}
                for job, hosts in self.targets.items()
            ],
        }

    def start(self) -> None:
        config = self.workdir / "prometheus.yml"
        config.write_text(yaml.safe_dump(self.config()))
        self._log = (self.workdir / "prometheus.log").open("wb")
        self._proc = subprocess.Popen(
            [self.binary, f"--config.file={config}", f"--storage.tsdb.path={self.workdir / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            stdout=self._log, stderr=subprocess.STDOUT,
        )
        _wait_http(self.url + "/-/ready", 30, self._proc)

    def stop(self) -> None:
        if self._proc is not None:
            _stop(self._proc)
            self._log.close()

    def query(self, expr: str) -> list[dict[str, Any]]:
        """Instant query; raises on a PromQL error."""
        body = _get_json(f"{self.url}/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
        assert body["status"] == "success", body
        return body["data"]["result"]  # type: ignore[no-any-return]

    def rules(self) -> list[dict[str, Any]]:
        body = _get_json(self.url + "/api/v1/rules")
        return [rule for group in body["data"]["groups"] for rule in group["rules"]]


@pytest.fixture
def fake_targets(tmp_path: Path) -> Iterator[Targets]:
    """One stand-in worker process exposing the catalog with synthetic traffic."""
    log = (tmp_path / "fake-worker.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-c", FAKE_WORKER, str(FAKE_WORKER_PORT)],
                            cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_http(f"http://127.0.0.1:{FAKE_WORKER_PORT}/healthz", 30, proc)
        yield {"prompt-dlp-fake": [f"127.0.0.1:{FAKE_WORKER_PORT}"]}
    finally:
        _stop(proc)
        log.close()


# --- the real pipeline as scrape target (the default) --------------------------------------
# Runs the mock LLM and
# `prompt-dlp worker --role all` on the session broker (tests/support/broker.py),
# with PROMPT_DLP_METRICS_PORT, and produces inbound traffic while Prometheus scrapes.
@pytest.fixture
def pipeline_targets(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Targets]:
    from tests.conftest import unique_topics

    broker = request.getfixturevalue("kafka_broker")
    vault_keys = request.getfixturevalue("vault_keys")
    topics = unique_topics()
    env = {
        **os.environ,
        **{f"PROMPT_DLP_TOPICS__{k.upper()}": v for k, v in topics.model_dump().items()},
        "PROMPT_DLP_BROKER": f"kafka://{broker.bootstrap}",
        "PROMPT_DLP_APP_ID": f"obs-{topics.inbound}",
        "PROMPT_DLP_DATA_DIR": str(tmp_path),
        "PROMPT_DLP_VAULT_KEYS": vault_keys,
        "PROMPT_DLP_METRICS_PORT": str(PIPELINE_METRICS_PORT),
        "PROMPT_DLP_PARTITIONS": "2",
        "PROMPT_DLP_DISPATCH__DESTINATIONS__default__BASE_URL": f"http://127.0.0.1:{MOCK_LLM_PORT}/v1",
        "PROMPT_DLP_REVIEW__TOKENS": "obs:admin:obs-token-123",
        "PROMPT_DLP_REVIEW__PORT": str(CONSOLE_PORT),
    }
    cli = [sys.executable, "-m", "pipeline"]
    logs = [(tmp_path / n).open("wb") for n in ("mock-llm.log", "worker.log", "console.log")]
    procs = [
        subprocess.Popen([*cli, "mock-llm", "--port", str(MOCK_LLM_PORT)], env=env,
                         stdout=logs[0], stderr=subprocess.STDOUT),
        subprocess.Popen([*cli, "worker", "--role", "all"], env=env,
                         stdout=logs[1], stderr=subprocess.STDOUT),
        subprocess.Popen([*cli, "quarantine", "serve"], env=env,
                         stdout=logs[2], stderr=subprocess.STDOUT),
    ]
    traffic = _Traffic(broker.bootstrap, topics.inbound)
    try:
        # --role all: classify serves on the port, dispatch on the port + 1
        _wait_http(f"http://127.0.0.1:{PIPELINE_METRICS_PORT}/readyz", 120, procs[1])
        _wait_http(f"http://127.0.0.1:{PIPELINE_METRICS_PORT + 1}/readyz", 120, procs[1])
        _wait_http(f"http://127.0.0.1:{CONSOLE_PORT}/healthz", 120, procs[2])
        traffic.start()
        yield {
            "prompt-dlp-worker": [
                f"127.0.0.1:{PIPELINE_METRICS_PORT}",
                f"127.0.0.1:{PIPELINE_METRICS_PORT + 1}",
            ],
            "prompt-dlp-review": [f"127.0.0.1:{CONSOLE_PORT}"],
        }
    finally:
        try:
            traffic.stop()
        finally:  # a setup that failed before the traffic started must still stop every process
            for proc in reversed(procs):
                _stop(proc)
            for log in logs:
                log.close()


class _Traffic:
    """Clean, personal-data, secret and malformed events, a few per second, until stopped.

    Rate-based panels need traffic inside every scrape window, not one burst.
    """

    TEXTS = ("Explain CAP.", "Mail jane.doe@example.org now.",
             "token ghp_" + "R8x2Lq9Vt4Nw7Kp3Zs6Yb1Hd5Fg0Jm2Cv4Xa")

    def __init__(self, bootstrap: str, topic: str) -> None:
        import threading

        self._bootstrap, self._topic = bootstrap, topic
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(30)

    def _run(self) -> None:
        import asyncio

        import orjson

        from tests.integration.kafka_io import produce

        n = 0
        while not self._stop.is_set():
            items = []
            for text in self.TEXTS:
                n += 1
                body = {"id": f"obs-{n}", "tenant": "t", "user": "u", "model": "gpt-4o",
                        "messages": [{"role": "user", "content": text}]}
                items.append((f"obs-{n}", orjson.dumps(body)))
            items.append((f"bad-{n}", b"{not json"))
            asyncio.run(produce(self._bootstrap, self._topic, items))
            self._stop.wait(0.5)


# ----------------------------------------------------------------------------------------------


@pytest.fixture
def scrape_targets(request: pytest.FixtureRequest) -> Targets:
    """The processes Prometheus scrapes; see the module docstring."""
    mode = os.environ.get("PROMPT_DLP_OBSERVABILITY_TARGETS", "pipeline")
    name = {"fake": "fake_targets", "pipeline": "pipeline_targets"}[mode]
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.fixture
def prometheus(tmp_path: Path, scrape_targets: Targets) -> Iterator[PrometheusServer]:
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.skip("prometheus server not installed (apt-get install -y prometheus)")
    server = PrometheusServer(binary, tmp_path / "prom", PROMETHEUS_PORT, scrape_targets)
    server.workdir.mkdir()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _has_data(result: list[dict[str, Any]]) -> bool:
    return any(not math.isnan(float(r["value"][1])) for r in result)


def _moved(result: list[dict[str, Any]]) -> bool:
    """Some series is above zero: a rate or a gauge the traffic changed (primed zeros are not)."""
    return any(float(r["value"][1]) > 0 for r in result if not math.isnan(float(r["value"][1])))


# Panels the real pipeline's traffic does not exercise (no failure, retry, open circuit,
# review or backlog happens in it): they must return their primed series, and move only
# under the fake targets, which drive every metric.
NOT_EXERCISED_BY_PIPELINE = frozenset({
    "Detection failures", "Retries", "Circuit state (0 closed, 1 half-open, 2 open)",
    "False positives by detector", "Reviewer actions", "LLM error ratio",
    "Classify latency SLO burn rate (99% < 1s)", "Consumer lag by group and topic",
    "Consumer lag by partition",
})


def test_every_dashboard_query_returns_data_and_moves(
    prometheus: PrometheusServer, scrape_targets: Targets
) -> None:
    """Under traffic, each panel returns a series, and each panel the traffic drives moves."""
    queries = [(title, substitute(expr, RATE_WINDOW)) for title, expr in
               dashboard_queries(json.loads(DASHBOARD.read_text()))]
    assert queries
    fake = "prompt-dlp-fake" in scrape_targets
    still = [(t, q, _moved if fake or t not in NOT_EXERCISED_BY_PIPELINE else _has_data)
             for t, q in queries]
    assert any(check is _moved for _, _, check in still)
    deadline = time.monotonic() + 90
    while still and time.monotonic() < deadline:
        time.sleep(1)  # Prometheus scrapes and evaluates every second
        still = [(t, q, check) for t, q, check in still if not check(prometheus.query(q))]
    assert not still, "dashboard queries without data or movement:\n" + "\n".join(
        f"{t} ({check.__name__}): {q}" for t, q, check in still)


def test_targets_are_up_and_build_info_is_scraped(prometheus: PrometheusServer) -> None:
    """Prometheus scrapes every target and sees version and Python version."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        up = prometheus.query('up{job=~"prompt-dlp-.*"}')
        if up and all(r["value"][1] == "1" for r in up):
            break
        time.sleep(0.5)
    assert up and all(r["value"][1] == "1" for r in up), up
    (info, *_) = prometheus.query("prompt_dlp_build_info")
    assert {"version", "python_version"} <= set(info["metric"])


def test_rules_load_and_evaluate_without_errors(prometheus: PrometheusServer) -> None:
    """The shipped recording and alerting rules are loaded and evaluate cleanly on live data."""
    groups = yaml.safe_load(RULES.read_text())["groups"]
    expected = {r.get("record") or r.get("alert") for g in groups for r in g["rules"]}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rules = prometheus.rules()
        if rules and all(r.get("lastEvaluation", "").startswith("20") for r in rules):
            break
        time.sleep(0.5)
    assert {r["name"] for r in rules} == expected
    bad = {r["name"]: r.get("lastError") for r in rules if r["health"] != "ok"}
    assert not bad
