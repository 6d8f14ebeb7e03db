"""Every metric the pipeline exports, declared once with its meaning.

Built from an injected registry so tests use a private ``CollectorRegistry``.
Labels are bounded: stage, outcome, action, entity type, destination, status
class, topic/partition — never a user id, prompt id or detected value.

``Metrics.prime`` creates the zero-valued series for every known label value,
so dashboards and alerts see ``0`` rather than "no data" before the first
failure (a closed circuit, an empty DLQ).
"""

from __future__ import annotations

import platform
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info, ProcessCollector

from pipeline import __version__
from pipeline.errors import DetectionFailure

__all__ = [
    "CIRCUIT_CLOSED",
    "CIRCUIT_HALF_OPEN",
    "CIRCUIT_OPEN",
    "DECISION_ACTIONS",
    "DETECTION_FAILURE_KINDS",
    "DISPATCH_STATUSES",
    "DLQ_REASONS",
    "OUTCOMES",
    "PIPELINE_STAGES",
    "REVIEW_ACTIONS",
    "TOKEN_KINDS",
    "Metrics",
]

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_E2E_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
_DISPATCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)

CIRCUIT_CLOSED, CIRCUIT_HALF_OPEN, CIRCUIT_OPEN = 0, 1, 2

# The known label values, used to prime series; new values still work, they just appear later.
OUTCOMES: dict[str, tuple[str, ...]] = {
    "classify": ("approved", "quarantined", "dlq"),
    "dispatch": ("answered", "failed", "dlq"),
    "review": ("released", "rejected"),
}
DECISION_ACTIONS = ("allow", "redact", "block")
DLQ_REASONS: dict[str, tuple[str, ...]] = {
    "classify": ("invalid_json", "not_utf8", "too_large", "schema_violation", "empty"),
    "dispatch": (
        "http_4xx", "malformed_reply", "outcome_unknown", "unknown_destination",
        "response_guard_failed", "invalid_json", "schema_violation",
    ),
}
DISPATCH_STATUSES = ("2xx", "429", "5xx", "4xx", "timeout", "error")
TOKEN_KINDS = ("prompt", "completion")
DETECTION_FAILURE_KINDS = tuple(kind.value for kind in DetectionFailure)
REVIEW_ACTIONS = ("release", "reject")
PIPELINE_STAGES = ("classify", "dispatch")
SEND_STAGES = ("classify", "dispatch", "control")
# pipeline.offsets.SeekReason values (kept here so the catalog imports nothing of the workers).
SEEK_REASONS = ("assignment", "gap", "retry", "stall", "no_data")


