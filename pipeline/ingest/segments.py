"""Where each character a detector scans came from in a request: segments, units, paths.

A ``TextUnit`` is one text the detection engine scans; its ``Segment``s map
ranges of that text back to a string of the request (``loc``), and for a
string that holds JSON to a value inside it (``pointer``). Paths are written
``messages[3].tool_calls[0].function.arguments/customer/email`` (a JSON path,
then a JSON Pointer; a trailing ``#`` is the member's key).

A key can itself be a value (``{"jane@corp.com": {...}}``), and a path written in a
record must never carry one: ``public_paths`` names every key that had a finding by its
position in its object instead (``…/#0#``, ``…/#0/plan`` below it), and
``public_index`` finds those paths again in the original (quarantine review, release).
The answer guard names keys the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from pipeline.events import Finding

__all__ = [
    "MAX_DEPTH",
    "Loc",
    "Segment",
    "TextUnit",
    "TooDeep",
    "format_loc",
    "format_pointer",
    "hidden_keys",
    "locate",
    "public_findings",
    "public_index",
    "public_path",
]

Loc = tuple[str | int, ...]
MAX_DEPTH = 64  # nesting walked; deeper is refused (request) or scanned as text (a JSON string)
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
    that string holds (``None``: the whole string); ``key`` the member's key;
    ``positions`` the pointer with each object key replaced by its member position.
    """

    path: str
    start: int
    end: int
    loc: Loc
    pointer: Loc | None = None
    key: bool = False
    positions: tuple[int, ...] | None = None

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


Hidden = set[tuple[Loc, Loc]]  # (loc, pointer) of each key written by position


def hidden_keys(segments: Iterable[Segment], flagged: set[str]) -> Hidden:
    """The keys among ``segments`` whose own path had a finding."""
    return {
        (seg.loc, seg.pointer)
        for seg in segments
        if seg.key and seg.pointer is not None and seg.path in flagged
    }


def public_path(seg: Segment, hidden: Hidden) -> str:
    """``seg.path`` with every hidden key on its pointer written as ``#<position>``."""
    if seg.pointer is None or seg.positions is None or not hidden:
        return seg.path
    parts: list[str | int] = [
        f"#{seg.positions[d]}" if (seg.loc, seg.pointer[: d + 1]) in hidden else part
        for d, part in enumerate(seg.pointer)
    ]
    return format_loc(seg.loc) + format_pointer(tuple(parts)) + ("#" if seg.key else "")


def public_findings(units: Sequence[TextUnit], findings: Sequence[Finding]) -> list[Finding]:
    """Located findings as records carry them: no key that had a finding spelled out."""
    hidden = hidden_keys((s for u in units for s in u.segments), {f.path for f in findings})
    if not hidden:
        return list(findings)
    public = {seg.path: public_path(seg, hidden) for unit in units for seg in unit.segments}
    return [replace(f, path=public.get(f.path, f.path)) for f in findings]


def public_index(segments: Sequence[Segment], paths: set[str]) -> dict[str, int]:
    """Each segment's index under its path as ``public_findings`` wrote it for ``paths``.

    Shallow keys first: whether a key was hidden decides how the paths below it read.
    """
    hidden: Hidden = set()
    keys = [s for s in segments if s.key and s.pointer is not None]
    for seg in sorted(keys, key=lambda s: len(s.pointer or ())):
        assert seg.pointer is not None
        mark = (seg.loc, seg.pointer)
        if public_path(seg, hidden | {mark}) in paths and seg.path not in paths:
            hidden.add(mark)
    return {public_path(seg, hidden): i for i, seg in enumerate(segments)}
