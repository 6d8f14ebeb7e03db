"""``redact``: replace the spans the policy says to redact, leaving all other text as it was.

Only findings whose deciding rule redacts (or blocks: a blocked prompt's
redacted copy is safe to show) are replaced; allow-rule findings stay.
Overlapping spans of one message are merged into one, typed by the most
severe, then highest-scoring, then longest finding. Replacements are minted
in reading order (so ``<PERSON_1>`` comes before ``<PERSON_2>``) and spliced
right to left so earlier offsets stay valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.decide.policy import OperatorSpec, Policy, Rule
from pipeline.errors import DetectionError
from pipeline.events import Action, Decision, Finding, Message
from pipeline.redact.operators import OperatorContext, get_operator
from pipeline.redact.pseudonyms import PseudonymBook

__all__ = ["Span", "redact", "redaction_spans"]


@dataclass(frozen=True, slots=True)
class Span:
    """A merged range of one message to replace, with the finding that types it."""

    message_index: int
    start: int
    end: int
    entity_type: str
    operator: OperatorSpec


def _rank(item: tuple[Finding, Rule]) -> tuple[int, float, int, str]:
    finding, rule = item
    return (rule.action.severity, finding.score, finding.end - finding.start, finding.entity_type)


def redaction_spans(
    messages: Sequence[Message],
    findings: Sequence[Finding],
    decision: Decision,
    policy: Policy,
    *,
    tenant: str,
    app: str | None = None,
) -> list[Span]:
    """Return the merged spans to replace, in reading order (message, then offset)."""
    scoped = policy.scoped(tenant, app, decision.destination)
    chosen: list[tuple[Finding, Rule]] = []
    for f in findings:
        if not (0 <= f.message_index < len(messages)) or not (
            0 <= f.start < f.end <= len(messages[f.message_index].content)
        ):
            raise DetectionError("a finding's offsets fall outside its message")
        rule = scoped.rule_for(f)
        if rule is not None and rule.action is not Action.ALLOW:
            chosen.append((f, rule))
    chosen.sort(key=lambda item: (item[0].message_index, item[0].start))
    groups: list[list[tuple[Finding, Rule]]] = []
    for item in chosen:
        last = groups[-1] if groups else None
        if (
            last is not None
            and last[0][0].message_index == item[0].message_index
            and item[0].start < max(f.end for f, _ in last)
        ):
            last.append(item)
        else:
            groups.append([item])
    spans = []
    for group in groups:
        top, rule = max(group, key=_rank)
        spans.append(
            Span(
                top.message_index,
                group[0][0].start,
                max(f.end for f, _ in group),
                top.entity_type,
                scoped.operator_for(rule),
            )
        )
    return spans


def redact(
    messages: Sequence[Message],
    findings: Sequence[Finding],
    decision: Decision,
    policy: Policy,
    book: PseudonymBook,
    *,
    tenant: str,
    app: str | None = None,
    hmac_key: bytes | None = None,
) -> tuple[Message, ...]:
    """Replace every redact/block-rule finding by its operator's output; keep all else.

    ``tenant``/``app`` (and ``decision.destination``) select the same rules
    ``decide`` used. ``book`` gains the conversation's new placeholders.
    """
    texts = [m.content for m in messages]
    ctx = OperatorContext(book, hmac_key, lambda token: any(token in t for t in texts))
    replaced: list[tuple[Span, str]] = []
    for span in redaction_spans(messages, findings, decision, policy, tenant=tenant, app=app):
        value = texts[span.message_index][span.start : span.end]
        operator = get_operator(span.operator.name)
        replaced.append((span, operator(value, span.entity_type, span.operator.params, ctx)))
    out = list(texts)
    for span, replacement in reversed(replaced):
        text = out[span.message_index]
        out[span.message_index] = text[: span.start] + replacement + text[span.end :]
    return tuple(Message(m.role, content) for m, content in zip(messages, out, strict=True))
