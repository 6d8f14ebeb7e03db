"""Detection-failure kinds: emitters, primed series, alert rules and rule tests agree."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from prometheus_client import CollectorRegistry

from pipeline.errors import DetectionFailure
from pipeline.metrics.catalog import DETECTION_FAILURE_KINDS, Metrics

PROM = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
METRIC = "prompt_dlp_detection_failures_total"


def test_primed_kinds_are_the_enum() -> None:
    metrics = Metrics(CollectorRegistry(), process_metrics=False)
    metrics.prime()
    samples = [s for f in metrics.registry.collect() if f.name == METRIC.removesuffix("_total")
               for s in f.samples if s.name == METRIC]
    assert sorted(s.labels["kind"] for s in samples) == sorted(k.value for k in DetectionFailure)
    assert set(DETECTION_FAILURE_KINDS) == {k.value for k in DetectionFailure}


def _kinds_in(text: str) -> set[str]:
    found: set[str] = set()
    for selector in re.findall(METRIC + r"\{([^}]*)\}", text):
        for value in re.findall(r'kind\s*=~?\s*"([^"]*)"', selector):
            found.update(value.split("|"))
    return found


def test_rules_and_rule_tests_only_use_known_kinds() -> None:
    """A kind in a rule or a promtool series that no emitter produces could never fire."""
    rules = (PROM / "rules" / "prompt-dlp.rules.yml").read_text(encoding="utf-8")
    tests = (PROM / "tests" / "prompt-dlp.rules.test.yml").read_text(encoding="utf-8")
    known = {k.value for k in DetectionFailure}
    assert _kinds_in(rules) <= known
    used = _kinds_in(tests)
    assert used and used <= known
    # The alert watches the metric itself, so every kind an emitter produces counts.
    groups = yaml.safe_load(rules)["groups"]
    exprs = [r["expr"] for g in groups for r in g["rules"] if r.get("alert") ==
             "PromptDlpDetectionFailures"]
    assert exprs and all(METRIC in e for e in exprs)
