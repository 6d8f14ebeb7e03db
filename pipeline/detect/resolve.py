"""Overlap resolution and name propagation over candidate spans."""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

import regex

from pipeline.detect.base import Candidate
from pipeline.detect.vocab import is_product
from pipeline.events import Category

__all__ = ["names_beside_identifiers", "propagate_names", "resolve", "whole_words"]

_RANK = {Category.SECRET: 0, Category.CUSTOM: 1, Category.PII: 2}
_NAME_STOP = frozenset(
    {"The", "And", "For", "But", "Not", "You", "Your", "Our", "Can", "Will", "May", "June", "April",
     "August", "Mark", "Bill", "Rose", "Grace", "Hope", "Joy", "Dear", "Hello", "Team", "From",
     "New", "San", "Los", "Las", "Van", "Von", "Del", "Der", "Mr", "Mrs", "Ms", "Dr"}
)


# Kinds whose recognizers find parts of one value (a list cue, the gazetteer, the model on
# "Bo Lindgren, Chidi Okeke"; a street and its postcode line): overlaps widen to the union.
# Formats with exact extents (IBAN, card, phone) keep the stronger span.
_WIDENED = frozenset({"PERSON", "LOCATION"})


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
    kept: list[Candidate] = []  # sorted by start; disjoint, so sorted by end too
    starts: list[int] = []
    ends: list[int] = []
    for cand in ordered:
        i = bisect.bisect_left(starts, cand.end)  # kept spans starting before cand ends
        if i > 0 and ends[i - 1] > cand.start:
            _widen(kept, starts, ends, bisect.bisect_right(ends, cand.start), i, cand)
            continue
        kept.insert(i, cand)
        starts.insert(i, cand.start)
        ends.insert(i, cand.end)
    return kept


def _widen(kept: list[Candidate], starts: list[int], ends: list[int], first: int, stop: int,
           cand: Candidate) -> None:
    """Grow the one kept span a weaker name or address candidate of its own kind overlaps.

    "Bo Lindgren" from a list cue and "Lindgren, Chidi" from the gazetteer: keeping only the
    stronger span would send "Bo" in clear. The union is taken only if it touches no other span.
    """
    if stop - first != 1 or cand.entity_type not in _WIDENED:
        return
    other = kept[first]
    if other.entity_type != cand.entity_type or other.category is not Category.PII:
        return
    start, end = min(other.start, cand.start), max(other.end, cand.end)
    if (first > 0 and ends[first - 1] > start) or (stop < len(kept) and starts[stop] < end):
        return
    kept[first] = replace(other, start=start, end=end)
    starts[first], ends[first] = start, end


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
    out: list[list[Candidate]] = []
    for text in texts:
        out.append([
            Candidate("PERSON", Category.PII, start, start + len(name), 0.6, "PersonPropagation")
            for name in names for start in whole_words(text, name)
        ])
    return out


def _joins(ch: str) -> bool:
    r"""A character that continues a word (the regex class ``[\w-]``: letters, digits, marks)."""
    return ch.isalnum() or ch in "_-" or unicodedata.category(ch)[0] == "M"


def whole_words(text: str, word: str) -> Iterator[int]:
    """Start offsets of ``word`` standing as a whole word in ``text``.

    ``str.find`` instead of a regex built per prompt from the names it found: compiling that
    alternation cost more than the search (a few ms per prompt with names).
    """
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        if (start == 0 or not _joins(text[start - 1])) and (
                end == len(text) or not _joins(text[end])):
            yield start
        start = text.find(word, start + 1)


_NAME_PART = r"\p{Lu}(?:\p{Ll}+|(?=['\u2019]))(?:['\u2019]\p{Lu}?\p{Ll}+)*"  # O'Brien, Anna
_NAME_WORD = rf"{_NAME_PART}(?:-{_NAME_PART})?"
# "Denise Hall - IT65 …", "Kirsty Bruce <k@x.com>", "Dylan Smith, +61 …", "Jane Doe (555) …".
_NAME_BEFORE = regex.compile(
    rf"(?<![\w-])(?P<name>{_NAME_WORD}(?: (?:(?:van|von|de|del|da|le|la) )?{_NAME_WORD}){{1,2}})"
    r"[\"'`]?[ \t]*(?:[-\u2013\u2014,:|;(<\[]|\bat\b|\bon\b)?[ \t]*"
    r"(?i:(?:iban|e-?mail|tel|phone|mobile|mob|cell|card|ssn)\.?:?[ \t]*)?[<(\[\"'`]?$"
)
_IDENTIFIERS = frozenset({"EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "CREDIT_CARD", "US_SSN"})


def names_beside_identifiers(text: str, candidates: Sequence[Candidate]) -> list[Candidate]:
    """Two or three capitalised words directly before an email/phone/IBAN/card are a name.

    Contact lists, payment batches and CSV rows put the holder's name right next to the
    identifier, often in shapes (lists, tables) where NER has no sentence to work with.
    """
    out = []
    for cand in candidates:
        if cand.entity_type == "EMAIL_ADDRESS":
            out.extend(_names_from_mailbox(text, cand))
        if cand.entity_type == "LOCATION":
            out.extend(_name_above(text, cand.start))
            continue
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


_NAME_LINE = regex.compile(
    rf"(?P<name>{_NAME_WORD}(?: (?:(?:van|von|de|del|da|le|la|dos|das) )?{_NAME_WORD}){{1,3}})"
    r"[ \t]*,?[ \t]*\r?\n[ \t]*$"
)


def _name_above(text: str, start: int) -> list[Candidate]:
    """A line holding only a name, directly above a street line (labels, letters, forms)."""
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip() or line_start == 0:
        return []
    above = text.rfind("\n", 0, line_start - 1) + 1
    match = _NAME_LINE.fullmatch(text, above, line_start, timeout=1.0)
    if match is None or any(w in _NAME_STOP for w in match.group("name").split()):
        return []
    return [Candidate("PERSON", Category.PII, match.start("name"), match.end("name"), 0.6,
                      "PersonAboveAddress")]


# No "^": with a start position, "^" only matches at the string's real start (re and regex
# alike), which silently disabled this rule for every address not at offset 0.
_LOCAL_PART = regex.compile(r"(.*?)(?:@|\s?[\[(<{]\s?at\s?[\])>}]\s?|\s+at\s+)", regex.IGNORECASE)
_ROLE_MAILBOXES = frozenset(
    {"info", "support", "sales", "admin", "contact", "hello", "team", "billing", "jobs", "help",
     "office", "mail", "news", "press", "security", "abuse", "postmaster", "webmaster", "hr",
     "careers", "service", "orders", "accounts", "finance", "legal", "marketing", "dev", "ops"}
)


def _names_from_mailbox(text: str, cand: Candidate) -> list[Candidate]:
    """Capitalised words of the prompt that spell a part of the address's mailbox name.

    "contact Priya at priya.iyer@…" or "ask Emeka (emeka88@…)": the mailbox names the person, so
    the bare first name beside it is theirs.
    """
    match = _LOCAL_PART.match(text, cand.start, cand.end)
    if match is None:
        return []
    parts = {p for p in regex.findall(r"[a-z]{3,}", match.group(1).lower())
             if p not in _ROLE_MAILBOXES and not is_product(p)}
    out = []
    for part in parts:
        word = part.capitalize()
        if word in _NAME_STOP:
            continue
        for start in whole_words(text, word):
            out.append(Candidate("PERSON", Category.PII, start, start + len(word), 0.6,
                                 "PersonFromMailbox"))
    return out
