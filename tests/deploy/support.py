"""Paths and tool lookup shared by the deploy tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
PROMETHEUS_DIR = DEPLOY / "prometheus"
RULES = PROMETHEUS_DIR / "rules" / "prompt-dlp.rules.yml"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "prompt-dlp.json"
K8S = DEPLOY / "k8s"
COMPOSE = DEPLOY / "docker-compose.yml"

# Grafana variables in dashboard queries and what stands in for them outside Grafana.
GRAFANA_VARS = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "1h"}


def tool(name: str) -> str:
    """Path of a CLI tool, or skip with a message saying how to get it."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not installed (apt-get install -y prometheus for promtool)")
    return path


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def dashboard_queries(dashboard: dict[str, object]) -> list[tuple[str, str]]:
    """(panel title, PromQL) for every target of every panel, nested rows included."""
    out: list[tuple[str, str]] = []

    def walk(panels: object) -> None:
        for panel in panels if isinstance(panels, list) else []:
            walk(panel.get("panels", []))
            for target in panel.get("targets", []):
                if target.get("expr"):
                    out.append((panel["title"], target["expr"]))

    walk(dashboard.get("panels", []))
    return out


def substitute(expr: str, values: dict[str, str] = GRAFANA_VARS) -> str:
    for var, value in values.items():
        expr = expr.replace(var, value)
    return expr
