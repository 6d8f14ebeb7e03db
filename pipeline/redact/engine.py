"""``redact``: replace the spans the policy says to redact, leaving all other text as it was.

Only findings whose deciding rule redacts (or blocks: a blocked prompt's
redacted copy is safe to show) are replaced; allow-rule findings stay.
Overlapping spans of one message are merged into one, typed by the most
severe, then highest-scoring, then longest finding. Replacements are minted
in reading order (so ``<PERSON_1>`` comes before ``<PERSON_2>``) and spliced
right to left so earlier offsets stay valid.

``redact_request`` does the same for a whole Chat Completions request:
findings name the string they are in by JSON path (``pipeline.ingest.units``),
each string is redacted as above, and the result is written back in place in
a copy of the request; a string that holds JSON is re-encoded value by value
so it stays valid JSON. Stripped attachments are removed last.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pipeline.decide.policy import OperatorSpec, Policy, Rule
from pipeline.errors import DetectionError
from pipeline.events import Action, Decision, Finding, InboundPrompt, Message
from pipeline.ingest.json_text import rewrite_json
from pipeline.ingest.units import Loc, Segment, TextUnit
from pipeline.redact.operators import OperatorContext, get_operator
from pipeline.redact.pseudonyms import PseudonymBook

__all__ = ["Span", "apply_texts", "redact", "redact_request", "redaction_spans", "segment_findings"]


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


def segment_findings(
    units: Sequence[TextUnit], findings: Sequence[Finding]
) -> tuple[list[Segment], list[Message], list[Finding]]:
    """Every segment of ``units`` as a ``Message``, and the findings indexed by segment.

    A finding whose path names no segment is a bug upstream: fail closed.
    """
    segments: list[Segment] = []
    texts: list[Message] = []
    for unit in units:
        for seg, text in unit.segment_texts():
            segments.append(seg)
            texts.append(Message(unit.role, text))
    index = {seg.path: i for i, seg in enumerate(segments)}
    out = []
    for f in findings:
        where = index.get(f.path)
        if where is None:
            raise DetectionError("a finding names a path the request does not have")
        out.append(replace(f, message_index=where))
    return segments, texts, out


def redact_request(
    prompt: InboundPrompt,
    findings: Sequence[Finding],
    decision: Decision,
    policy: Policy,
    book: PseudonymBook,
    *,
    hmac_key: bytes | None = None,
) -> dict[str, Any]:
    """The request as sent: findings redacted, stripped parts and dropped parameters gone."""
    segments, texts, indexed = segment_findings(prompt.units, findings)
    redacted = redact(
        texts, indexed, decision, policy, book,
        tenant=prompt.tenant, app=prompt.app, hmac_key=hmac_key,
    )
    changed = [
        (seg, new.content)
        for seg, old, new in zip(segments, texts, redacted, strict=True)
        if new.content != old.content
    ]
    strip = [a.path for a in decision.attachments if a.action == "strip"]
    out = apply_texts(prompt.request, changed, strip_paths=strip)
    scoped = policy.scoped(prompt.tenant, prompt.app, decision.destination)
    for name in scoped.parameters.dropped([k for k in out if k not in ("model", "messages")]):
        del out[name]  # the policy restricts this parameter here (reason on the decision)
    return out


def apply_texts(
    request: Mapping[str, Any],
    changed: Sequence[tuple[Segment, str]],
    *,
    strip_paths: Sequence[str] = (),
) -> dict[str, Any]:
    """A copy of ``request`` with each segment's new text written where it came from.

    Deep where anything below the top level is written; a request with nothing to rewrite is
    copied at the top level only (callers delete top-level parameters, nothing deeper), which
    is most requests and saves a deep copy per prompt.
    """
    out: dict[str, Any] = (
        copy.deepcopy(dict(request)) if changed or strip_paths else dict(request)
    )
    in_json: dict[Loc, list[tuple[Segment, str]]] = {}
    for seg, text in changed:
        if seg.pointer is None:
            _set(out, seg.loc, text)
        else:
            in_json.setdefault(seg.loc, []).append((seg, text))
    for loc, edits in in_json.items():
        _set(out, loc, rewrite_json(_get(out, loc), edits))
    if strip_paths:
        _strip(out, strip_paths)
    return out


def _get(root: Any, loc: Loc) -> Any:
    for part in loc:
        root = root[part]
    return root


def _set(root: Any, loc: Loc, value: Any) -> None:
    _get(root, loc[:-1])[loc[-1]] = value


def _strip(request: dict[str, Any], paths: Sequence[str]) -> None:
    """Remove attachment parts (``messages[i].content[k]``), highest index first."""
    from pipeline.ingest.units import ATTACHMENT_TYPES, format_loc

    by_path: dict[str, tuple[int, int]] = {}
    for i, message in enumerate(request.get("messages") or ()):
        content = message.get("content") if isinstance(message, dict) else None
        for k, part in enumerate(content if isinstance(content, list) else ()):
            if isinstance(part, dict) and part.get("type") in ATTACHMENT_TYPES:
                by_path[format_loc(("messages", i, "content", k))] = (i, k)
    for i, k in sorted((by_path[p] for p in paths), reverse=True):
        content = request["messages"][i]["content"]
        del content[k]
        if not content:
            request["messages"][i]["content"] = ""
