r"""Undo cheap evasions before detection, keeping a map back to the original offsets.

Steps, each skipped by a cheap check when it cannot apply:

1. JSON/JS ``\\uXXXX`` (and ``\\xXX``) escapes and HTML character references (``&#x41;``,
   ``&#65;``, ``&amp;``) are decoded (``evasion.decode_escapes``);
2. zero-width and bidi controls are dropped, each non-ASCII character is NFKC-folded on its own
   (full-width ``AKIA`` → ``AKIA``, ligatures, circled digits), and Cyrillic/Greek look-alikes are
   folded to Latin inside words that also contain ASCII letters or digits (a mixed-script word is
   the evasion signal; genuine Russian or Greek prose is left alone);
3. numbers written one character at a time ("4 7 6 4 …", "5 - 1 - 6 …", "four seven six …") are
   joined, and tokens that are a provider key written backwards are turned round
   (``evasion.rejoin_spelled``, ``evasion.unreverse``).

``starts[i]``/``ends[i]`` are the original span of normalised character ``i`` (a decoded escape
maps to the whole escape, a turned-round character to its mirror), so ``to_original`` of any span
covers exactly the original characters it came from and redaction removes them all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipeline.detect.evasion import Edit, decode_escapes, rejoin_spelled, unreverse

__all__ = ["Normalized", "normalize"]

# Invisible format characters used to split tokens: ZW space/joiners, bidi marks and
# embeddings/isolates, word joiner, invisible operators, BOM, soft hyphen, Mongolian separator.
_INVISIBLE = frozenset(
    [0x00AD, 0x180E, 0xFEFF, *range(0x200B, 0x2010), *range(0x202A, 0x202F),
     *range(0x2060, 0x2065), *range(0x2066, 0x206A)]
)

# Confusables (Unicode TR39 confusables.txt, Latin targets) for Cyrillic and Greek letters.
_HOMOGLYPHS = str.maketrans(
    "\u0410\u0412\u0415\u0405\u0406\u0408\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425\u0423"
    "\u0501\u0430\u0435\u0456\u0458\u043e\u0441\u0440\u0445\u0443\u0455\u051b\u051d\u04bb\u04cf"
    "\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7"
    "\u03bf\u03b1\u03bd",
    "ABESIJKMHOPCTXYdaeijocpxysqwhlABEZHIKMNOPTYXoav",
)

_WS = re.compile(r"(\s+)")


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalised text and, unless identical to the original, the offset maps."""

    text: str
    offsets: tuple[int, ...] | None  # original start of each char; None: text is the original
    ends: tuple[int, ...] | None = None  # original end of each char; None: offsets[i] + 1

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open normalised span to the smallest original span covering it."""
        if self.offsets is None:
            return start, end
        lo = min(self.offsets[start:end])
        if self.ends is None:
            return lo, max(self.offsets[start:end]) + 1
        return lo, max(self.ends[start:end])


class _View:
    """Text plus per-character original spans, materialised only once something changes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] | None = None
        self.ends: list[int] | None = None

    def apply(self, edits: list[Edit]) -> None:
        """Replace each (start, end) by its text; replaced characters map to the given spans."""
        if not edits:
            return
        n = len(self.text)
        starts = self.starts if self.starts is not None else list(range(n))
        ends = self.ends if self.ends is not None else list(range(1, n + 1))
        out: list[str] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        pos = 0
        for edit in sorted(edits, key=lambda e: e.start):
            if edit.start < pos:
                continue  # overlapping edits: keep the first
            out.append(self.text[pos : edit.start])
            new_starts.extend(starts[pos : edit.start])
            new_ends.extend(ends[pos : edit.start])
            for ch, (s, e) in zip(edit.text, edit.sources, strict=True):
                out.append(ch)
                new_starts.append(min(starts[s:e]))
                new_ends.append(max(ends[s:e]))
            pos = edit.end
        out.append(self.text[pos:])
        new_starts.extend(starts[pos:])
        new_ends.extend(ends[pos:])
        self.text, self.starts, self.ends = "".join(out), new_starts, new_ends


def normalize(original: str) -> Normalized:
    """Return the detection view of ``original`` (the original itself when nothing applies)."""
    view = _View(original)
    view.apply(decode_escapes(view.text))
    if not view.text.isascii():
        _fold_unicode(view)
    view.apply(rejoin_spelled(view.text))
    view.apply(unreverse(view.text))
    if view.starts is None or view.ends is None or view.text == original:
        return Normalized(original, None)
    return Normalized(view.text, tuple(view.starts), tuple(view.ends))


def _fold_unicode(view: _View) -> None:
    """Drop invisible controls, NFKC-fold each non-ASCII character, fold mixed-script words."""
    edits: list[Edit] = []
    for i, ch in enumerate(view.text):
        code = ord(ch)
        if code < 0x80:
            continue
        if code in _INVISIBLE:
            edits.append(Edit(i, i + 1, "", ()))
            continue
        folded = "".join(c for c in unicodedata.normalize("NFKC", ch) if ord(c) not in _INVISIBLE)
        if folded != ch:
            edits.append(Edit(i, i + 1, folded, tuple((i, i + 1) for _ in folded)))
    view.apply(edits)
    folded_text = _fold_mixed_script(view.text)
    if folded_text != view.text:
        view.apply([Edit(i, i + 1, b, ((i, i + 1),))
                    for i, (a, b) in enumerate(zip(view.text, folded_text, strict=True)) if a != b])


def _fold_mixed_script(text: str) -> str:
    """Fold look-alikes only in whitespace-delimited words that mix scripts (length-preserving)."""
    folded = text.translate(_HOMOGLYPHS)
    if folded == text:
        return text
    out = []
    for word, fword in zip(_WS.split(text), _WS.split(folded), strict=True):
        mixed = word != fword and any(c.isascii() and c.isalnum() for c in word)
        out.append(fword if mixed else word)
    return "".join(out)
