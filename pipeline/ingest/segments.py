"""Where each character a detector scans came from in a request: segments, units, paths.

A ``TextUnit`` is one text the detection engine scans; its ``Segment``s map
ranges of that text back to a string of the request (``loc``), and for a
string that holds JSON to a value inside it (``pointer``). Paths are written
``messages[3].tool_calls[0].function.arguments/customer/email`` (a JSON path,
then a JSON Pointer; a trailing ``#`` is the member's key).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
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
    "locate",
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
