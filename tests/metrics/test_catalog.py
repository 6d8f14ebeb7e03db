"""The metric catalog: Prometheus naming rules, bounded labels, primed series."""

from __future__ import annotations

import platform

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from pipeline import __version__
from pipeline.metrics.catalog import (
    DISPATCH_STATUSES,
    OUTCOMES,
    Metrics,
)

FORBIDDEN_LABELS = {"user", "user_id", "prompt_id", "id", "value", "text", "tenant", "conversation"}
BASE_UNIT_SUFFIXES = ("_seconds", "_bytes", "_total", "_info", "_ratio")


@pytest.fixture
def metrics() -> Metrics:
    return Metrics(CollectorRegistry(), process_metrics=False)


def _ours(metrics: Metrics) -> list[object]:
    return [m for m in metrics.registry.collect() if m.name.startswith("prompt_dlp_")]


def test_every_metric_has_prefix_help_and_bounded_labels(metrics: Metrics) -> None:
    """Each family is prompt_dlp_-prefixed, documented, and has no per-user/per-prompt label."""
    metrics.prime(destinations=["default"], entity_types=[("EMAIL_ADDRESS", "pii")],
                  detectors=[("email", "EMAIL_ADDRESS")], review_roles=["reviewer"],
                  source_topics=["prompts.inbound"])
    families = list(metrics.registry.collect())
    assert families
    for family in families:
        assert family.name.startswith("prompt_dlp_"), family.name
        assert family.documentation.strip(), family.name
        for sample in family.samples:
            assert not FORBIDDEN_LABELS & set(sample.labels), (family.name, sample.labels)


def _primed(metrics: Metrics) -> Metrics:
    metrics.prime(destinations=["default"], entity_types=[("EMAIL_ADDRESS", "pii")],
                  detectors=[("email", "EMAIL_ADDRESS")], review_roles=["reviewer"],
                  source_topics=["prompts.inbound"])
    return metrics


def test_counters_end_in_total_and_durations_in_seconds(metrics: Metrics) -> None:
    """Counters are exposed as *_total, histograms measure seconds (every family has samples)."""
    families = list(_primed(metrics).registry.collect())
    counters = [f for f in families if f.type == "counter"]
    assert counters
    for family in counters:
        assert family.samples, f"{family.name} has no series after priming"
        assert {s.name for s in family.samples} <= {
            family.name + "_total", family.name + "_created"}, family.name
        assert not family.name.endswith("_total")  # the client adds the suffix once
    for family in families:
        if family.type == "histogram":
            assert family.name.endswith("_seconds"), family.name


def test_two_catalogs_on_two_registries_do_not_share_series() -> None:
    """Workers and tests each build their own catalog: counting in one leaves the other at 0."""
    first, second = Metrics(CollectorRegistry()), Metrics(CollectorRegistry())
    first.decisions.labels("block").inc()
    labels = {"action": "block"}
    assert first.registry.get_sample_value("prompt_dlp_decisions_total", labels) == 1.0
    assert second.registry.get_sample_value("prompt_dlp_decisions_total", labels) is None


def test_build_info_carries_version_and_python_version(metrics: Metrics) -> None:
    """prompt_dlp_build_info says which code and which interpreter run."""
    text = generate_latest(metrics.registry).decode()
    families = text_string_to_metric_families(text)
    info = next(f for f in families if f.name.startswith("prompt_dlp_build"))
    assert [s.name for s in info.samples] == ["prompt_dlp_build_info"]
    labels = info.samples[0].labels
    assert labels == {"version": __version__, "python_version": platform.python_version()}


def test_prime_creates_zero_series_for_known_label_values(metrics: Metrics) -> None:
    """Before any traffic, failures read 0 (not 'no data') and circuits read closed."""
    metrics.prime(destinations=["default", "backup"])
    reg = metrics.registry
    for stage, outcomes in OUTCOMES.items():
        for outcome in outcomes:
            labels = {"stage": stage, "outcome": outcome}
            assert reg.get_sample_value("prompt_dlp_events_total", labels) == 0.0
    for dest in ("default", "backup"):
        assert reg.get_sample_value("prompt_dlp_circuit_state", {"destination": dest}) == 0.0
        for status in DISPATCH_STATUSES:
            labels = {"destination": dest, "status": status}
            assert reg.get_sample_value("prompt_dlp_dispatch_requests_total", labels) == 0.0
        retries = reg.get_sample_value("prompt_dlp_dispatch_retries_total", {"destination": dest})
        assert retries == 0.0
    dlq = {"stage": "classify", "reason": "too_large"}
    assert reg.get_sample_value("prompt_dlp_dlq_total", dlq) == 0
    assert reg.get_sample_value("prompt_dlp_quarantine_pending") == 0.0


def test_unlabelled_gauges_exist_without_priming(metrics: Metrics) -> None:
    """Quarantine gauges and the classify histogram are exported from the start."""
    reg = metrics.registry
    assert reg.get_sample_value("prompt_dlp_quarantine_oldest_age_seconds") == 0.0
    assert reg.get_sample_value("prompt_dlp_classify_duration_seconds_count") == 0.0


def test_set_quarantine_backlog_exports_zero_age_when_empty(metrics: Metrics) -> None:
    """No pending item means an oldest age of 0, not a stale value."""
    metrics.set_quarantine_backlog(3, 42.0)
    assert metrics.registry.get_sample_value("prompt_dlp_quarantine_oldest_age_seconds") == 42.0
    metrics.set_quarantine_backlog(0, None)
    assert metrics.registry.get_sample_value("prompt_dlp_quarantine_pending") == 0.0
    assert metrics.registry.get_sample_value("prompt_dlp_quarantine_oldest_age_seconds") == 0.0


def test_process_metrics_are_optional() -> None:
    """The process collector adds process_* families only when asked."""
    with_proc = {f.name for f in Metrics(CollectorRegistry()).registry.collect()}
    bare = Metrics(CollectorRegistry(), process_metrics=False)
    without = {f.name for f in bare.registry.collect()}
    assert not any(name.startswith("process_") for name in without)
    if platform.system() == "Linux":  # prometheus_client reads /proc; elsewhere it exports none
        assert "process_resident_memory_bytes" in with_proc
    else:
        pytest.skip("process metrics come from /proc, Linux only")
