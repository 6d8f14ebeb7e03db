"""Guarding a whole ``chat.completion``: every text of every choice, tool arguments value by value.

Scanned, per choice: ``message.content``, ``message.refusal``, each tool call's
``function.arguments`` (or a custom tool's ``input``), a legacy ``function_call``'s
arguments and an audio answer's ``transcript``. Arguments that parse as JSON are
scanned key by key and value by value (numbers too: a card number is often an
integer) and written back as JSON, so what the app receives still parses; arguments
that are not JSON are scanned as text. Findings are located by path, as on the request side:
``choices[0].message.tool_calls[0].function.arguments/customer/email``.

JSON-mode content (it parses as an object or array) is guarded the same way as
arguments, so it stays valid JSON. What the guard cannot vouch for is dropped rather
than delivered: a choice's ``logprobs`` once anything was found in the choice, and its
alternatives that carry a finding (``logprobs.py``; each removal is reported for the
audit record), and an audio answer's ``data`` once its transcript had a finding.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from pipeline.dispatch.guard import GuardSession
from pipeline.dispatch.logprobs import guard_logprobs
from pipeline.events import Finding
from pipeline.ingest.json_text import JsonRender, parse_json_container, rewrite_json
from pipeline.ingest.segments import Segment, TooDeep, hidden_keys, public_path

__all__ = ["guard_completion", "guard_json_text", "wire_finding"]


def wire_finding(finding: Finding, path: str, offset: int = 0) -> dict[str, Any]:
    """A v2 finding (schemas/v2/common.json#/$defs/finding): located by path, no value."""
    return {
        "entity_type": finding.entity_type,
        "category": str(finding.category),
        "path": path,
        "start": finding.start + offset,
        "end": finding.end + offset,
        "score": round(finding.score, 4),
        "detector": finding.detector,
    }


async def guard_json_text(
    session: GuardSession, text: str, path: str
) -> tuple[str, list[dict[str, Any]]]:
    """Guard one string that may hold JSON (tool arguments, JSON-mode content).

    JSON is scanned the way the request side scans it (``pipeline.ingest.json_text``): one
    text of ``key: value`` lines, so a value keeps its key as context, and every key is
    scanned too (``{"jane.doe@corp.com": {...}}`` puts the value in a key). Each key or value
    with a finding is rendered on its own and written back in place, so the result is still
    valid JSON; a redacted number becomes a string. Anything else is scanned as text.
    """
    parsed = parse_json_container(text)
    render = JsonRender(())
    try:
        if parsed is not None:
            render.value(parsed, (), 0)
    except TooDeep:
        parsed = None
    if parsed is None:
        [found] = await session.detect([text])
        return session.render(text, found), [wire_finding(f, path) for f in found]
    if not render.segments:
        return text, []
    whole = "".join(render.parts)
    [found] = await session.detect([whole])
    per_segment = [
        [  # clipped to each key or value it touches
            replace(f, start=max(f.start, seg.start) - seg.start,
                    end=min(f.end, seg.end) - seg.start)
            for f in found if f.start < seg.end and seg.start < f.end
        ]
        for seg in render.segments
    ]
    flagged = {seg.path for seg, mine in zip(render.segments, per_segment, strict=True) if mine}
    hidden = hidden_keys(render.segments, flagged)
    findings: list[dict[str, Any]] = []
    edits: list[tuple[Segment, str]] = []
    for seg, mine in zip(render.segments, per_segment, strict=True):
        seg_text = whole[seg.start : seg.end]
        findings += [wire_finding(f, path + public_path(seg, hidden)) for f in mine]
        rendered = session.render(seg_text, mine)  # also re-identifies placeholders
        if rendered != seg_text:
            edits.append((seg, rendered))
    # Untouched JSON is delivered byte for byte as the model wrote it.
    return (rewrite_json(text, edits) if edits else text), findings


async def _guard_text(
    session: GuardSession, holder: dict[str, Any], field: str, path: str
) -> list[dict[str, Any]]:
    text = holder.get(field)
    if not isinstance(text, str) or not text:
        return []
    [found] = await session.detect([text])
    holder[field] = session.render(text, found)
    return [wire_finding(f, path) for f in found]


async def _guard_choice(
    session: GuardSession, choice: dict[str, Any], at: str, withheld: list[dict[str, str]]
) -> list[dict[str, Any]]:
    message = choice["message"]
    base = f"{at}.message"
    content = message.get("content")
    if isinstance(content, str) and parse_json_container(content) is not None:
        # JSON mode / structured outputs: keys and values, written back as valid JSON.
        message["content"], findings = await guard_json_text(
            session, content, base + ".content"
        )
    else:
        findings = await _guard_text(session, message, "content", base + ".content")
    findings += await _guard_text(session, message, "refusal", base + ".refusal")
    for k, call in enumerate(message.get("tool_calls") or ()):
        for kind, field in (("function", "arguments"), ("custom", "input")):
            holder = call.get(kind) if isinstance(call, dict) else None
            if isinstance(holder, dict) and isinstance(holder.get(field), str):
                path = f"{base}.tool_calls[{k}].{kind}.{field}"
                holder[field], found = await guard_json_text(session, holder[field], path)
                findings += found
    legacy = message.get("function_call")
    if isinstance(legacy, dict) and isinstance(legacy.get("arguments"), str):
        legacy["arguments"], found = await guard_json_text(
            session, legacy["arguments"], base + ".function_call.arguments"
        )
        findings += found
    audio = message.get("audio")
    if isinstance(audio, dict):
        spoken = await _guard_text(session, audio, "transcript", base + ".audio.transcript")
        if spoken:
            audio.pop("data", None)  # the speech says what the transcript no longer does
        findings += spoken
    if choice.get("logprobs") is not None:  # their tokens would spell out what was redacted
        choice["logprobs"], dropped = await guard_logprobs(
            session, choice["logprobs"], bool(findings), at
        )
        withheld += dropped
    return findings


async def guard_completion(
    session: GuardSession, body: dict[str, Any], withheld: list[dict[str, str]] | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A guarded deep copy of the completion, and every finding in it (by path).

    What was removed rather than redacted (logprobs) is appended to ``withheld``.
    """
    out: dict[str, Any] = json.loads(json.dumps(body))
    findings: list[dict[str, Any]] = []
    dropped: list[dict[str, str]] = []
    for i, choice in enumerate(out["choices"]):
        findings += await _guard_choice(session, choice, f"choices[{i}]", dropped)
    if withheld is not None:
        withheld += dropped
    return out, findings
