"""The language of a piece of prose, so that each language gets its own NER (or none).

py3langid (a maintained fork of langid.py: a naive-Bayes byte n-gram model of about 3 MB) decides
among a fixed set of languages in well under a millisecond per sentence. English is the default:
a chunk is called German, French or Spanish only when the model is confident and the chunk is
long enough to judge, because calling English text foreign would take the English NER away from it.
Other languages the model knows are mapped to English NER, which is what presidio would run.
"""

from __future__ import annotations

from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

__all__ = ["OTHER_NER", "detect_language", "identifier"]

# Languages with their own handling; everything else is NER'd as English.
OTHER_NER = ("de", "fr", "es")
_CANDIDATES = ["en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "tr", "da", "no", "cs", "ro"]
_MIN_CONFIDENCE = 0.75
_MIN_LETTERS = 12


@lru_cache(maxsize=1)
def identifier() -> LanguageIdentifier:
    """The loaded model (~1 s to load), shared: ``function_words`` copies it for its own set."""
    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    model.set_languages(_CANDIDATES)
    return model


def detect_language(text: str) -> str:
    """``de``, ``fr`` or ``es`` when confident, else ``en``."""
    if sum(c.isalpha() for c in text) < _MIN_LETTERS:
        return "en"
    language, confidence = identifier().classify(text)
    if language in OTHER_NER and confidence >= _MIN_CONFIDENCE:
        return str(language)
    return "en"
