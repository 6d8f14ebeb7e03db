"""How the CLI prints items: a plain table, a text page, or JSON (formatting only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson

from pipeline.quarantine.masking import MaskedMessage
from pipeline.quarantine.model import QuarantineItem
from pipeline.quarantine.views import age_text, item_dict, masked_dicts

__all__ = ["item_json", "item_text", "items_json", "items_table"]


def _dumps(data: object) -> str:
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()


def items_json(items: Sequence[QuarantineItem]) -> str:
    return _dumps([item_dict(i) for i in items])


def items_table(items: Sequence[QuarantineItem], now: datetime) -> str:
    rows = [("ID", "STATE", "TENANT", "USER", "AGE", "REASONS")]
    rows += [(i.id, str(i.state), i.tenant, str(i.record.get("user", "")),
              age_text(i.age_seconds(now)), "; ".join(i.reasons)) for i in items]
    widths = [max(len(r[c]) for r in rows) for c in range(5)]
    return "\n".join(
        "  ".join(col.ljust(w) for col, w in zip(r[:5], widths, strict=True)) + "  " + r[5]
        for r in rows
    )


def item_json(item: QuarantineItem, masked: list[MaskedMessage] | None) -> str:
    return _dumps({**item_dict(item), "masked": masked_dicts(masked)})


def item_text(item: QuarantineItem, masked: list[MaskedMessage] | None) -> str:
    rec, lines = item.record, []
    lines.append(f"{item.id}  [{item.state}]  tenant={item.tenant} user={rec.get('user')}")
    lines.append(f"model={rec.get('model')} quarantined_at={rec.get('quarantined_at')}")
    lines.append("reasons: " + "; ".join(item.reasons))
    lines.append("findings:")
    for n, f in enumerate(item.findings):
        fp = "  (false positive)" if n in item.false_positives else ""
        lines.append(f"  #{n} {f['entity_type']} ({f['category']}, {f['detector']}, "
                     f"score {f['score']}) {_where(f)} "
                     f"[{f['start']}:{f['end']}]{fp}")
    if masked is not None:
        lines.append("prompt (masked):")
        for m in masked:
            text = "".join(f"{s.text} [{'|'.join(s.labels)}]" if s.masked else s.text
                           for s in m.segments)
            lines.append(f"--- {m.role}\n{text}")
    lines.append("history:")
    lines += [f"  {h.at} {h.actor} {h.action} -> {h.state}"
              + (f": {h.justification}" if h.justification else "") for h in item.history]
    return "\n".join(lines)


def _where(finding: dict[str, Any]) -> str:
    """Where a finding is: its JSON path (v2) or its message number (v1)."""
    return f"at {finding['path']}" if "path" in finding else f"message {finding['message_index']}"
