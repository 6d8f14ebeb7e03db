"""Full names recognised from real-world name statistics, wherever they stand in the text.

spaCy's small English model tags many non-English names as ORG or nothing ("Maybe the booking is
under Tomasz Wielgosz"), has no German pipeline at all, and sees CSV cells and code strings without
context. This recognizer needs no model: a run of capitalised words whose first word is a given
name and last word a family name (or the reverse, for family-first orders) according to the
names-dataset index (``names_index.py``) is a person, provided one of its words is rare as an
ordinary word (Zipf < 3.3 in English, German, French and Spanish, from ``wordfreq``) and none is a
common word that no country uses as a name. "Tomasz Wielgosz", "Sigrún Eiríksdóttir" and
"Okafor, Chidi" are found; "Max Pool Size", "Happy New Year" and "Morgan Stanley" (common words
and names only) are left to the model and the cues. Middle initials and particles are kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import regex
from wordfreq import zipf_frequency

from pipeline.detect.base import Candidate, Deadline, Recognizer
from pipeline.detect.names_index import names_index
from pipeline.detect.ner_filters import LEADING_WORDS, MODEL_SUFFIXES, ORG_WORDS
from pipeline.detect.stopwords import stop_words
from pipeline.detect.vocab import is_product
from pipeline.events import Category

__all__ = ["PersonGazetteerRecognizer"]

_LANGUAGES = ("en", "de", "fr", "es")
_RARE = 3.3  # Zipf (log10 per billion words) in English
_COMMON = 3.5
# Anna, O'Brien, MacLeod, Adebayo-Cole
_WORD = r"\p{Lu}[\p{Ll}'\u2019]*\p{Ll}(?:\p{Lu}\p{Ll}+)?(?:-\p{Lu}?\p{Ll}+)?"
_GLUE = r"(?:[ ](?:(?:van|von|der|den|de|del|della|la|le|du|da|das|dos|di|bin|binti|al|ter)[ ])*)"
_INITIAL = r"\p{Lu}\.?"
_INITIAL_ONLY = regex.compile(r"^\p{Lu}\.?$")
_RUN = regex.compile(
    rf"(?<![\p{{L}}\p{{N}}_@.-])(?:(?:{_INITIAL}[ ])?{_WORD}"
    rf"(?:{_GLUE}(?:{_INITIAL}{_GLUE})?{_WORD}){{1,3}})(?![\p{{L}}\p{{N}}_@-])"
)
# "Okafor, Chidi": family name, comma, given name (lists, CSV cells, forms).
_INVERTED = regex.compile(rf"(?<![\p{{L}}\p{{N}}_@.-]){_WORD},[ ]?{_WORD}(?![\p{{L}}\p{{N}}_@-])")
_LEGAL = frozenset({"Inc", "LLC", "Ltd", "Corp", "GmbH", "AG", "PLC", "LLP", "Holdings", "Group"})


_STOP = stop_words(_LANGUAGES)


@lru_cache(maxsize=65_536)
def _zipf(word: str) -> float:
    """How common the word is in the most common of the four languages."""
    lowered = word.lower()
    return max(zipf_frequency(lowered, language, wordlist="small") for language in _LANGUAGES)


@lru_cache(maxsize=65_536)
def _rare(word: str) -> bool:
    """Rare as an English word ("Krämer" 1.5, "Hartmann" 2.8).

    Names are frequent in German and French news text, so English frequency tells them apart.
    """
    return zipf_frequency(word.lower(), "en", wordlist="small") < _RARE


# Russian and Ukrainian names decline ("письмо Ивану Петрову"); the index holds nominatives.
_CYRILLIC = regex.compile(r"\p{Cyrillic}")
_CASE_ENDINGS = ("ого", "ому", "его", "ему", "ым", "им", "ом", "ем", "ой", "ей", "ую",  # noqa: RUF001
                 "ю", "у", "а", "я", "е", "ы", "и")  # noqa: RUF001
_NOMINATIVE_ENDINGS = ("", "а", "я", "й", "ий")  # noqa: RUF001


@lru_cache(maxsize=65_536)
def _base_forms(word: str) -> tuple[str, ...]:
    """Nominative candidates of a declined Cyrillic name: Ивану → Иван, Петровой → Петрова."""
    if not _CYRILLIC.match(word):
        return ()
    return tuple(word[: -len(end)] + nom for end in _CASE_ENDINGS
                 if word.endswith(end) and len(word) - len(end) >= 3
                 for nom in _NOMINATIVE_ENDINGS)


def _given(word: str) -> bool:
    index = names_index()
    return index.is_given(word) or any(index.is_given(b) for b in _base_forms(word))


def _family(word: str) -> bool:
    index = names_index()
    return (index.is_family(word) or any(index.is_family(b) for b in _base_forms(word))
            or ("-" in word and all(index.is_family(p) for p in word.split("-"))))


@lru_cache(maxsize=65_536)
def _is_name_pair(first: str, last: str, words: tuple[str, ...]) -> bool:
    index = names_index()
    if not ((_given(first) and _family(last)) or (_family(first) and _given(last))):
        return False
    if words[-1] in MODEL_SUFFIXES:
        return False
    if any(w.lower() in _STOP or w in _LEGAL or is_product(w) for w in words):
        return False
    if any(_zipf(w) >= _COMMON and not index.is_name(w) for w in words if "-" not in w):
        return False
    return any(_rare(w) for w in (first, last))


@lru_cache(maxsize=65_536)
def _given_and_unknown(first: str, last: str) -> bool:
    """A rare given name before a word no word list knows: a family name outside the index.

    "Srinivasa Ramanujan", "Mingzhe Quanbao": the second word is in none of the four languages'
    frequency lists (Zipf 0), so it is no ordinary word; products and stop words are excluded.
    """
    if not (_given(first) and _rare(first)) or len(last) < 4 or last in MODEL_SUFFIXES:
        return False
    if any(w.lower() in _STOP or w in _LEGAL or is_product(w) for w in (first, last)):
        return False
    return _zipf(last) == 0.0 and _zipf(first) < _COMMON


class PersonGazetteerRecognizer(Recognizer):
    """Capitalised runs that read as given + family name by the names-dataset index."""

    entity_type = "PERSON"
    category = Category.PII
    needs_capital = True  # every run starts with one

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        for match in _RUN.finditer(text, timeout=deadline.remaining()):
            words = [w for w in match.group().split(" ") if len(w.rstrip(".")) > 1]
            if words and words[-1].removesuffix("'s").removesuffix("\u2019s") in ORG_WORDS:
                continue  # "Blue Heron Health's copilot" is an organisation
            found = list(self._best(match.start(), match.group(), words))
            if not found and len(words) == 2 and _given_and_unknown(words[0], words[1]):
                found = [self.candidate(match.start(), match.end(), 0.65)]
            elif (found and len(words) > 2 and all(c.end < match.end() for c in found)
                  and _given_and_unknown(words[-2], words[-1])):
                # "Pt Ramona Eszterházy": the pair found first ("Pt Ramona") left the family
                # name out; the run's last two words are a name on their own.
                run = match.group()
                tail, end = run.rindex(words[-2]), run.rindex(words[-1]) + len(words[-1])
                found.append(self.candidate(match.start() + tail, match.start() + end, 0.65))
            yield from found or self._initialled(match.start(), match.group())
        for match in _INVERTED.finditer(text, timeout=deadline.remaining()):
            family, given = (w.strip() for w in match.group().split(","))
            if _family(family) and _given(given) and _is_name_pair(given, family, (given, family)):
                yield self.candidate(*match.span(), 0.7)

    def _initialled(self, start: int, run: str) -> Iterator[Candidate]:
        """An initial beside capitalised words one of which the index knows reads as a person.

        "Quarantino D Marcelo", "J. Harrington Pike"; no word may be a common non-name word.
        """
        parts = run.split(" ")
        if parts[0] in ("A", "I"):  # the article or the pronoun, not an initial
            start, run, parts = start + 2, run[2:], parts[1:]
        if len(parts) < 3 or not any(_INITIAL_ONLY.match(p) for p in parts):
            return
        words = [p for p in parts if not _INITIAL_ONLY.match(p)]
        index = names_index()
        if (len(words) >= 2 and any(index.is_name(w) for w in words)
                and not any(w.lower() in _STOP or w in _LEGAL or is_product(w)
                            or (_zipf(w) >= _COMMON and not index.is_name(w)) for w in words)):
            yield self.candidate(start, start + len(run), 0.7)

    def _best(self, start: int, run: str, words: list[str]) -> Iterator[Candidate]:
        """The longest sub-run (by whole words) that reads as a name; the run may carry a title."""
        for i in range(len(words)):
            if words[i] in LEADING_WORDS:
                continue  # "Dear Sunita Patel": the greeting is not part of the name
            for j in range(len(words) - 1, i, -1):
                if _is_name_pair(words[i], words[j], tuple(words[i : j + 1])):
                    offset = run.index(words[i])
                    end = run.index(words[j], offset) + len(words[j])
                    yield self.candidate(start + offset, start + end, 0.7)
                    return
