"""Every text a Chat Completions request carries, as units the detection engine scans.

The engine takes a sequence of ``Message``-like texts; a request is much more
than its messages' strings: content parts, tool-call arguments, tool results,
``name`` fields, tool and response-format schema descriptions, ``stop``,
``user``, ``metadata`` and whatever parameter OpenAI adds next. ``request_units``
walks the whole body and returns one ``TextUnit`` per string, each made of
``Segment``s that say where in the request its characters came from, plus the
parts no text scan can read (images, audio, files) as ``Attachment``s.

Strings that hold JSON (tool-call ``arguments``, tool results) are rendered
as ``key: value`` lines, so a recognizer still sees a value's context word
("ssn: ...") and names propagate, while each value stays its own segment and
is redacted value by value (the arguments stay valid JSON). Anything the walk
does not know is scanned as text: unknown fields are never a blind spot.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pipeline.events import Attachment, Finding

__all__ = [
    "ATTACHMENT_TYPES",
    "MAX_DEPTH",
    "Loc",
    "Segment",
    "TextUnit",
    "TooDeep",
    "format_loc",
    "format_pointer",
    "locate",
    "parse_json_container",
    "request_units",
]

Loc = tuple[str | int, ...]
MAX_DEPTH = 64  # nesting walked; deeper is refused (request) or scanned as text (a JSON string)
ATTACHMENT_TYPES = frozenset({"image_url", "input_audio", "file"})

# Top-level parameters that carry no free text (numbers, flags, enums, tool names).
_NOT_TEXT = frozenset({
    "model", "messages", "temperature", "top_p", "n", "stream", "stream_options", "seed",
    "max_tokens", "max_completion_tokens", "logprobs", "top_logprobs", "presence_penalty",
    "frequency_penalty", "logit_bias", "parallel_tool_calls", "store", "modalities", "audio",
    "service_tier", "reasoning_effort", "verbosity", "tool_choice", "function_call",
})
# Keys that are identifiers or enums wherever they appear, never prose.
_STRUCTURAL = frozenset({"type", "role", "id", "tool_call_id", "detail", "format", "strict"})
# In a JSON Schema only these keys hold prose; property names and types are structure.
_SCHEMA_TEXT = frozenset({"description", "title", "examples", "default"})
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class TooDeep(ValueError):
    """A request nested deeper than ``MAX_DEPTH``: it cannot be walked, so it is refused."""


def format_loc(loc: Loc) -> str:
    """``("messages", 3, "tool_calls", 0)`` → ``messages[3].tool_calls[0]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENT.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


def format_pointer(pointer: Loc) -> str:
    """A JSON Pointer (RFC 6901) to a value inside a string's JSON."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in pointer)


@dataclass(frozen=True, slots=True)
class Segment:
    """Characters ``[start, end)`` of a unit's text, and the request string they are.

    ``loc`` is the string in the request; ``pointer`` the value inside the JSON
    that string holds (``None``: the whole string); ``key`` the member's key.
    """

    path: str
    start: int
    end: int
    loc: Loc
    pointer: Loc | None = None
    key: bool = False

    @property
    def message_index(self) -> int:
        return self.loc[1] if self.loc[0] == "messages" and isinstance(self.loc[1], int) else -1


@dataclass(frozen=True, slots=True)
class TextUnit:
    """One scannable text: what the engine sees, and where each part of it came from."""

    role: str
    text: str
    segments: tuple[Segment, ...]

    def locate(self, finding: Finding) -> list[Finding]:
        """The engine's finding (offsets in ``text``) as findings on request paths."""
        out = []
        for seg in self.segments:
            if seg.start < finding.end and finding.start < seg.end:
                out.append(
                    replace(
                        finding,
                        path=seg.path,
                        message_index=seg.message_index,
                        start=max(finding.start, seg.start) - seg.start,
                        end=min(finding.end, seg.end) - seg.start,
                    )
                )
        return out

    def segment_texts(self) -> Iterator[tuple[Segment, str]]:
        for seg in self.segments:
            yield seg, self.text[seg.start : seg.end]


