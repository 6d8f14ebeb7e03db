"""What of a choice's ``logprobs`` may reach the app: never a second copy of a redacted value.

``logprobs.content[]`` / ``.refusal[]`` spell the raw answer out token by token
(``token`` and ``bytes``), and each entry's ``top_logprobs[]`` lists tokens the model
weighed but did not write — text the guard never saw in the answer.

- **A choice with any finding** (content, refusal, tool call, transcript) loses its
  logprobs whole (``logprobs: null``). Mapping tokens onto the guarded text was
  considered and rejected: tokens do not align with characters (one may hold half a
  UTF-8 sequence, and ``bytes`` then differ from ``token``), redaction and
  re-identification change lengths, and a placeholder spliced in as a token would
  need a log-probability the model never gave. A consumer would get made-up numbers
  or a partial copy; so nothing, and the audit record says which and why.
- **A clean choice** keeps its chosen tokens (they spell the same text the app gets),
  but every alternative that differs from the chosen token is scanned in its place
  (the chosen text before it, as context, then the alternative); one with a finding
  is removed from its list. Past ``MAX_ALTERNATIVES`` distinct alternatives a choice's
  alternatives are all removed instead of scanned: an unscanned token is not delivered,
  and scanning thousands would cost more than the answer.

Each removal is returned as ``{"path", "reason"}`` (no value) for the audit record.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from pipeline.dispatch.guard import GuardSession

__all__ = ["CONTEXT", "MAX_ALTERNATIVES", "choice_has_findings", "guard_logprobs"]

MAX_ALTERNATIVES = 512  # distinct alternatives scanned per choice
CONTEXT = 64  # characters of the chosen text scanned before an alternative

_KINDS = ("content", "refusal")
Candidate = tuple[str, int, int]  # kind, entry index, alternative index


def choice_has_findings(findings: Sequence[dict[str, Any]], at: str) -> bool:
    """Whether any finding (by path) lies in the choice at ``at`` (``choices[2]``)."""
    prefix = at + "."
    return any(str(f.get("path", "")).startswith(prefix) for f in findings)


async def guard_logprobs(
    session: GuardSession, logprobs: Any, dirty: bool, at: str
) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """The logprobs that may be delivered for the choice at ``at``, and what was withheld."""
    if not isinstance(logprobs, dict) or not any(logprobs.get(k) for k in _KINDS):
        return logprobs if isinstance(logprobs, dict) else None, []
    if dirty:
        return None, [{"path": f"{at}.logprobs", "reason": "finding_in_choice"}]
    out: dict[str, Any] = copy.deepcopy(logprobs)
    where: dict[tuple[str, str], list[Candidate]] = {}
    for kind in _KINDS:
        chosen = ""
        for i, entry in enumerate(out.get(kind) or ()):
            token = entry.get("token") if isinstance(entry, dict) else None
            token = token if isinstance(token, str) else ""
            for j, alt in enumerate(_alternatives(entry)):
                text = alt.get("token") if isinstance(alt, dict) else None
                if not isinstance(text, str) or text != token:
                    where.setdefault((chosen[-CONTEXT:], str(text or "")), []).append(
                        (kind, i, j)
                    )
            chosen += token
    if not where:
        return out, []
    if len(where) > MAX_ALTERNATIVES:
        for kind in _KINDS:
            for entry in out.get(kind) or ():
                if isinstance(entry, dict) and entry.get("top_logprobs"):
                    entry["top_logprobs"] = []
        return out, [{"path": f"{at}.logprobs", "reason": "top_logprobs_unscanned"}]
    keys = list(where)
    found = await session.detect([context + alt for context, alt in keys])
    drop: list[Candidate] = []
    for (context, alt), spans in zip(keys, found, strict=True):
        start, end = len(context), len(context) + len(alt)
        if not alt or any(f.start < end and f.end > start for f in spans):
            drop += where[(context, alt)]
    withheld = []
    for kind, i, j in sorted(drop, reverse=True):  # highest index first: the rest stay put
        del out[kind][i]["top_logprobs"][j]
        withheld.append({"path": f"{at}.logprobs.{kind}[{i}].top_logprobs[{j}]",
                         "reason": "finding_in_alternative"})
    return out, withheld[::-1]


def _alternatives(entry: Any) -> list[Any]:
    alts = entry.get("top_logprobs") if isinstance(entry, dict) else None
    return alts if isinstance(alts, list) else []
