"""``decide``: findings + policy → Decision. A pure function, no I/O, no clock.

Reasons name rule ids, entity types and counts, never a detected value.
``explain`` lists, per finding, the rule that decided it and why
(``prompt-dlp policy explain``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.decide.policy import LEVELS, Policy, Rule, ScopedPolicy
from pipeline.events import (
    Action,
    Attachment,
    Decision,
    Finding,
    InboundPrompt,
)

__all__ = ["CLEAN_RULE_ID", "decide", "explain", "explain_event", "scope_of"]

CLEAN_RULE_ID = "default.allow"
OPTED_OUT_RULE_ID = "opted-out-user"
MAX_SIZE_RULE_ID = "max-prompt-size"
UNKNOWN_DESTINATION_RULE_ID = "unknown-destination"
ATTACHMENT_ACTION = {"block": Action.BLOCK, "strip": Action.REDACT, "allow": Action.ALLOW}
_ATTACHMENT_VERB = {
    "block": "cannot be scanned; held (policy attachments: block)",
    "strip": "removed before sending (policy attachments: strip)",
    "allow": "sent unscanned (policy attachments: allow)",
}


@dataclass(frozen=True, slots=True)
class _Hit:
    rule_id: str
    action: Action
    reason: str


def scope_of(prompt: InboundPrompt, policy: Policy) -> ScopedPolicy:
    """Return the policy as it applies to this prompt's tenant, app and destination."""
    destination = policy.destination_for(prompt.model)
    return policy.scoped(prompt.tenant, prompt.app, destination.name if destination else None)


def _max_level(levels: Sequence[str], floor: str) -> str:
    return max((floor, *levels), key=LEVELS.index)


def _prompt_hits(prompt: InboundPrompt, scoped: ScopedPolicy) -> list[_Hit]:
    hits = []
    if prompt.user in scoped.opted_out_users:
        hits.append(_Hit(OPTED_OUT_RULE_ID, Action.BLOCK, "user opted out"))
    chars = sum(len(m.content) for m in prompt.messages)
    size = sum(len(m.content.encode("utf-8")) for m in prompt.messages)
    limits = scoped.limits
    if limits.max_prompt_chars is not None and chars > limits.max_prompt_chars:
        hits.append(
            _Hit(
                MAX_SIZE_RULE_ID,
                Action.BLOCK,
                f"prompt is {chars} characters, over the limit of {limits.max_prompt_chars}",
            )
        )
    elif limits.max_prompt_bytes is not None and size > limits.max_prompt_bytes:
        hits.append(
            _Hit(
                MAX_SIZE_RULE_ID,
                Action.BLOCK,
                f"prompt is {size} bytes, over the limit of {limits.max_prompt_bytes}",
            )
        )
    if prompt.attachments:
        action = scoped.attachments
        parts = ", ".join(f"{a.type} at {a.path}" for a in prompt.attachments)
        noun = "attachment" if len(prompt.attachments) == 1 else "attachments"
        hits.append(
            _Hit(
                f"attachments.{action}",
                ATTACHMENT_ACTION[action],
                f"{len(prompt.attachments)} {noun} ({parts}) {_ATTACHMENT_VERB[action]}",
            )
        )
    names = [k for k in prompt.request if k not in ("model", "messages")]
    blocked = scoped.parameters.blocked(names)
    if blocked:
        hits.append(_Hit("parameters.block", Action.BLOCK,
                         f"parameter(s) {', '.join(blocked)} not allowed here"))
    dropped = [n for n in scoped.parameters.dropped(names) if n not in blocked]
    if dropped:
        hits.append(_Hit("parameters.drop", Action.REDACT,
                         f"parameter(s) {', '.join(dropped)} removed before sending"))
    if scoped.policy.destinations and scoped.destination is None:
        hits.append(
            _Hit(
                UNKNOWN_DESTINATION_RULE_ID,
                Action.BLOCK,
                f"model {prompt.model!r} is not served by any allowed destination",
            )
        )
    return hits