class Metrics:
    """The catalog. One attribute per metric; names follow Prometheus practice."""

    def __init__(self, registry: CollectorRegistry, *, process_metrics: bool = True) -> None:
        self.registry = registry
        if process_metrics:
            ProcessCollector(registry=registry)
        self.build_info = Info(
            "prompt_dlp_build", "Build and version of this worker.", registry=registry
        )
        self.build_info.info({"version": __version__, "python_version": platform.python_version()})

        # Classify stage.
        self.events = Counter(
            "prompt_dlp_events_total",
            "Events processed, by stage (classify|dispatch|review) and outcome "
            "(approved|quarantined|dlq|answered|failed|rejected|released).",
            ["stage", "outcome"], registry=registry,
        )
        self.decisions = Counter(
            "prompt_dlp_decisions_total", "Policy decisions, by action (allow|redact|block).",
            ["action"], registry=registry,
        )
        self.findings = Counter(
            "prompt_dlp_findings_total", "Detected spans, by entity type and category.",
            ["entity_type", "category"], registry=registry,
        )
        self.classify_seconds = Histogram(
            "prompt_dlp_classify_duration_seconds",
            "Time to parse, detect, decide and redact one event (batch time / batch size).",
            buckets=_LATENCY_BUCKETS, registry=registry,
        )
        self.e2e_seconds = Histogram(
            "prompt_dlp_end_to_end_latency_seconds",
            "From the event's Kafka timestamp to its routed output being acknowledged, by stage.",
            ["stage"], buckets=_E2E_BUCKETS, registry=registry,
        )
        self.queue_wait_seconds = Histogram(
            "prompt_dlp_queue_wait_seconds",
            "From the event's Kafka timestamp until a worker started processing it.",
            ["stage"], buckets=_E2E_BUCKETS, registry=registry,
        )
        self.detection_failures = Counter(
            "prompt_dlp_detection_failures_total",
            "Detection errors or time-budget overruns (the event is quarantined), by kind.",
            ["kind"], registry=registry,
        )
        self.dlq = Counter(
            "prompt_dlp_dlq_total",
            "Records sent to the dead-letter topic, by stage and reason code.",
            ["stage", "reason"], registry=registry,
        )

        # Dispatch stage.
        self.dispatch_requests = Counter(
            "prompt_dlp_dispatch_requests_total",
            "LLM API requests, by destination and status (2xx|429|5xx|4xx|timeout|error).",
            ["destination", "status"], registry=registry,
        )
        self.dispatch_seconds = Histogram(
            "prompt_dlp_dispatch_duration_seconds", "LLM API call latency by destination.",
            ["destination"], buckets=_DISPATCH_BUCKETS, registry=registry,
        )
        self.dispatch_retries = Counter(
            "prompt_dlp_dispatch_retries_total", "Retries of LLM API calls, by destination.",
            ["destination"], registry=registry,
        )
        self.dispatch_duplicates_skipped = Counter(
            "prompt_dlp_dispatch_duplicates_skipped_total",
            "Redelivered prompts not sent again because the dedup record shows them done.",
            registry=registry,
        )
        self.tokens = Counter(
            "prompt_dlp_tokens_total", "LLM tokens, by destination and kind (prompt|completion).",
            ["destination", "kind"], registry=registry,
        )
        self.circuit_state = Gauge(
            "prompt_dlp_circuit_state",
            "Circuit breaker state per destination: 0 closed, 1 half-open, 2 open.",
            ["destination"], registry=registry,
        )

        self.vault_purged = Counter(
            "prompt_dlp_vault_entries_purged_total",
            "Expired pseudonym-vault entries deleted (tombstoned on the compacted vault topic).",
            registry=registry,
        )

        # Quarantine review.
        self.quarantine_pending = Gauge(
            "prompt_dlp_quarantine_pending", "Quarantined prompts awaiting review.",
            registry=registry,
        )
        self.quarantine_oldest_age = Gauge(
            "prompt_dlp_quarantine_oldest_age_seconds",
            "Age of the oldest pending quarantined prompt (0 when none is pending).",
            registry=registry,
        )
        self.false_positives = Counter(
            "prompt_dlp_false_positives_total",
            "Findings marked as false positives by reviewers, by detector and entity type.",
            ["detector", "entity_type"], registry=registry,
        )
        self.review_actions = Counter(
            "prompt_dlp_review_actions_total", "Reviewer actions, by action and role.",
            ["action", "role"], registry=registry,
        )

        # Kafka.
        self.consumer_lag = Gauge(
            "prompt_dlp_consumer_lag",
            "Messages behind the log end (end offset minus committed), per consumer group, "
            "topic and partition.",
            ["group", "topic", "partition"], registry=registry,
        )
        self.offset_gaps = Counter(
            "prompt_dlp_offset_gaps_total",
            "Records that arrived ahead of the next expected offset of a partition that was in "
            "order: something before them went missing (healed by a rewind; alert).",
            ["topic", "partition"], registry=registry,
        )
        self.offset_seeks = Counter(
            "prompt_dlp_offset_seeks_total",
            "Fetcher rewinds to a partition's next expected offset, by reason "
            "(assignment, gap, retry, stall).",
            ["topic", "reason"], registry=registry,
        )
        self.offset_redeliveries = Counter(
            "prompt_dlp_offset_redeliveries_total",
            "Records dropped because they were already admitted (redelivered after a rewind).",
            ["topic"], registry=registry,
        )
        self.offset_commit_failures = Counter(
            "prompt_dlp_offset_commit_failures_total",
            "Offset commits the broker refused (fenced by a rebalance, coordinator away).",
            ["topic"], registry=registry,
        )
        self.recovery_rejoins = Counter(
            "prompt_dlp_recovery_rejoins_total",
            "Group re-joins asked for because faust's table recovery read nothing for "
            "PROMPT_DLP_RECOVERY_STALL_SECONDS (faust has no timeout of its own there).",
            registry=registry,
        )
        self.send_retries = Counter(
            "prompt_dlp_send_retries_total",
            "Output batches re-sent because the broker did not acknowledge them, per stage.",
            ["stage"], registry=registry,
        )
        self.consumer_lag_errors = Counter(
            "prompt_dlp_consumer_lag_errors_total",
            "Failed attempts to compute consumer lag (broker unreachable, group unknown).",
            registry=registry,
        )

    def prime(
        self,
        *,
        destinations: Iterable[str] = (),
        entity_types: Iterable[tuple[str, str]] = (),
        detectors: Iterable[tuple[str, str]] = (),
        review_roles: Iterable[str] = (),
        source_topics: Iterable[str] = (),
    ) -> None:
        """Create the zero series for every known label value.

        ``source_topics`` are the topics whose offsets the worker commits (offset gaps are
        primed for partition 0; other partitions appear when they first count).

        ``entity_types`` are (entity_type, category) pairs and ``detectors``
        (detector, entity_type) pairs, both from the recognizer registry;
        ``destinations`` are the configured dispatch destination names.
        """
        for stage, outcomes in OUTCOMES.items():
            for outcome in outcomes:
                self.events.labels(stage, outcome)
        for stage in SEND_STAGES:
            self.send_retries.labels(stage)
        for topic in source_topics:
            self.offset_gaps.labels(topic, "0")
            self.offset_redeliveries.labels(topic)
            self.offset_commit_failures.labels(topic)
            for reason in SEEK_REASONS:
                self.offset_seeks.labels(topic, reason)
        for stage, reasons in DLQ_REASONS.items():
            for reason in reasons:
                self.dlq.labels(stage, reason)
        for action in DECISION_ACTIONS:
            self.decisions.labels(action)
        for kind in DETECTION_FAILURE_KINDS:
            self.detection_failures.labels(kind)
        for stage in PIPELINE_STAGES:
            self.e2e_seconds.labels(stage)
            self.queue_wait_seconds.labels(stage)
        for entity_type, category in entity_types:
            self.findings.labels(entity_type, category)
        for detector, entity_type in detectors:
            self.false_positives.labels(detector, entity_type)
        for role in review_roles:
            for action in REVIEW_ACTIONS:
                self.review_actions.labels(action, role)
        for dest in destinations:
            self.circuit_state.labels(dest).set(CIRCUIT_CLOSED)
            self.dispatch_seconds.labels(dest)
            self.dispatch_retries.labels(dest)
            for status in DISPATCH_STATUSES:
                self.dispatch_requests.labels(dest, status)
            for kind in TOKEN_KINDS:
                self.tokens.labels(dest, kind)

    def set_quarantine_backlog(self, pending: int, oldest_age_seconds: float | None) -> None:
        """Publish the review backlog; ``None`` age (nothing pending) is exported as 0."""
        self.quarantine_pending.set(pending)
        self.quarantine_oldest_age.set(oldest_age_seconds or 0.0)
