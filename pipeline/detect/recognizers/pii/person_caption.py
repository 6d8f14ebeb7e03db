"""Parties named in a court caption written in capitals: "STATE OF OHIO v. DESHAWN M. WILLIAMS".

Filings, dockets and judgments write the parties in capitals around "v." / "vs." / "versus", where
neither the cue recognizer (no field word) nor the gazetteer (title case only) reads them. A side
counts as a person when its first word is a given name by the names index, its last a family
name there or no English word at all, and none is a trading or public-body word ("ACME
HOLDINGS LTD", "STATE OF OHIO" are not people).
"""

from __future__ import annotations

from collections.abc import Iterator

import regex
from wordfreq import zipf_frequency

from pipeline.detect.base import Candidate, Deadline, Recognizer
from pipeline.detect.names_index import names_index
from pipeline.detect.ner_filters import ORG_WORDS
from pipeline.detect.recognizers.pii.person_context import CAPS_WORD
from pipeline.events import Category

__all__ = ["CourtCaptionRecognizer"]

_PARTY = rf"{CAPS_WORD}(?:[ ](?:\p{{Lu}}\.|{CAPS_WORD})){{1,3}}"
_VERSUS = r"(?:v\.|vs\.?|versus|V\.|VS\.?|VERSUS)"
_CAPTION = regex.compile(
    rf"(?:(?<![\p{{L}}.])(?P<before>{_PARTY}))?[ ]{_VERSUS}[ ]"
    rf"(?:(?P<after>{_PARTY})(?![\p{{L}}]))?"
)
# Public bodies that are parties as often as people: never a person's name.
_BODIES = frozenset({"STATE", "PEOPLE", "UNITED", "STATES", "COMMONWEALTH", "CITY", "COUNTY",
                     "REGINA", "REX", "CROWN", "DEPARTMENT", "BOARD", "OF", "THE", "AND"})


class CourtCaptionRecognizer(Recognizer):
    """A capitalised party of a "v." caption whose words read as given + family name."""

    entity_type = "PERSON"
    category = Category.PII
    needs_capital = True
    keywords = ("v.", "vs", "versus")

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        seen: set[tuple[int, int]] = set()  # overlapped matches share their sides
        for match in _CAPTION.finditer(text, overlapped=True, timeout=deadline.remaining()):
            for side in ("before", "after"):
                span = match.span(side)
                if span[0] >= 0 and span not in seen and _person(match.group(side)):
                    seen.add(span)
                    yield self.candidate(*span, 0.7)


def _person(party: str) -> bool:
    words = [w for w in party.split(" ") if not w.endswith(".")]
    if len(words) < 2 or any(w in _BODIES or w in ORG_WORDS or w.title() in ORG_WORDS
                             for w in words):
        return False
    index = names_index()
    first, last = words[0].title(), words[-1].title()
    # A family name outside the index still counts if it is no English word at all.
    return index.is_given(first) and (
        index.is_family(last) or zipf_frequency(last.lower(), "en", wordlist="small") == 0.0)
