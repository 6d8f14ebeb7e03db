"""Values longer than the hold-back window, streamed in random chunks: no part of them leaks.

The detector here recognises a value only when it is complete (as real ones do: a card
read out digit by digit passes Luhn only whole, an IBAN has its length, an address line
ends in its postcode), so a window that released text once it had 48 characters of right
context let the first groups of a 61-character card go out before anything could see it.
Property: for generated answers and random chunkings, the released stream never holds
the shortest prefix of a value with four digits in it, and equals what guarding the
whole text at once gives.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.dispatch.window import TextWindow, WindowSettings
from pipeline.events import Category, Finding

WORDS = ["please", "note", "that", "the", "account", "is", "active", "and", "we", "will",
         "call", "you", "soon", "regarding", "Your", "details", "below", "thanks"]
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_DIGIT_RUN = re.compile(r"(?<![\w-])\d(?:[ \t]*[-.]?[ \t]*\d)*(?![\w])")
_WORD_RUN = re.compile(r"\b(?:%s)(?:(?: - | )(?:%s))*\b" % (("|".join(NUMBER_WORDS),) * 2))
_IBAN = re.compile(r"\bDE\d{2}(?: \d{1,4})+")
_ADDRESS = re.compile(r"\b\d{1,5}(?: [A-Z][a-z]+)+,(?: [A-Z][a-z]+)+, [A-Z]{2} \d{5}\b")


def luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def with_luhn(body: str) -> str:
    return body + next(c for c in "0123456789" if luhn(body + c))


class WholeValueSession:
    """Finds cards (digits or number words, any spacing), IBANs and addresses only whole."""

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        return [self._find(t) for t in texts]

    @staticmethod
    def _find(text: str) -> list[Finding]:
        out = []
        for m in _DIGIT_RUN.finditer(text):
            digits = re.sub(r"\D", "", m[0])
            if len(digits) == 16 and luhn(digits):
                out.append(Finding("CREDIT_CARD", Category.PII, 0, m.start(), m.end(), 0.9, "t"))
        for m in _WORD_RUN.finditer(text):
            digits = "".join(str(NUMBER_WORDS.index(w)) for w in re.findall(r"[a-z]+", m[0]))
            if len(digits) == 16 and luhn(digits):
                out.append(Finding("CREDIT_CARD", Category.PII, 0, m.start(), m.end(), 0.9, "t"))
        for m in _IBAN.finditer(text):
            if len(re.sub(r"\D", "", m[0])) == 20:
                out.append(Finding("IBAN_CODE", Category.PII, 0, m.start(), m.end(), 0.9, "t"))
        out += [Finding("LOCATION", Category.PII, 0, m.start(), m.end(), 0.9, "t")
                for m in _ADDRESS.finditer(text)]
        return out

    def render(self, text: str, findings: Sequence[Finding]) -> str:
        for start, end in sorted({(f.start, f.end) for f in findings}, reverse=True):
            text = text[:start] + "[X]" + text[end:]
        return text


digits16 = st.text("0123456789", min_size=15, max_size=15).map(lambda b: with_luhn("4" + b[1:]))
spoken_card = st.tuples(digits16, st.sampled_from([" - ", " ", "-", "  ", " . "])).map(
    lambda t: t[1].join(t[0]))
word_card = digits16.map(lambda d: " ".join(NUMBER_WORDS[int(c)] for c in d))
iban = st.text("0123456789", min_size=20, max_size=20).map(
    lambda d: " ".join(("DE" + d)[i:i + 4] for i in range(0, 22, 4)))
address = st.tuples(
    st.integers(1, 99999),
    st.lists(st.sampled_from(["Amphitheatre", "Parkway", "Baker", "Street", "Old", "Mill"]),
             min_size=1, max_size=3),
    st.lists(st.sampled_from(["Mountain", "View", "Springfield", "Lake", "City"]),
             min_size=1, max_size=2),
    st.sampled_from(["CA", "NY", "TX"]),
    st.integers(10000, 99999),
).map(lambda t: f"{t[0]} {' '.join(t[1])}, {' '.join(t[2])}, {t[3]} {t[4]}")
VALUES = st.one_of(spoken_card, word_card, iban, address)
prose = st.lists(st.sampled_from(WORDS), min_size=1, max_size=14).map(" ".join)


def four_digit_prefix(value: str) -> str:
    """The shortest prefix of ``value`` holding four digits (number words count as digits)."""
    count = 0
    for m in re.finditer(r"\d|[a-z]+", value):
        count += 1 if m[0].isdigit() or m[0] in NUMBER_WORDS else 0
        if count == 4:
            return value[: m.end()]
    raise AssertionError("a generated value has fewer than four digits")


async def stream(pieces: list[str], cfg: WindowSettings) -> tuple[list[str], str]:
    """What the window released before the end (chunk by chunk), and everything."""
    session = WholeValueSession()
    window = TextWindow("choices[0].message.content", cfg)
    early: list[str] = []
    for piece in pieces:
        window.add(piece)
        text, _ = await window.take(session, final=False)
        early.append(text)
    text, _ = await window.take(session, final=True)
    return early, "".join(early) + text


def chunked(text: str, sizes: list[int]) -> list[str]:
    out, at, k = [], 0, 0
    while at < len(text):
        step = sizes[k % len(sizes)]
        out.append(text[at:at + step])
        at, k = at + step, k + 1
    return out


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(st.tuples(prose, VALUES), min_size=1, max_size=3),
    tail=prose,
    sizes=st.lists(st.integers(1, 12), min_size=1, max_size=20),
)
def test_no_prefix_of_a_long_value_is_released_and_the_verdict_is_the_whole_texts(
    parts: list[tuple[str, str]], tail: str, sizes: list[int]
) -> None:
    text = " ".join(f"{before} {value}" for before, value in parts) + f" {tail} done."
    session = WholeValueSession()
    [whole] = asyncio.run(session.detect([text]))
    values = [value for _, value in parts]
    assert all(any(text[f.start:f.end] == v for f in whole) for v in values)  # not vacuous
    expected = session.render(text, whole)

    _, released = asyncio.run(stream(chunked(text, sizes), WindowSettings()))
    for value in values:
        assert four_digit_prefix(value) not in released
    assert released == expected


async def test_a_run_of_digits_is_held_until_a_word_ends_it_then_released() -> None:
    """Streaming is kept: the held run goes as soon as a word that cannot belong to it and
    the window's right context have arrived (long before the end of the answer)."""
    card = " - ".join(with_luhn("476412345678901"))
    window = TextWindow("p", WindowSettings())
    session = WholeValueSession()
    window.add("Sure, the number on file is " + card[:50])
    early, _ = await window.take(session, final=False)
    assert early == "Sure, the number on file is "  # the run's start is held
    window.add(card[50:] + " and that is all we have on record for this account today.")
    text, found = await window.take(session, final=False)
    assert text.startswith("[X] and")
    assert [f["entity_type"] for f in found] == ["CREDIT_CARD"]


async def test_a_long_table_of_numbers_still_streams_behind_the_longest_value() -> None:
    """Only a run's last ``max_value`` characters are held: numbers never stall a stream."""
    cfg = WindowSettings()
    window = TextWindow("p", cfg)
    session = WholeValueSession()
    table = " ".join(str(i) for i in range(400))
    most = 0
    for at in range(0, len(table), 5):
        window.add(table[at:at + 5])
        await window.take(session, final=False)
        most = max(most, len(window.buffer))
    assert most <= cfg.max_value + cfg.holdback + cfg.step
    assert window.released  # it went out before the end
