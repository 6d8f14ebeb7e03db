"""The project's own outcome-level scorer for ``prompt-dlp eval``.

A labelled corpus has one event per line with ``labels`` (``message``,
``start``, ``end``, ``text``, ``kind``, ``cls`` = block|redact) and an
``expected_action``; the outputs are ``scan`` results (``id``, ``action``,
``messages`` as sent, null when blocked). The definitions follow the dev
corpus's scorer so figures compare, but nothing here needs that file: a label
*leaks* when its exact text appears in any message sent on; a missing output
counts as "allow, unchanged" (fail open). Character-level exposure is left to
the dev corpus's scorer, which ``eval`` runs as well when it is present.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["ACTIONS", "format_report", "load_jsonl", "score"]

ACTIONS = ("allow", "redact", "block")


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _ratio(num: float, den: float) -> float | None:
    return None if den == 0 else num / den


def _sent(event: Mapping[str, Any], output: Mapping[str, Any] | None, action: str) -> list[str]:
    """The message texts sent on (empty when blocked)."""
    if action == "block":
        return []
    messages = (output or {}).get("messages")
    if messages is None:
        messages = event["messages"]
    return [str(m.get("content") or "") if isinstance(m, dict) else str(m) for m in messages]


def score(
    corpus: Sequence[Mapping[str, Any]], outputs: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """The report dict: confusion, accuracy, block recall/precision, leak and over-redaction."""
    by_id = {o.get("id"): o for o in outputs}
    confusion = {e: dict.fromkeys(ACTIONS, 0) for e in ACTIONS}
    leaks: dict[str, Counter[str]] = {}
    counts: Counter[str] = Counter()
    for event in corpus:
        output = by_id.get(event["id"])
        action = output.get("action") if output else "allow"
        if action not in ACTIONS:
            counts["invalid_actions"] += 1
            action = "allow"
        counts["missing_outputs"] += output is None
        expected = event["expected_action"]
        confusion[expected][action] += 1
        sent = _sent(event, output, action)
        original = [m["content"] for m in event["messages"]]
        if expected == "allow" and action != "block" and sent != original:
            counts["allow_altered"] += 1
        for label in event["labels"]:
            leaked = any(label["text"] in text for text in sent)
            for key in (label["kind"], "_cls_" + label["cls"], "_all"):
                tally = leaks.setdefault(key, Counter())
                tally["n"] += 1
                tally["leaked"] += leaked

    def leak_rate(key: str) -> float | None:
        tally = leaks.get(key, Counter())
        return _ratio(tally["leaked"], tally["n"])

    expected_n = {e: sum(confusion[e].values()) for e in ACTIONS}
    actual_n = {a: sum(confusion[e][a] for e in ACTIONS) for a in ACTIONS}
    return {
        "n_events": len(corpus),
        "n_labels": leaks.get("_all", Counter())["n"],
        "missing_outputs": counts["missing_outputs"],
        "invalid_actions": counts["invalid_actions"],
        "expected_actions": expected_n,
        "actual_actions": actual_n,
        "confusion": confusion,
        "action_accuracy": _ratio(sum(confusion[a][a] for a in ACTIONS), len(corpus)),
        "block_recall": _ratio(confusion["block"]["block"], expected_n["block"]),
        "block_precision": _ratio(confusion["block"]["block"], actual_n["block"]),
        "over_blocking": _ratio(confusion["allow"]["block"], expected_n["allow"]),
        "over_redaction_events": _ratio(counts["allow_altered"], expected_n["allow"]),
        "leak_rate": {
            "all": leak_rate("_all"),
            "block_class": leak_rate("_cls_block"),
            "redact_class": leak_rate("_cls_redact"),
        },
        "per_kind": {
            kind: {"n": t["n"], "leaked": t["leaked"], "leak_rate": _ratio(t["leaked"], t["n"])}
            for kind, t in sorted(leaks.items())
            if not kind.startswith("_")
        },
    }


def _pct(value: float | None) -> str:
    return "  -  " if value is None else f"{100 * value:5.1f}%"


def format_report(report: Mapping[str, Any], name: str) -> str:
    leak = report["leak_rate"]
    lines = [
        f"== {name}: {report['n_events']} events, {report['n_labels']} labels"
        f" (missing outputs: {report['missing_outputs']})",
        f"action accuracy {_pct(report['action_accuracy'])} | block recall "
        f"{_pct(report['block_recall'])} | over-blocking {_pct(report['over_blocking'])}"
        f" | allow events altered {_pct(report['over_redaction_events'])}",
        f"leak rate: all {_pct(leak['all'])}  block-class {_pct(leak['block_class'])}"
        f"  redact-class {_pct(leak['redact_class'])}",
        "confusion (rows expected, columns actual):  allow  redact   block",
    ]
    for expected in ACTIONS:
        row = report["confusion"][expected]
        lines.append(f"  {expected:<7} {row['allow']:7d} {row['redact']:7d} {row['block']:7d}")
    for kind, tally in report["per_kind"].items():
        lines.append(f"  {kind:<24} n={tally['n']:<5d} leak {_pct(tally['leak_rate'])}")
    return "\n".join(lines)
