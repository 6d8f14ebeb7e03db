"""Overlap resolution and name propagation over candidate spans."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import regex

from pipeline.detect.base import Candidate
from pipeline.events import Category

__all__ = ["names_beside_identifiers", "propagate_names", "resolve"]

_RANK = {Category.SECRET: 0, Category.CUSTOM: 1, Category.PII: 2}
_NAME_STOP = frozenset(
    {"The", "And", "For", "But", "Not", "You", "Your", "Our", "Can", "Will", "May", "June", "April",
     "August", "Mark", "Bill", "Rose", "Grace", "Hope", "Joy", "Dear", "Hello", "Team", "From",
     "New", "San", "Los", "Las", "Van", "Von", "Del", "Der", "Mr", "Mrs", "Ms", "Dr"}
)


def resolve(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Keep a non-overlapping set: secrets beat custom beat PII, then score, then length.

    A secret found by a specific recognizer (a PASSWORD_IN_URL) is never swallowed by a wider,
    weaker span, because rank and score are compared before length.
    """
    ordered = sorted(
        candidates,
        key=lambda c: (_RANK[c.category], -c.score, -(c.end - c.start), c.start, c.entity_type,
                       c.detector),
    )
    kept: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    for cand in ordered:
        if any(cand.start < end and start < cand.end for start, end in taken):
            continue
        kept.append(cand)
        taken.append((cand.start, cand.end))
    return sorted(kept, key=lambda c: (c.start, c.end))


def propagate_names(
    texts: Sequence[str], persons: Sequence[Sequence[Candidate]]
) -> list[list[Candidate]]:
    """Once a name is known anywhere in a prompt, its other mentions are names too.

    "Kirsty Bruce" in a header makes the signature "Kirsty" a PERSON, in every message of the
    prompt. Only capitalised whole-word occurrences count.
    """
    names: set[str] = set()
    for text, found in zip(texts, persons, strict=True):
        for cand in found:
            full = text[cand.start : cand.end]
            names.add(full)
            names.update(w for w in full.split() if len(w) >= 3 and w not in _NAME_STOP)
    names = {n for n in names if n[:1].isupper()}
    if not names:
        return [[] for _ in texts]
    alternation = "|".join(regex.escape(n) for n in sorted(names, key=len, reverse=True))
    pattern = regex.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])")
    out: list[list[Candidate]] = []
    for text in texts:
        out.append([
            Candidate("PERSON", Category.PII, m.start(), m.end(), 0.6, "PersonPropagation")
            for m in pattern.finditer(text, timeout=5.0)
        ])
    return out


_NAME_WORD = r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'\u2019]+(?:-[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'\u2019]+)?"
# "Denise Hall - IT65 …", "Kirsty Bruce <k@x.com>", "Dylan Smith, +61 …", "Jane Doe (555) …".
_NAME_BEFORE = regex.compile(
    rf"(?<![\w-])(?P<name>{_NAME_WORD}(?: (?:(?:van|von|de|del|da|le|la) )?{_NAME_WORD}){{1,2}})"
    r"[ \t]*(?:[-\u2013\u2014,:|;(<\[]|\bat\b|\bon\b)?[ \t]*[<(\[\"']?$"
)
_IDENTIFIERS = frozenset({"EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "CREDIT_CARD", "US_SSN"})


def names_beside_identifiers(text: str, candidates: Sequence[Candidate]) -> list[Candidate]:
    """Two or three capitalised words directly before an email/phone/IBAN/card are a name.

    Contact lists, payment batches and CSV rows put the holder's name right next to the
    identifier, often in shapes (lists, tables) where NER has no sentence to work with.
    """
    out = []
    for cand in candidates:
        if cand.entity_type not in _IDENTIFIERS:
            continue
        line_start = text.rfind("\n", max(0, cand.start - 80), cand.start) + 1
        window = text[max(line_start, cand.start - 80) : cand.start]
        match = _NAME_BEFORE.search(window, timeout=1.0)
        if match is not None and not any(w in _NAME_STOP for w in match.group("name").split()):
            offset = cand.start - len(window)
            out.append(Candidate("PERSON", Category.PII, offset + match.start("name"),
                                 offset + match.end("name"), 0.6, "PersonBesideIdentifier"))
    return out
