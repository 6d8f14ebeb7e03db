"""Function words of the language a text is written in, which are never a lone person's name.

Text in a language with no NER of its own (Italian, Portuguese, Dutch, Polish, Danish, ...) goes to
the English model, which tags a capitalised sentence opener it does not know as a person: "Der
kræves godkendelse", "Nie można", "Già aggiornato". Such an opener is often in names-dataset too
(its Facebook-derived lists hold "Der", "Nie", "Kon" as names), so the names index cannot tell.
spaCy's per-language stop-word lists can: a function word of the text's own language is not a
name. The language is py3langid's (already a dependency), over the Latin-script languages spaCy
has stop words for; the word counts as a function word when the languages whose list holds it
carry most of the probability, so a Danish/Norwegian tie still counts and English never does.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import lru_cache

import regex
from py3langid.langid import LanguageIdentifier

from pipeline.detect.language import identifier as language_identifier
from pipeline.detect.stopwords import stop_words

__all__ = ["ARTICLES", "LANGUAGES", "article_follows", "is_function_word"]

# py3langid code -> spaCy code (Norwegian Bokmål is "no" in one, "nb" in the other).
LANGUAGES = {
    code: code for code in
    ("de", "fr", "es", "it", "pt", "nl", "pl", "sv", "tr", "da", "cs", "ro", "ca", "fi", "hu",
     "hr", "sk", "sl", "is", "et", "lt", "lv", "id")
} | {"no": "nb"}
# Articles, a closed class no library lists apart from the other stop words. A sentence opener
# directly followed by one is a verb or a noun ("Necesito un resumen", "Legge le informazioni",
# "Lister les clés"): a name opening a sentence is followed by its verb, not by an article.
ARTICLES: dict[str, frozenset[str]] = {
    "es": frozenset({"el", "la", "los", "las", "un", "una", "unos", "unas"}),
    "fr": frozenset({"le", "la", "les", "l'", "un", "une", "des", "du"}),
    "it": frozenset({"il", "lo", "la", "i", "gli", "le", "l'", "un", "uno", "una"}),
    "pt": frozenset({"o", "a", "os", "as", "um", "uma", "uns", "umas"}),
    "ca": frozenset({"el", "la", "els", "les", "l'", "un", "una", "uns", "unes"}),
    "de": frozenset({"der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem",
                 "einer", "eines"}),
    "nl": frozenset({"de", "het", "een"}),
    "sv": frozenset({"en", "ett"}),
    "da": frozenset({"en", "et"}),
    "nb": frozenset({"en", "ei", "et"}),
}
# The next word, then a lowercase word: "Jan de Vries" keeps "de" a name particle.
_NEXT = regex.compile(r"\s+(?:(?P<word>[lL]['\u2019])|(?P<word>\p{L}+)\s+)(?=\p{Ll})")
_MIN_PROBABILITY = 0.75
_MIN_LETTERS = 12


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    """language.py's identifier over a wider language set.

    Loading py3langid's model takes about a second; a shallow copy shares the model that the
    worker's warm-up has already loaded (``set_languages`` only rebinds the copy's own arrays).
    """
    identifier = copy.copy(language_identifier())
    identifier.set_languages(["en", *LANGUAGES])
    return identifier


@lru_cache(maxsize=4096)
def _languages(text: str) -> tuple[tuple[str, float], ...]:
    """(spaCy language, probability) of the text, English left out."""
    ranked = _identifier().rank(text)
    return tuple((LANGUAGES[code], float(p)) for code, p in ranked if code in LANGUAGES)


def is_function_word(word: str, text: str) -> bool:
    """Tell whether ``word`` is a stop word of the (non-English) language ``text`` is written in."""
    return _held(word, text, lambda language: stop_words((language,)))


def _held(word: str, text: str, words_of: Callable[[str], frozenset[str]]) -> bool:
    """Whether the languages whose ``words_of`` list holds the word carry most probability."""
    if sum(c.isalpha() for c in text) < _MIN_LETTERS:
        return False
    lowered = word.casefold().replace("\u2019", "'")
    return sum(p for language, p in _languages(text)
               if lowered in words_of(language)) >= _MIN_PROBABILITY


def article_follows(text: str, end: int) -> bool:
    """Tell whether the word ending at ``end`` is followed by an article of the text's language."""
    match = _NEXT.match(text, end)
    return match is not None and _held(
        match.group("word"), text, lambda language: ARTICLES.get(language, frozenset()))
