"""Guarding a whole ``chat.completion``: every text of every choice, tool arguments value by value.

Scanned, per choice: ``message.content``, ``message.refusal``, each tool call's
``function.arguments`` (or a custom tool's ``input``), a legacy ``function_call``'s
arguments and an audio answer's ``transcript``. Arguments that parse as JSON are
scanned string by string (numbers too: a card number is often an integer) and
written back as JSON, so what the app receives still parses; arguments that are
not JSON are scanned as text. Findings are located by path, as on the request side:
``choices[0].message.tool_calls[0].function.arguments/customer/email``.

What the guard cannot vouch for is dropped rather than delivered: a choice's
``logprobs`` (their tokens spell the text out) once anything was found in its text,
and an audio answer's ``data`` once its transcript had a finding.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pipeline.dispatch.guard import GuardSession
from pipeline.events import Finding

__all__ = ["guard_completion", "guard_json_text", "pointer", "wire_finding"]


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


def pointer(parts: tuple[str | int, ...]) -> str:
    """RFC 6901 JSON Pointer of a value inside a JSON document."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


@dataclass
class _Leaf:
    parts: tuple[str | int, ...]
    text: str
    number: bool


def _leaves(value: Any, parts: tuple[str | int, ...] = ()) -> Iterator[_Leaf]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, (*parts, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, (*parts, i))
    elif isinstance(value, str):
        yield _Leaf(parts, value, False)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield _Leaf(parts, json.dumps(value), True)


def _put(doc: Any, parts: tuple[str | int, ...], value: Any) -> Any:
    if not parts:
        return value
    doc[parts[0]] = _put(doc[parts[0]], parts[1:], value)
    return doc


async def guard_json_text(
    session: GuardSession, text: str, path: str
) -> tuple[str, list[dict[str, Any]]]:
    """Guard one string that may hold JSON (tool arguments); return it and its findings."""
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    leaves = list(_leaves(doc)) if isinstance(doc, dict | list) else []
    if not leaves:
        [found] = await session.detect([text])
        return session.render(text, found), [wire_finding(f, path) for f in found]
    found_all = await session.detect([leaf.text for leaf in leaves])
    findings: list[dict[str, Any]] = []
    changed = False
    for leaf, found in zip(leaves, found_all, strict=True):
        rendered = session.render(leaf.text, found)
        findings += [wire_finding(f, path + pointer(leaf.parts)) for f in found]
        if rendered != leaf.text:
            changed = True
            doc = _put(doc, leaf.parts, rendered)  # a redacted number becomes a string
    # Untouched arguments are delivered byte for byte as the model wrote them.
    return (json.dumps(doc, ensure_ascii=False) if changed else text), findings


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
    session: GuardSession, choice: dict[str, Any], at: str
) -> list[dict[str, Any]]:
    message = choice["message"]
    base = f"{at}.message"
    texts = await _guard_text(session, message, "content", base + ".content")
    texts += await _guard_text(session, message, "refusal", base + ".refusal")
    if texts and choice.get("logprobs") is not None:
        choice["logprobs"] = None  # their tokens would spell out what was just redacted
    findings = texts
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
    return findings


async def guard_completion(
    session: GuardSession, body: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A guarded deep copy of the completion, and every finding in it (by path)."""
    out: dict[str, Any] = json.loads(json.dumps(body))
    findings: list[dict[str, Any]] = []
    for i, choice in enumerate(out["choices"]):
        findings += await _guard_choice(session, choice, f"choices[{i}]")
    return out, findings
