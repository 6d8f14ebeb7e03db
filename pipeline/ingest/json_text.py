"""Strings that hold JSON (tool-call arguments, tool results) as scannable text.

The JSON is rendered as ``key: value`` lines so a recognizer sees a value's
context word (``ssn: ...``) and names propagate, while every key and every
string or number value is its own segment, redacted value by value so the
string stays valid JSON (``rewrite_json``: the request side and the answer guard both
write their redactions back through it, keys included).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pipeline.errors import DetectionError
from pipeline.ingest.segments import MAX_DEPTH, Loc, Segment, TooDeep, format_loc, format_pointer

__all__ = ["JsonRender", "parse_json_container", "rewrite_json"]


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

    def segment(
        self, text: str, pointer: Loc, positions: tuple[int, ...], *, key: bool = False
    ) -> None:
        if text:
            path = self.base + format_pointer(pointer) + ("#" if key else "")
            self.segments.append(Segment(path, self.size, self.size + len(text), self.loc,
                                         pointer, key, positions))
        self.piece(text)

    def value(
        self, value: Any, pointer: Loc, depth: int, positions: tuple[int, ...] = ()
    ) -> None:
        if depth > MAX_DEPTH:
            raise TooDeep("JSON string nested too deep")
        if isinstance(value, dict):
            for i, (k, v) in enumerate(value.items()):
                self.piece("  " * depth)
                self.segment(k, (*pointer, k), (*positions, i), key=True)
                self.piece(":")
                self._member(v, (*pointer, k), depth, (*positions, i))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self.piece("  " * depth + "-")
                self._member(v, (*pointer, i), depth, (*positions, i))

    def _member(self, value: Any, pointer: Loc, depth: int, positions: tuple[int, ...]) -> None:
        if isinstance(value, dict | list):
            self.piece("\n")
            self.value(value, pointer, depth + 1, positions)
            return
        self.piece(" ")
        if isinstance(value, str):
            self.segment(value, pointer, positions)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self.segment(json.dumps(value), pointer, positions)
        else:
            self.piece(json.dumps(value))
        self.piece("\n")


def _get(root: Any, loc: Loc) -> Any:
    for part in loc:
        root = root[part]
    return root


def rewrite_json(original: str, edits: Sequence[tuple[Segment, str]]) -> str:
    """``original`` with each segment's new text written back, still valid JSON.

    Values first (by their original keys), then keys, deepest first.
    A renamed key that collides with a sibling would silently drop a member, so it raises.
    """
    data = parse_json_container(original)
    if data is None:
        raise DetectionError("a JSON string no longer parses")
    for seg, text in edits:
        if not seg.key and seg.pointer:
            _get(data, seg.pointer[:-1])[seg.pointer[-1]] = text
    keys = [(seg, text) for seg, text in edits if seg.key and seg.pointer]
    for seg, text in sorted(keys, key=lambda e: -len(e[0].pointer or ())):
        pointer = seg.pointer or ()
        parent = _get(data, pointer[:-1])
        if text in parent:
            raise DetectionError("a redacted key collides with another key")
        renamed = {(text if k == pointer[-1] else k): v for k, v in parent.items()}
        if len(pointer) == 1:
            data = renamed
        else:
            _get(data, pointer[:-2])[pointer[-2]] = renamed
    return json.dumps(data, ensure_ascii=False)
