"""Re-join provider tokens that were split by spaces or line breaks ("ghp_abc def…").

Only runs where a known provider prefix occurs, joins at most a few following fragments, and
keeps an offset map so a finding in the joined string maps to exact original offsets.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

from pipeline.detect.base import Deadline

__all__ = ["split_tokens"]

# Prefixes of the fixed-format tokens in recognizers/secrets (see each class for its source).
# Plain "sk-" covers OpenAI's legacy "sk-…T3BlbkFJ…" keys as well as sk-proj-/sk-ant-/sk-admin-.
_PREFIXES = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "AKIA", "ASIA",
             "AIza", "sk_live_", "rk_live_", "sk-", "xoxa-", "xoxb-", "xoxp-",
             "xoxo-", "xoxs-", "xoxr-", "npm_", "SG.", "pypi-")
_GAP = r"[ \t]{0,2}\r?\n?[ \t]{0,2}"
# A prefix may itself be cut by the wrap ("github_p\nat_…", "sk_liv e_…"): a gap may sit
# between any two of its characters (at most one per position, so matching stays linear).
_SPACED = "|".join(
    f"(?:{_GAP.join(regex.escape(c) for c in p)})" for p in sorted(_PREFIXES, key=len, reverse=True)
)
_SPLIT = regex.compile(
    rf"(?<![A-Za-z0-9_-])(?:{_SPACED})(?:{_GAP}[A-Za-z0-9_.+/=-]{{1,}}){{1,40}}"
)


def split_tokens(text: str, deadline: Deadline) -> Iterator[tuple[str, list[int]]]:
    """Yield (joined, offsets) for the first 2, 3, … fragments after a provider prefix.

    Growing one fragment at a time lets the caller stop at the shortest join that forms a
    token, so a following word ("… end") is not glued on.
    """
    for match in _SPLIT.finditer(text, timeout=deadline.remaining()):
        offsets: list[int] = []
        previous_space = False
        for i in range(match.start(), match.end()):
            if text[i].isspace():
                previous_space = True
                continue
            if previous_space and offsets:
                yield "".join(text[j] for j in offsets), list(offsets)
            previous_space = False
            offsets.append(i)
        yield "".join(text[j] for j in offsets), offsets
