"""Prometheus config and rules: promtool checks and rule unit tests."""

from __future__ import annotations

import pytest
import yaml

from tests.deploy.support import PROMETHEUS_DIR, RULES, run, tool


def test_promtool_check_config() -> None:
    """The compose scrape config (and the rule files it loads) is valid."""
    result = run(tool("promtool"), "check", "config", "prometheus.yml", cwd=PROMETHEUS_DIR)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_check_k8s_config() -> None:
    """The Kubernetes scrape config is valid (needs a promtool built with kubernetes SD)."""
    result = run(tool("promtool"), "check", "config", "prometheus-k8s.yml", cwd=PROMETHEUS_DIR)
    if "kubernetes_sd_configs not found" in result.stdout + result.stderr:
        pytest.skip("this promtool build has no Kubernetes service discovery (Debian +ds build)")
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_check_rules() -> None:
    """Every recording and alerting rule parses and is well formed."""
    result = run(tool("promtool"), "check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_rule_unit_tests() -> None:
    """The alert unit tests in deploy/prometheus/tests pass."""
    tests = sorted(str(p.relative_to(PROMETHEUS_DIR)) for p in PROMETHEUS_DIR.glob("tests/*.yml"))
    assert tests
    result = run(tool("promtool"), "test", "rules", *tests, cwd=PROMETHEUS_DIR)
    assert result.returncode == 0, result.stdout + result.stderr


REQUIRED_ALERTS = {
    "PromptDlpWorkerDown", "PromptDlpConsumerLagGrowing", "PromptDlpQuarantineBacklog",
    "PromptDlpQuarantineStale", "PromptDlpDlqRate", "PromptDlpDispatchErrorRate",
    "PromptDlpCircuitOpen", "PromptDlpLatencyBudgetBurnFast", "PromptDlpLatencyBudgetBurnSlow",
}


def _rules() -> list[dict[str, object]]:
    doc = yaml.safe_load(RULES.read_text())
    return [rule for group in doc["groups"] for rule in group["rules"]]


def test_required_alerts_exist_and_each_is_unit_tested() -> None:
    """The issue's alert list is covered, and every alert appears in a promtool test."""
    alerts = {str(r["alert"]) for r in _rules() if "alert" in r}
    assert alerts >= REQUIRED_ALERTS
    tested = "".join(p.read_text() for p in (PROMETHEUS_DIR / "tests").glob("*.yml"))
    untested = {a for a in alerts if f"alertname: {a}\n" not in tested}
    assert not untested, f"alerts without a promtool test: {sorted(untested)}"


def test_alerts_have_severity_and_summary() -> None:
    """Routing needs a severity label; people need a summary."""
    for rule in _rules():
        if "alert" in rule:
            assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]  # type: ignore[index]
            assert rule["annotations"]["summary"], rule["alert"]  # type: ignore[index]


def test_scrape_jobs_match_the_rules_job_prefix() -> None:
    """Alert rules select jobs by the prompt-dlp- prefix; the scrape config names them so."""
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    jobs = {job["job_name"] for job in config["scrape_configs"]}
    assert {"prompt-dlp-classify", "prompt-dlp-dispatch", "prompt-dlp-review"} <= jobs
