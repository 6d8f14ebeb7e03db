"""The Grafana dashboard and provisioning: valid JSON, valid PromQL, real metric names."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from prometheus_client import CollectorRegistry

from pipeline.metrics.catalog import Metrics
from tests.deploy.support import (
    DASHBOARD,
    DEPLOY,
    RULES,
    dashboard_queries,
    run,
    substitute,
    tool,
)

# Topics the issue asks the dashboard to show, each as a metric some panel must query.
REQUIRED = {
    "throughput": "prompt_dlp_events_total",
    "decisions by action": "prompt_dlp_decisions_total",
    "findings by type": "prompt_dlp_findings_total",
    "classify latency": "prompt_dlp_classify_duration_seconds_bucket",
    "dispatch latency": "prompt_dlp_dispatch_duration_seconds_bucket",
    "end-to-end latency": "prompt_dlp_end_to_end_latency_seconds_bucket",
    "queue wait": "prompt_dlp_queue_wait_seconds_bucket",
    "consumer lag": "prompt_dlp_consumer_lag",
    "dispatch health": "prompt_dlp_dispatch_requests_total",
    "retries": "prompt_dlp_dispatch_retries_total",
    "circuit state": "prompt_dlp_circuit_state",
    "tokens": "prompt_dlp_tokens_total",
    "quarantine pending": "prompt_dlp_quarantine_pending",
    "quarantine oldest age": "prompt_dlp_quarantine_oldest_age_seconds",
    "DLQ rate": "prompt_dlp_dlq_total",
    "false positives by detector": "prompt_dlp_false_positives_total",
}
_NAME = re.compile(r"\b(prompt_dlp[a-z0-9_:]*)")


@pytest.fixture(scope="module")
def dashboard() -> dict[str, object]:
    return json.loads(DASHBOARD.read_text())  # type: ignore[no-any-return]


def exported_names() -> set[str]:
    """Sample names the catalog exports once primed, plus our recording rules."""
    metrics = Metrics(CollectorRegistry(), process_metrics=False)
    metrics.prime(destinations=["d"], entity_types=[("E", "c")], detectors=[("x", "E")],
                  review_roles=["reviewer"])
    metrics.consumer_lag.labels("g", "t", "0").set(0)
    names = {s.name for fam in metrics.registry.collect() for s in fam.samples}
    rules = yaml.safe_load(RULES.read_text())
    names |= {r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r}
    return names


def test_every_query_names_only_exported_metrics(dashboard: dict[str, object]) -> None:
    """A typo in a metric name would be an empty panel forever."""
    known = exported_names()
    for title, expr in dashboard_queries(dashboard):
        for name in _NAME.findall(expr):
            assert name in known, f"panel {title!r} queries unknown metric {name}"


def test_dashboard_covers_the_required_views(dashboard: dict[str, object]) -> None:
    """Each view the issue lists has a panel."""
    text = " ".join(expr for _, expr in dashboard_queries(dashboard))
    missing = [view for view, metric in REQUIRED.items() if metric not in text]
    assert not missing


def test_every_query_parses(dashboard: dict[str, object], tmp_path: Path) -> None:
    """promtool parses each panel query (as a recording rule), Grafana variables substituted."""
    queries = dashboard_queries(dashboard)
    assert queries
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:q{i}", "expr": substitute(expr)}
        for i, (_, expr) in enumerate(queries)
    ]}]}
    path = tmp_path / "dashboard.rules.yml"
    path.write_text(yaml.safe_dump(rules))
    result = run(tool("promtool"), "check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_panels_are_well_formed(dashboard: dict[str, object]) -> None:
    """Unique panel ids, a uid, and every panel on the provisioned datasource."""
    assert dashboard["uid"] and dashboard["title"]
    panels = dashboard["panels"]
    assert isinstance(panels, list)
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids))
    uid = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/prometheus.yml").read_text())[
        "datasources"][0]["uid"]
    for panel in panels:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == uid, panel["title"]
            assert panel["targets"], panel["title"]
            assert all(t["refId"] for t in panel["targets"])


def test_dashboard_provider_points_at_the_mounted_dashboards() -> None:
    """The provider path is where compose mounts deploy/grafana/dashboards."""
    provisioning = DEPLOY / "grafana/provisioning/dashboards/prompt-dlp.yml"
    provider = yaml.safe_load(provisioning.read_text())
    path = provider["providers"][0]["options"]["path"]
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    assert f"./grafana/dashboards:{path}:ro" in compose["services"]["grafana"]["volumes"]