def locate(units: Sequence[TextUnit], findings: Sequence[Finding]) -> list[Finding]:
    """Engine findings (``message_index`` = unit index) as findings on request paths.

    Units without segments (a prompt built from bare messages) keep the
    engine's findings as they are.
    """
    if not units:
        return list(findings)
    out: list[Finding] = []
    for f in findings:
        out.extend(units[f.message_index].locate(f))
    return out


def parse_json_container(text: str) -> Any:
    """The object/array a string holds, or ``None`` (not JSON, a bare scalar, duplicate keys).

    Duplicate keys are refused: ``json.loads`` keeps only the last, so the
    value it drops would be sent unscanned.
    """
    stripped = text.lstrip()
    if not stripped or stripped[0] not in "{[":
        return None

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)
        if len(out) != len(items):
            raise ValueError("duplicate key")
        return out

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return None


class _Render:
    """Builds a JSON unit's text, one segment per key and per string/number value."""

    def __init__(self, loc: Loc) -> None:
        self.loc = loc
        self.base = format_loc(loc)
        self.parts: list[str] = []
        self.size = 0
        self.segments: list[Segment] = []

    def piece(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def segment(self, text: str, pointer: Loc, *, key: bool = False) -> None:
        if text:
            path = self.base + format_pointer(pointer) + ("#" if key else "")
            self.segments.append(Segment(path, self.size, self.size + len(text), self.loc,
                                         pointer, key))
        self.piece(text)

    def value(self, value: Any, pointer: Loc, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise TooDeep("JSON string nested too deep")
        if isinstance(value, dict):
            for k, v in value.items():
                self.piece("  " * depth)
                self.segment(k, (*pointer, k), key=True)
                self.piece(":")
                self._member(v, (*pointer, k), depth)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self.piece("  " * depth + "-")
                self._member(v, (*pointer, i), depth)

    def _member(self, value: Any, pointer: Loc, depth: int) -> None:
        if isinstance(value, dict | list):
            self.piece("\n")
            self.value(value, pointer, depth + 1)
            return
        self.piece(" ")
        if isinstance(value, str):
            self.segment(value, pointer)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self.segment(json.dumps(value), pointer)
        else:
            self.piece(json.dumps(value))
        self.piece("\n")


def _check_depth(loc: Loc) -> None:
    if len(loc) > MAX_DEPTH:
        raise TooDeep(f"the request is nested deeper than {MAX_DEPTH} levels")


class _Walker:
    def __init__(self) -> None:
        self.units: list[TextUnit] = []
        self.attachments: list[Attachment] = []

    def text(self, role: str, loc: Loc, value: Any, *, json_aware: bool = False) -> None:
        if not isinstance(value, str) or not value:
            return
        parsed = parse_json_container(value) if json_aware else None
        if parsed is None:
            whole = Segment(format_loc(loc), 0, len(value), loc)
            self.units.append(TextUnit(role, value, (whole,)))
            return
        render = _Render(loc)
        try:
            render.value(parsed, (), 0)
        except TooDeep:  # scanned (and redacted) as plain text instead: nothing unscanned
            whole = Segment(format_loc(loc), 0, len(value), loc)
            self.units.append(TextUnit(role, value, (whole,)))
            return
        if render.segments:
            self.units.append(TextUnit(role, "".join(render.parts), tuple(render.segments)))

    def generic(self, role: str, loc: Loc, value: Any) -> None:
        """Scan every string under ``value`` except structural keys."""
        _check_depth(loc)
        if isinstance(value, str):
            self.text(role, loc, value)
        elif isinstance(value, Mapping):
            for k, v in value.items():
                if k not in _STRUCTURAL:
                    self.generic(role, (*loc, k), v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self.generic(role, (*loc, i), v)

    def schema(self, role: str, loc: Loc, value: Any) -> None:
        """A JSON Schema (tool parameters, response format): its prose, not its structure."""
        _check_depth(loc)
        if isinstance(value, Mapping):
            for k, v in value.items():
                if k in _SCHEMA_TEXT:
                    self.generic(role, (*loc, k), v)
                else:
                    self.schema(role, (*loc, k), v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self.schema(role, (*loc, i), v)

    def content(self, role: str, loc: Loc, content: Any) -> None:
        results = role in ("tool", "function")
        if isinstance(content, str):
            self.text(role, loc, content, json_aware=results)
            return
        for k, part in enumerate(content if isinstance(content, list) else ()):
            here = (*loc, k)
            kind = part.get("type") if isinstance(part, Mapping) else None
            if kind in ATTACHMENT_TYPES:
                self.attachments.append(Attachment(format_loc(here), str(kind)))
                inner = part.get(kind)
                if kind == "file" and isinstance(inner, Mapping):
                    self.text(role, (*here, "file", "filename"), inner.get("filename"))
                for key, v in part.items():
                    if key not in (kind, "type"):
                        self.generic(role, (*here, key), v)
            elif kind == "text" and isinstance(part, Mapping):
                self.text(role, (*here, "text"), part.get("text"), json_aware=results)
                self._rest(role, here, part, ("text",))
            else:
                self.generic(role, here, part)

    def _rest(self, role: str, loc: Loc, obj: Mapping[str, Any], done: Sequence[str]) -> None:
        for key, v in obj.items():
            if key not in done and key not in _STRUCTURAL:
                self.generic(role, (*loc, key), v)

    def call(self, role: str, loc: Loc, call: Any) -> None:
        """A function call (``arguments`` is JSON) or a custom tool call (``input`` is text)."""
        if not isinstance(call, Mapping):
            return
        for key, v in call.items():
            if isinstance(v, str):
                self.text(role, (*loc, key), v, json_aware=key == "arguments")
            else:
                self.generic(role, (*loc, key), v)

    def message(self, index: int, message: Mapping[str, Any]) -> None:
        role = str(message.get("role", ""))
        loc: Loc = ("messages", index)
        for key, v in message.items():
            if key == "content":
                self.content(role, (*loc, "content"), v)
            elif key == "tool_calls" and isinstance(v, list):
                for j, tc in enumerate(v):
                    if not isinstance(tc, Mapping):
                        continue
                    for ck, cv in tc.items():
                        if ck in ("function", "custom"):
                            self.call(role, (*loc, "tool_calls", j, ck), cv)
                        elif ck not in _STRUCTURAL:
                            self.generic(role, (*loc, "tool_calls", j, ck), cv)
            elif key == "function_call":
                self.call(role, (*loc, key), v)
            elif key == "audio":
                continue  # a reference to an earlier audio answer: an id
            elif key not in _STRUCTURAL:
                self.generic(role, (*loc, key), v)

    def tool(self, loc: Loc, tool: Any) -> None:
        if not isinstance(tool, Mapping):
            return
        for key, v in tool.items():
            if key in ("function", "custom") and isinstance(v, Mapping):
                for fk, fv in v.items():
                    if fk == "parameters":
                        self.schema("tool", (*loc, key, fk), fv)
                    elif fk not in _STRUCTURAL or fk == "format":  # a custom tool's grammar
                        self.generic("tool", (*loc, key, fk), fv)
            elif key == "parameters":  # legacy ``functions`` entries
                self.schema("tool", (*loc, key), v)
            elif key not in _STRUCTURAL:
                self.generic("tool", (*loc, key), v)


def request_units(
    request: Mapping[str, Any],
) -> tuple[tuple[TextUnit, ...], tuple[Attachment, ...]]:
    """All scannable texts of a (schema-valid) request, in reading order, and its attachments."""
    walker = _Walker()
    messages = request.get("messages")
    for i, m in enumerate(messages if isinstance(messages, list) else ()):
        if isinstance(m, Mapping):
            walker.message(i, m)
    for key, v in request.items():
        if key in ("tools", "functions") and isinstance(v, list):
            for j, tool in enumerate(v):
                walker.tool((key, j), tool)
        elif key == "response_format" and isinstance(v, Mapping):
            spec = v.get("json_schema")
            if isinstance(spec, Mapping):
                for sk, sv in spec.items():
                    loc: Loc = (key, "json_schema", sk)
                    if sk == "schema":
                        walker.schema("request", loc, sv)
                    else:
                        walker.generic("request", loc, sv)
        elif key not in _NOT_TEXT:
            walker.generic("request", (key,), v)
    return tuple(walker.units), tuple(walker.attachments)
