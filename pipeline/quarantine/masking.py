"""Turn decrypted messages plus findings into masked segments for the reviewer's view.

The masked view shows the prompt's structure and its non-flagged text, with
every flagged span replaced by a fixed-width mask and its entity label, so a
reviewer can judge context without seeing the value. Overlapping findings merge
into one mask carrying every label. This is a display, not a redaction: what a
redacted release sends comes from the policy's operators (``pipeline.redact.release``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.events import Message

__all__ = ["MASK", "MaskedMessage", "Segment", "mask_messages"]

MASK = "▮▮▮"


@dataclass(frozen=True, slots=True)
class Segment:
    """Clear text (``labels`` empty) or a masked span with its entity labels and finding indexes."""

    text: str
    labels: tuple[str, ...] = ()
    findings: tuple[int, ...] = ()

    @property
    def masked(self) -> bool:
        return bool(self.labels)


@dataclass(frozen=True, slots=True)
class MaskedMessage:
    role: str
    segments: tuple[Segment, ...]


def _spans(findings: Sequence[dict[str, Any]], index: int, size: int) -> list[list[Any]]:
    """Return merged ``[start, end, labels, indexes]`` spans of one message, clipped."""
    spans: list[list[Any]] = []
    mine = [(n, f) for n, f in enumerate(findings) if f["message_index"] == index]
    for n, f in sorted(mine, key=lambda nf: (nf[1]["start"], nf[1]["end"])):
        start, end = max(0, int(f["start"])), min(size, int(f["end"]))
        if end <= start:
            continue
        if spans and start < spans[-1][1]:
            last = spans[-1]
            last[1] = max(last[1], end)
            if f["entity_type"] not in last[2]:
                last[2].append(f["entity_type"])
            last[3].append(n)
        else:
            spans.append([start, end, [f["entity_type"]], [n]])
    return spans


def mask_messages(
    messages: Sequence[Message], findings: Sequence[dict[str, Any]]
) -> list[MaskedMessage]:
    out: list[MaskedMessage] = []
    for index, msg in enumerate(messages):
        segments: list[Segment] = []
        pos = 0
        for start, end, labels, idx in _spans(findings, index, len(msg.content)):
            if start > pos:
                segments.append(Segment(msg.content[pos:start]))
            segments.append(Segment(MASK, tuple(labels), tuple(idx)))
            pos = end
        if pos < len(msg.content):
            segments.append(Segment(msg.content[pos:]))
        out.append(MaskedMessage(msg.role, tuple(segments)))
    return out
