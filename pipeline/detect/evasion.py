"""Edits that undo deliberate disguises: escapes, numbers spelled out one by one, reversed keys.

Each function returns ``Edit``s in the coordinates of the text it was given; ``normalize`` applies
them and keeps the map to the original. Every scan is a bounded regex behind a cheap ``in`` check,
so text without the disguise costs one substring test.
"""

from __future__ import annotations

import html.entities
from dataclasses import dataclass

import regex

from pipeline.detect.validation import luhn_ok

__all__ = ["DIGIT_WORDS", "Edit", "decode_escapes", "rejoin_spelled", "unreverse"]

_TIMEOUT = 2.0  # seconds; the regex module raises TimeoutError, which the engine fails closed on


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace text[start:end] by ``text``; character k of it comes from span ``sources[k]``."""

    start: int
    end: int
    text: str
    sources: tuple[tuple[int, int], ...]


# JSON/JavaScript escapes (ECMA-404 \uXXXX incl. surrogate pairs, JS \xXX) and HTML character
# references (WHATWG: decimal, hex, named). html.unescape would lose the offsets, so each match
# is decoded on its own.
_ESCAPE = regex.compile(
    r"(?<!\\)\\u(?P<hi>[dD][89abAB][0-9a-fA-F]{2})\\u(?P<lo>[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\)\\u(?P<u>[0-9a-fA-F]{4})|(?<!\\)\\x(?P<x>[0-9a-fA-F]{2})"
    r"|&#(?P<dec>\d{1,7});|&#[xX](?P<hex>[0-9a-fA-F]{1,6});|&(?P<name>[A-Za-z][A-Za-z0-9]{1,31});"
)
# NBSP, thin and narrow spaces written as entities separate digit groups like a space.
_SPACE_ENTITIES = frozenset({"nbsp", "ensp", "emsp", "thinsp", "numsp", "puncsp"})


def decode_escapes(text: str) -> list[Edit]:
    r"""Decode ``\\uXXXX``, ``\\xXX`` and ``&…;`` references to the characters they stand for."""
    if not (("\\u" in text or "\\x" in text) or ("&" in text and ";" in text)):
        return []
    edits = []
    for m in _ESCAPE.finditer(text, timeout=_TIMEOUT):
        char = _escaped_char(m)
        if char:
            edits.append(Edit(m.start(), m.end(), char, tuple(m.span() for _ in char)))
    return edits


def _escaped_char(m: regex.Match[str]) -> str | None:
    if m.group("hi"):
        code = 0x10000 + ((int(m.group("hi"), 16) - 0xD800) << 10) + int(m.group("lo"), 16) - 0xDC00
    elif m.group("u") or m.group("x"):
        code = int(m.group("u") or m.group("x"), 16)
    elif m.group("dec") or m.group("hex"):
        code = int(m.group("dec"), 10) if m.group("dec") else int(m.group("hex"), 16)
    else:
        name = m.group("name")
        if name.lower() in _SPACE_ENTITIES:
            return " "
        point = html.entities.name2codepoint.get(name)
        return chr(point) if point is not None else None
    if not 0x20 <= code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None  # control characters and lone surrogates stay escaped
    char = chr(code)
    return " " if char == "\u00a0" else char


# Number words of the languages whose digits people spell out in prompts (EN, DE, FR, ES, IT).
DIGIT_WORDS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "null": "0", "eins": "1", "zwei": "2", "drei": "3", "vier": "4", "fünf": "5", "sechs": "6",
    "sieben": "7", "acht": "8", "neun": "9",
    "zéro": "0", "un": "1", "deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "sept": "7",
    "huit": "8", "neuf": "9",
    "cero": "0", "uno": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5", "seis": "6",
    "siete": "7", "ocho": "8", "nueve": "9",
    "due": "2", "tre": "3", "quattro": "4", "cinque": "5", "sei": "6", "sette": "7", "otto": "8",
    "nove": "9",
}
_WORD = "|".join(sorted(map(regex.escape, DIGIT_WORDS), key=len, reverse=True))
# One character per token: at least 8 digits/letters each standing alone, separated by spaces
# or by a dash, dot, slash or pipe with optional spaces (never a line break: matrices stay).
_SEP = r"(?:[ \t]{1,3}|[ \t]{0,3}[-./|_][ \t]{0,3})"
_SPELLED = regex.compile(rf"(?<![\w.,/-])[A-Za-z0-9](?:{_SEP}[A-Za-z0-9]){{7,40}}(?![\w])")
_SPOKEN = regex.compile(
    rf"(?<![\w-])(?:{_WORD})"
    rf"(?:(?:[ \t]{{1,3}}|[ \t]{{0,2}}[-,][ \t]{{0,2}})(?:{_WORD})){{6,40}}(?![\w-])"
)
_SPOKEN_ANY_CASE = regex.compile(
    rf"(?i)(?<![\w-])(?:{_WORD})"
    rf"(?:(?:[ \t]{{1,3}}|[ \t]{{0,2}}[-,][ \t]{{0,2}})(?:{_WORD})){{6,40}}(?![\w-])"
)
_WORD_RE = regex.compile(_WORD)
# Counted with str.count (a spoken number has at least six of them; "un"/"oh" are too common).
_SPOKEN_HINTS = tuple(w for w in DIGIT_WORDS if len(w) >= 3 and not any(
    w != v and w in v for v in DIGIT_WORDS))


def rejoin_spelled(text: str) -> list[Edit]:
    """Join numbers written a character (or a number word) at a time into one token."""
    edits: list[Edit] = []
    if _has_spaced_digits(text):
        for m in _SPELLED.finditer(text, timeout=_TIMEOUT):
            chars = [(i, c) for i, c in enumerate(m.group(), m.start()) if c.isalnum()]
            digits = sum(c.isdigit() for _, c in chars)
            if digits >= 8 and digits * 5 >= len(chars) * 3:  # mostly digits: a number, not prose
                edits.append(Edit(m.start(), m.end(), "".join(c for _, c in chars),
                                  tuple((i, i + 1) for i, _ in chars)))
    edits.extend(_odd_card_groups(text))
    lowered = text.lower()
    if sum(lowered.count(w) for w in _SPOKEN_HINTS) >= 6 and _has_spoken_run(lowered):
        # Lowercasing keeps offsets unless a character lowercases to two ("İ"): then match the
        # original case-insensitively.
        same = len(lowered) == len(text)
        pattern, source = (_SPOKEN, lowered) if same else (_SPOKEN_ANY_CASE, text)
        for m in pattern.finditer(source, timeout=_TIMEOUT):
            words = list(_WORD_RE.finditer(m.group().lower(), timeout=_TIMEOUT))
            edits.append(Edit(m.start(), m.end(),
                              "".join(DIGIT_WORDS[w.group().lower()] for w in words),
                              tuple((m.start() + w.start(), m.start() + w.end()) for w in words)))
    return edits


# Eight single digits in a row, each standing alone: the cheap test before the full scan.
# Card digits in groups split by unusual separators ("4764  1234  5678  9013", "4764 / 1234 …"):
# joined only when the digits pass Luhn with a card-network first digit, so tables stay.
_ODD_GROUPS = regex.compile(
    r"(?<![\w.,/-])\d{1,4}(?:(?:[ \t]{2,4}|[ \t]{0,3}[-./|][ \t]{0,3})\d{1,4}){3,18}(?![\w])"
)


_GROUP_SEP = regex.compile(r"[ \t]*[-./|][ \t]*|[ \t]{2,4}")


def _odd_card_groups(text: str) -> list[Edit]:
    if "  " not in text and not any(s in text for s in (" - ", " / ", " | ", " . ", "/", "|")):
        return []
    edits = []
    for m in _ODD_GROUPS.finditer(text, timeout=_TIMEOUT):
        chars = [(i, c) for i, c in enumerate(m.group(), m.start()) if c.isdigit()]
        digits = "".join(c for _, c in chars)
        separators = {sep.strip() for sep in _GROUP_SEP.findall(m.group())}
        if len(separators) > 1:
            continue  # "4.6 / 4.7 / 1.14": one number is written with one separator
        if 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn_ok(digits):
            edits.append(Edit(m.start(), m.end(), digits, tuple((i, i + 1) for i, _ in chars)))
    return edits


def _has_spoken_run(lowered: str) -> bool:
    """Seven digit words in a row (split on blanks: far cheaper than a regex over the text)."""
    run = 0
    for word in lowered.split():
        for part in word.strip(",-").split("-"):
            if not part:
                continue  # a lone separator ("four - nine"): neither breaks nor extends a run
            run = run + 1 if part in DIGIT_WORDS else 0
            if run >= 7:
                return True
    return False


# No look-behind here (the full scan has it): in "F-R-7-6-…" every digit follows a separator.
_SPACED_DIGITS = regex.compile(rf"\d(?:{_SEP}\d(?![\w])){{7}}")


def _has_spaced_digits(text: str) -> bool:
    return _SPACED_DIGITS.search(text, timeout=_TIMEOUT) is not None


# Provider prefixes (see recognizers/secrets and rejoin.py) as they read when the key is
# written backwards; a token ending in one is turned round so the provider recognizer sees it.
_PREFIXES = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "AKIA", "ASIA",
             "AIza", "sk_live_", "rk_live_", "sk-proj-", "sk-svcacct-", "sk-admin-", "sk-ant-",
             "xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "npm_", "SG.", "pypi-")
_REVERSED = tuple(p[::-1] for p in _PREFIXES)
_BACKWARDS = regex.compile(
    r"(?<![A-Za-z0-9_.+/=-])[A-Za-z0-9_.+/=-]{12,300}?(?:"
    + "|".join(regex.escape(r) for r in sorted(_REVERSED, key=len, reverse=True))
    + r")(?![A-Za-z0-9_+/=-])"
)


def unreverse(text: str) -> list[Edit]:
    """Turn round tokens that end in a reversed provider prefix (``…AIKA`` → ``AKIA…``)."""
    if not any(r in text for r in _REVERSED):
        return []
    edits = []
    for m in _BACKWARDS.finditer(text, timeout=_TIMEOUT):
        start, end = m.span()
        edits.append(Edit(start, end, m.group()[::-1],
                          tuple((i, i + 1) for i in range(end - 1, start - 1, -1))))
    return edits
