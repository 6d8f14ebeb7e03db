"""spaCy's stop-word lists, read without importing the language packages they sit in.

``import spacy.lang.fr.stop_words`` first runs ``spacy/lang/fr/__init__.py``, which builds the
French tokenizer exceptions: about 3 s of start-up for a word list. The ``stop_words.py`` files
import nothing and define only ``STOP_WORDS``, so each is executed on its own from spaCy's
installed package; the French pipeline itself still loads lazily, on the first French text.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

__all__ = ["stop_words"]


@cache
def stop_words(languages: tuple[str, ...]) -> frozenset[str]:
    """The union of spaCy's stop words for ``languages`` (ISO 639-1 codes spaCy ships)."""
    spec = importlib.util.find_spec("spacy")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("spacy")
    words: set[str] = set()
    for language in languages:
        path = Path(spec.origin).parent / "lang" / language / "stop_words.py"
        module_spec = importlib.util.spec_from_file_location(
            f"pipeline.detect._stop_words_{language}", path)
        if module_spec is None or module_spec.loader is None:
            raise ModuleNotFoundError(str(path))
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        words.update(module.STOP_WORDS)
    return frozenset(words)
