"""A worker loads every language's NER pipeline at start: no prompt waits for a model load."""

from __future__ import annotations

from typing import Any

import pytest
import spacy

from pipeline.config import Settings
from pipeline.detect.ner import NerTagger

FRENCH = "Bonjour, je m'appelle Camille Lefèvre et j'habite à Lyon depuis dix ans."


def _loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = spacy.load

    def counting(name: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(name))
        return real(name, *args, **kwargs)

    monkeypatch.setattr(spacy, "load", counting)
    return seen


def test_after_preload_a_french_prompt_loads_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    loads = _loads(monkeypatch)
    tagger = NerTagger(Settings().spacy_model)
    tagger.preload()
    loaded = list(loads)
    assert len(loaded) > 1  # English at construction, then the other languages'
    tagger.persons([FRENCH])
    assert loads == loaded


def test_without_preload_the_first_french_prompt_loads_its_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loads = _loads(monkeypatch)
    tagger = NerTagger(Settings().spacy_model)
    before = len(loads)
    tagger.persons([FRENCH])
    assert len(loads) == before + 1
