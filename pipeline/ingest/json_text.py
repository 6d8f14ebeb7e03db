"""Strings that hold JSON (tool-call arguments, tool results) as scannable text.

The JSON is rendered as ``key: value`` lines so a recognizer sees a value's
context word (``ssn: ...``) and names propagate, while every key and every
string or number value is its own segment, redacted value by value so the
string stays valid JSON.
"""

from __future__ import annotations

import json
from typing import Any

from pipeline.ingest.segments import MAX_DEPTH, Loc, Segment, TooDeep, format_loc, format_pointer

__all__ = ["JsonRender", "parse_json_container"]


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


class JsonRender:
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
