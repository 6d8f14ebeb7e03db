"""Plain-data shapes of items shared by the JSON API and the CLI (never the envelope)."""

from __future__ import annotations

from typing import Any

from pipeline.quarantine.masking import MaskedMessage
from pipeline.quarantine.model import QuarantineItem

__all__ = ["age_text", "item_dict", "masked_dicts"]


def item_dict(item: QuarantineItem) -> dict[str, Any]:
    """Clear fields, state and history; whether the original still exists, not what it is."""
    return {
        **item.record,
        "state": str(item.state),
        "version": item.version,
        "original_available": item.original is not None,
        "false_positives": sorted(item.false_positives),
        "history": [h.to_dict() for h in item.history],
    }


def masked_dicts(masked: list[MaskedMessage] | None) -> list[dict[str, Any]] | None:
    if masked is None:
        return None
    return [{"role": m.role, "segments": [
        {"text": s.text, "labels": list(s.labels)} if s.masked else {"text": s.text}
        for s in m.segments]} for m in masked]


def age_text(seconds: float) -> str:
    """Human age: 45s, 12m, 3h 05m, 2d 04h."""
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h {s % 3600 // 60:02d}m"
    return f"{s // 86400}d {s % 86400 // 3600:02d}h"
