"""Korean and Taiwanese names: a family name, then a two-syllable given name joined by a hyphen.

Revised and McCune-Reischauer romanisation (and Wade-Giles in Taiwan) write the given name as
"Min-jun", "Seo-yeon", "Mei-ling": capital, hyphen, lower-case second syllable, after a family
name ("Kim Min-jun", "Chen Mei-ling"). The small English model tags some of them and not others.
A pair counts when the first word is a family name by the names index and the given name,
written without its hyphen, is no English word at all, nor either syllable a common one
("Park Drop-off" is a car park).
"""

from __future__ import annotations

from collections.abc import Iterator

import regex
from wordfreq import zipf_frequency

from pipeline.detect.base import Candidate, Deadline, Recognizer
from pipeline.detect.names_index import names_index
from pipeline.events import Category

__all__ = ["HyphenatedGivenNameRecognizer"]

_PAIR = regex.compile(
    r"(?<![\p{L}\p{N}_-])(?P<family>\p{Lu}\p{Ll}{1,7})[ ]"
    r"(?P<given>\p{Lu}\p{Ll}{1,5}-\p{Ll}{2,6})(?![\p{L}\p{N}_-])"
)


class HyphenatedGivenNameRecognizer(Recognizer):
    """A family name by the index before a hyphenated given name that is no English word."""

    entity_type = "PERSON"
    category = Category.PII
    needs_capital = True
    keywords = ("-",)

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        index = names_index()
        for match in _PAIR.finditer(text, timeout=deadline.remaining()):
            syllables = match.group("given").lower().split("-")
            if index.is_family(match.group("family")) and _romanised(syllables):
                yield self.candidate(*match.span(), 0.65)


def _romanised(syllables: list[str]) -> bool:
    """No English word when joined, and no common one apart ("Drive-thru", "Check-in" are)."""
    return zipf_frequency("".join(syllables), "en", wordlist="small") == 0.0 and all(
        zipf_frequency(s, "en", wordlist="small") < 4.5 for s in syllables)
