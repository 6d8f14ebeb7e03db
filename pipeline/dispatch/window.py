"""The hold-back window: release streamed text only once what follows cannot change its verdict.

Each choice's content (and refusal) accumulates in a buffer. Text is released
once ``holdback`` more characters have arrived after it, and only up to a point
that is (1) just after a whitespace, so no token is ever cut — a placeholder
(``<PER`` + ``SON_1>``) or a secret split across chunks is released whole or not
at all — (2) not inside any finding of the scan, (3) not inside a partial
placeholder, and (4) not inside an *open value run*. The scan covers the buffer
plus up to ``context`` characters already released, so context words ("my SSN is")
count across chunk borders.

(4) is what keeps a value longer than the window whole. A card read out digit by
digit (``4 - 7 - 6 - 4 - …``, 61 characters), an IBAN in groups or an address line is
only recognisable once it is complete, and a fixed window would release its first
groups before that. So the buffer's tail is read as whitespace-separated words: a
run of value-like words (with a digit, a digit word the detector joins, a lone
character, a separator, a short upper-case group such as ``NW1``/``CA``, and — after
a word with a digit — capitalised words, as in a street and town) that reaches the
end of the buffer may still grow into a value, and nothing from its start on is
released until a word that cannot belong to it has arrived. Then the whole value is
in the buffer and the scan decides. Only the run's last ``max_value`` characters are
held (a card spelled out in words is ~130), so a long table of numbers still streams,
``max_value`` behind. Holding costs latency only on number-heavy text.

A buffer that finds no release point is released anyway past ``max_hold``
characters (still never inside a finding or a placeholder), so unbroken text
(CJK, base64) cannot stall a stream; a spaced value longer than ``max_value`` is the
one case the window cannot keep whole. At the end of a choice
all of it goes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from pipeline.detect.evasion import DIGIT_WORDS  # the number words the detector joins
from pipeline.dispatch.answer import wire_finding
from pipeline.dispatch.guard import GuardSession
from pipeline.events import Finding

__all__ = ["TextWindow", "WindowSettings"]

_PARTIAL_PLACEHOLDER = re.compile(r"<[A-Z0-9_]*\Z")
_SPACE = re.compile(r"\s")
_WORD = re.compile(r"\S+")
_SEPARATORS = frozenset("-./|_,+()#:;")
_UPPER_GROUP = re.compile(r"[A-Z0-9]{1,5}")
_EDGE_PUNCT = "()[]{}\"',;:."


@dataclass(frozen=True, slots=True)
class WindowSettings:
    holdback: int = 48  # characters of right context a released character must have had
    step: int = 24  # release (and so scan) at most once per this many new characters
    max_hold: int = 2048  # past this, release without a whitespace boundary
    context: int = 64  # characters already released that are scanned again with the buffer
    max_value: int = 160  # the longest value-like run kept whole (a card spelled in words)


class TextWindow:
    """One streamed text (a choice's content or refusal) between the LLM and the app."""

    def __init__(self, path: str, settings: WindowSettings) -> None:
        self.path = path
        self._cfg = settings
        self.released = ""  # the raw (pre-guard) text released so far: context and offsets
        self.buffer = ""
        self.found = False

    def add(self, text: str) -> None:
        self.buffer += text

    def ready(self) -> bool:
        return len(self.buffer) >= self._cfg.holdback + self._cfg.step

    async def take(
        self, session: GuardSession, final: bool
    ) -> tuple[str, list[dict[str, Any]]]:
        """Guard and release what may go now; return the text to send and its findings."""
        if not self.buffer or not (final or self.ready()):
            return "", []
        context = self.released[-self._cfg.context :] if self._cfg.context else ""
        off = len(context)
        [found] = await session.detect([context + self.buffer])
        local = [(f.start - off, f.end - off, f) for f in found if f.end - off > 0]
        cut = len(self.buffer) if final else self._cut(local)
        if cut <= 0:
            return "", []
        region = self.buffer[:cut]
        clipped: list[Finding] = [
            replace(f, start=max(s, 0), end=min(e, cut)) for s, e, f in local if s < cut
        ]
        text = session.render(region, clipped)
        wire = [wire_finding(f, self.path, offset=len(self.released)) for f in clipped]
        self.found = self.found or bool(clipped)
        self.released += region
        self.buffer = self.buffer[cut:]
        return text, wire

    def _cut(self, local: list[tuple[int, int, Finding]]) -> int:
        buffer = self.buffer
        limit = len(buffer) - self._cfg.holdback
        spaces = [m.end() for m in _SPACE.finditer(buffer, 0, max(limit, 0))]
        if spaces:
            cut = spaces[-1]
        elif len(buffer) >= self._cfg.max_hold:
            cut = limit
        else:
            return 0
        held = max(open_run_start(buffer), len(buffer) - self._cfg.max_value)
        if held < cut and len(buffer) < self._cfg.max_hold:
            ends = [m.end() for m in _SPACE.finditer(buffer, 0, held)]
            cut = ends[-1] if ends else 0
        for _ in range(len(local) + 1):  # never inside a finding (moving may land in another)
            inside = [(s, e) for s, e, _ in local if s < cut < e]
            if not inside:
                break
            s, e = inside[0]
            # A finding begun in released text: release the rest of it (redacted) rather
            # than hold the stream until the end.
            cut = e if s < 0 and e < len(buffer) else max(s, 0)
        partial = _PARTIAL_PLACEHOLDER.search(buffer, 0, cut)
        if partial is not None:
            cut = partial.start()
        return cut


def _value_like(word: str, after_digits: bool) -> bool:
    """Whether ``word`` may be part of a value that spans words (see the module doc)."""
    core = word.strip(_EDGE_PUNCT) or word
    if any(c.isdigit() for c in core) or all(c in _SEPARATORS for c in word):
        return True
    if len(core) == 1 or core.lower() in DIGIT_WORDS or _UPPER_GROUP.fullmatch(core):
        return True
    return after_digits and core[:1].isupper()


def open_run_start(buffer: str) -> int:
    """Where the run of value-like words that reaches the end of ``buffer`` starts.

    ``len(buffer)`` when the buffer ends in a word that cannot belong to a value. The
    last word, when no whitespace follows it, is unfinished: it may still become
    value-like, so it counts as one.
    """
    start: int | None = None
    digits = False
    for m in _WORD.finditer(buffer):
        if m.end() == len(buffer) or _value_like(m[0], digits):
            start = m.start() if start is None else start
            digits = digits or any(c.isdigit() for c in m[0])
        else:
            start, digits = None, False
    return len(buffer) if start is None else start
