"""Undo cheap evasions before detection, keeping a map back to the original offsets.

Zero-width and bidi controls are dropped, each non-ASCII character is NFKC-folded on its own
(full-width ``AKIA`` → ``AKIA``, ligatures, circled digits), and Cyrillic/Greek look-alikes are
folded to Latin inside words that also contain ASCII letters or digits (a mixed-script word is
the evasion signal; genuine Russian or Greek prose is left alone). ``offsets[i]`` is the index in
the original of normalised character ``i``, so every finding maps back exactly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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
    """Normalised text and, unless identical to the original, the offset map."""

    text: str
    offsets: tuple[int, ...] | None  # None: text is the original, offsets are the identity

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open normalised span to the original text."""
        if self.offsets is None:
            return start, end
        return self.offsets[start], self.offsets[end - 1] + 1


def normalize(original: str) -> Normalized:
    """Return the detection view of ``original``; ASCII input is returned as is (fast path)."""
    if original.isascii():
        return Normalized(original, None)
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(original):
        code = ord(ch)
        if code < 0x80:
            chars.append(ch)
            offsets.append(i)
            continue
        if code in _INVISIBLE:
            continue
        folded = unicodedata.normalize("NFKC", ch)
        for out in folded:
            if ord(out) not in _INVISIBLE:
                chars.append(out)
                offsets.append(i)
    text = _fold_mixed_script("".join(chars))
    if text == original:
        return Normalized(original, None)
    return Normalized(text, tuple(offsets))


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
