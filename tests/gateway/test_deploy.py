"""The gateway's dashboard and alert rules name only metrics the gateway exports, and parse."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from pipeline.gateway.metrics import GatewayMetrics
from tests.deploy.support import DEPLOY, dashboard_queries, run, substitute, tool

DASHBOARD = DEPLOY / "grafana" / "dashboards" / "prompt-dlp-gateway.json"
RULES = DEPLOY / "prometheus" / "rules" / "gateway.rules.yml"
_NAME = re.compile(r"\b(prompt_dlp_gateway_[a-z_]+)")


def exported() -> set[str]:
    """Exposed series names (labelled families have no samples until used, so by type)."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}
    names: set[str] = set()
    for family in GatewayMetrics().registry.collect():
        names |= {family.name + s for s in suffixes.get(family.type, ("",))}
    return names


def test_dashboard_queries_name_exported_metrics_and_parse(tmp_path: Path) -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    queries = dashboard_queries(dashboard)
    assert queries
    known = exported()
    for title, expr in queries:
        for name in _NAME.findall(expr):
            assert name in known, f"{title}: unknown metric {name}"
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:q{i}", "expr": substitute(expr)}
        for i, (_, expr) in enumerate(queries)
    ]}]}
    path = tmp_path / "dashboard.rules.yml"
    path.write_text(yaml.safe_dump(rules))
    result = run(tool("promtool"), "check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])


def test_alert_rules_name_exported_metrics() -> None:
    known = exported()
    text = RULES.read_text()
    for name in _NAME.findall(text):
        assert name in known, name
    result = run(tool("promtool"), "check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr
