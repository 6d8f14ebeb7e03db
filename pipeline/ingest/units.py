"""Every text a Chat Completions request carries, as units the detection engine scans.

The engine takes a sequence of ``Message``-like texts; a request is much more
than its messages' strings: content parts, tool-call arguments, tool results,
``name`` fields, tool and response-format schema descriptions, ``stop``,
``user``, ``metadata`` and whatever parameter OpenAI adds next. ``request_units``
walks the whole body and returns one ``TextUnit`` per string, each made of
``Segment``s that say where in the request its characters came from, plus the
parts no text scan can read (images, audio, files) as ``Attachment``s.

Strings that hold JSON (tool-call ``arguments``, tool results) are rendered
by ``json_text`` value by value. Anything the walk does not know is scanned
as text: unknown fields are never a blind spot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.events import Attachment
from pipeline.ingest.json_text import JsonRender, parse_json_container
from pipeline.ingest.segments import (
    MAX_DEPTH,
    Loc,
    Segment,
    TextUnit,
    TooDeep,
    format_loc,
    format_pointer,
    locate,
)

__all__ = [
    "ATTACHMENT_TYPES",
    "MAX_DEPTH",
    "JsonRender",
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

ATTACHMENT_TYPES = frozenset({"image_url", "input_audio", "file"})

# Top-level parameters that carry no free text (numbers, flags, enums, tool names).
_NOT_TEXT = frozenset({
    "model", "messages", "temperature", "top_p", "n", "stream", "stream_options", "seed",
    "max_tokens", "max_completion_tokens", "logprobs", "top_logprobs", "presence_penalty",
    "frequency_penalty", "logit_bias", "parallel_tool_calls", "store", "modalities", "audio",
    "service_tier", "reasoning_effort", "verbosity", "tool_choice", "function_call",
    "prompt_cache_retention", "prompt_cache_options", "moderation",
})
# Keys that are identifiers or enums wherever they appear, never prose.
_STRUCTURAL = frozenset({
    "type", "role", "id", "tool_call_id", "detail", "format", "strict", "prompt_cache_breakpoint",
})
# In a JSON Schema only these keys hold prose; property names and types are structure.
_SCHEMA_TEXT = frozenset({"description", "title", "examples", "default"})


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
        render = JsonRender(loc)
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
                if kind == "image_url" and isinstance(inner, Mapping):
                    url = inner.get("url")
                    if isinstance(url, str) and not url.startswith("data:"):
                        self.text(role, (*here, "image_url", "url"), url)  # a query can carry data
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
