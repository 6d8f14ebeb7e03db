"""A name written with the family name in capitals: "TANAKA Hiroshi", "Jean DUPONT".

French administration, Japanese and Korean romanisation, passports and airline manifests mark
the family name by capitals, before or after the given name. The model reads neither order (a
capitalised word beside an acronym-looking one), and the cue recognizer needs a field word. A
pair counts when the capitals word is a family name by the names index and the other a given
name there, the family name is no common English word (Zipf < 4: "NEW York", "ERROR Message"
are nobody) and the given name no very common one (< 4.5), and neither is a product or trading
word ("AWS Lambda", "IBM Watson").
"""

from __future__ import annotations

from collections.abc import Iterator

import regex
from wordfreq import zipf_frequency

from pipeline.detect.base import Candidate, Deadline, Recognizer
from pipeline.detect.names_index import names_index
from pipeline.detect.ner_filters import ORG_WORDS
from pipeline.detect.vocab import is_product
from pipeline.events import Category

__all__ = ["CapsFamilyNameRecognizer"]

_CAPS = r"\p{Lu}{2,}(?:-\p{Lu}{2,})?"
# After a capitalised word a short capitals word is mostly an acronym ("Roth IRA", "Azure AD"):
# the family name must have four letters there ("Jean DUPONT"; "Wei LI" is not read).
_CAPS_AFTER = r"\p{Lu}{4,}(?:-\p{Lu}{2,})?"
_TITLE = r"\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?"
_PAIR = regex.compile(
    rf"(?<![\p{{L}}\p{{N}}_.-])(?:(?P<family>{_CAPS})[ ](?P<given>{_TITLE})"
    rf"|(?P<given2>{_TITLE})[ ](?P<family2>{_CAPS_AFTER}))(?![\p{{L}}\p{{N}}_-])"
)


class CapsFamilyNameRecognizer(Recognizer):
    """A given name beside a family name in capitals, in either order."""

    entity_type = "PERSON"
    category = Category.PII
    needs_capital = True

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        for match in _PAIR.finditer(text, overlapped=True, timeout=deadline.remaining()):
            given = match.group("given") or match.group("given2")
            family = match.group("family") or match.group("family2")
            if _person(given, family):
                yield self.candidate(*match.span(), 0.65)


def _person(given: str, family: str) -> bool:
    index = names_index()
    family_title = family.title()
    if not (index.is_given(given) and index.is_family(family_title)):
        return False
    words = (given, family_title)
    if any(is_product(w) or w in ORG_WORDS or w.upper() in ORG_WORDS for w in words):
        return False
    # The capitals carry the signal, so a given name may be a word too ("Jean" 4.4, "Marcus"
    # 4.1), just not a very common one ("Will", "Grant ACCESS").
    return (zipf_frequency(given.lower(), "en", wordlist="small") < 4.5
            and zipf_frequency(family.lower(), "en", wordlist="small") < 4.0)