def _finding_hits(judged: Sequence[tuple[Finding, Rule]]) -> list[_Hit]:
    by_rule: dict[str, tuple[Rule, list[str]]] = {}
    for finding, rule in judged:
        by_rule.setdefault(rule.id, (rule, []))[1].append(finding.entity_type)
    hits = []
    for rid, (rule, types) in by_rule.items():
        kinds = ", ".join(sorted(set(types)))
        noun = "finding" if len(types) == 1 else "findings"
        hits.append(_Hit(rid, rule.action, f"{len(types)} {noun} ({kinds}) → {rule.action}"))
    return hits


def decide(
    prompt: InboundPrompt,
    findings: Sequence[Finding],
    policy: Policy,
    *,
    detector_version: str = "",
) -> Decision:
    """Judge ``prompt`` given the detector's ``findings``: action, rule ids, reasons."""
    scoped = scope_of(prompt, policy)
    judged = [(f, rule) for f in findings if (rule := scoped.rule_for(f)) is not None]
    hits = _prompt_hits(prompt, scoped) + _finding_hits(judged)
    classification = _max_level([scoped.level_of(f) for f, _ in judged], policy.clean_level)
    destination = scoped.destination
    if destination is not None:
        in_clear = [scoped.level_of(f) for f, r in judged if r.action is Action.ALLOW]
        sent = _max_level(in_clear, policy.clean_level)
        if sent not in destination.classifications:
            hits.append(
                _Hit(
                    f"destination:{destination.name}",
                    Action.BLOCK,
                    f"{sent} content may not be sent to {destination.name}",
                )
            )
    if not hits:
        hits.append(_Hit(CLEAN_RULE_ID, Action.ALLOW, "no sensitive data found"))
    return Decision(
        action=max((h.action for h in hits), key=lambda a: a.severity),
        rule_ids=tuple(dict.fromkeys(h.rule_id for h in hits)),
        reasons=tuple(h.reason for h in hits),  # reasons[i] explains rule_ids[i]
        classification=classification,
        destination=destination.name if destination else None,
        policy_version=policy.version,
        detector_version=detector_version,
        attachments=tuple(
            Attachment(a.path, a.type, scoped.attachments) for a in prompt.attachments
        ),
    )


def explain(
    prompt: InboundPrompt, findings: Sequence[Finding], policy: Policy
) -> list[dict[str, Any]]:
    """One row per prompt-wide rule and per finding: which rule, which action, why."""
    scoped = scope_of(prompt, policy)
    rows: list[dict[str, Any]] = [
        {"scope": "prompt", "rule_id": h.rule_id, "action": str(h.action), "why": h.reason}
        for h in _prompt_hits(prompt, scoped)
    ]
    for f in findings:
        judgement = scoped.judge(f)
        rule = judgement.rule
        row: dict[str, Any] = {
            "scope": "finding",
            **f.to_dict(),
            "rule_id": rule.id if rule else None,
            "action": str(rule.action) if rule else "ignored",
            "why": judgement.why,
            "classification": scoped.level_of(f) if rule else None,
        }
        if rule is not None and rule.action is not Action.ALLOW:
            row["operator"] = scoped.operator_for(rule).name
        rows.append(row)
    return rows


def _prompt_from_dict(event: Mapping[str, Any]) -> InboundPrompt:
    """Any event about a prompt (inbound v1/v2, approved, quarantine) as a record."""
    from pipeline.ingest.parse import inbound_from_dict, upgrade_v1

    data = dict(event)
    if "request" not in data:
        data = upgrade_v1({"messages": [], **data})
    return inbound_from_dict(data)


def explain_event(
    event: Mapping[str, Any],
    findings: Sequence[Finding | Mapping[str, Any]] | None,
    policy: Policy,
) -> dict[str, Any]:
    """``policy explain EVENT.json``: the decision and per-finding rows for an event dict.

    ``findings`` may be ``Finding`` records or their dicts; ``None`` takes the
    event's own ``findings`` (approved/quarantine events carry them).
    """
    raw = event.get("findings", []) if findings is None else findings
    parsed = [f if isinstance(f, Finding) else Finding.from_dict(f) for f in raw]
    prompt = _prompt_from_dict(event)
    return {
        "decision": decide(prompt, parsed, policy).to_dict(),
        "rules": explain(prompt, parsed, policy),
    }
