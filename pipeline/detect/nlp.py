"""presidio ``NlpEngine`` over our prose-only, cached, batched spaCy NER.

presidio's ``SpacyNlpEngine`` runs the whole pipeline over every whole text, which is most of a
vanilla analyzer's cost. This engine gives presidio the same contract (``process_text`` /
``process_batch`` -> ``NlpArtifacts``) but runs only the NER component over the prose chunks of a
text (``ner.prose_chunks``), with a per-prompt character cap and a chunk cache, in one
``nlp.pipe`` per batch. ``DetectionEngine`` calls ``process_prompts`` for a whole batch and hands
each message's artifacts to ``AnalyzerEngine.analyze``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from presidio_analyzer.nlp_engine import NlpEngine
from spacy.tokens import Doc
from wordfreq import zipf_frequency

from pipeline.detect.artifacts import DEFAULT_BUDGET_SECONDS, Deadline, PromptArtifacts
from pipeline.detect.language import detect_language
from pipeline.detect.names_index import names_index
from pipeline.detect.ner import MAX_NER_CHARS, NerTagger, prose_chunks

__all__ = ["LANGUAGE", "ProseNlpEngine"]

LANGUAGE = "en"


def warm_up() -> None:
    """Load what every prompt may need now, not inside the first prompt's time budget.

    That is the names index, the language identifier and the word-frequency lists.
    """
    names_index()
    detect_language("warm up the language identifier")
    for language in ("en", "de", "fr", "es"):
        zipf_frequency("name", language, wordlist="small")


class ProseNlpEngine(NlpEngine):
    """PERSON spans for prose; other texts (decoded blobs, re-joined tokens) get none."""

    def __init__(
        self, model: str, batch_size: int = 64, max_ner_chars: int = MAX_NER_CHARS
    ) -> None:
        self.tagger = NerTagger(model, batch_size=batch_size)
        self.model_version = self.tagger.model_version
        self.max_ner_chars = max_ner_chars
        self._empty = Doc(self.tagger.nlp.vocab)
        self._stop_words: frozenset[str] = frozenset(self.tagger.nlp.Defaults.stop_words)
        warm_up()

    def load(self) -> None:
        """The model is loaded in ``__init__``."""

    def preload(self) -> None:
        """Every language's pipeline, loaded now (see ``NerTagger.preload``)."""
        self.tagger.preload()

    def is_loaded(self) -> bool:
        return True

    def bare(self, text: str, deadline: Deadline) -> PromptArtifacts:
        """Artifacts without NER, for text that is not prose."""
        return PromptArtifacts(text, deadline, self, self._empty)

    def process_prompts(
        self, prompts: Sequence[Sequence[str]], deadline: Deadline
    ) -> list[list[PromptArtifacts]]:
        """Artifacts per message; one batched model pass, ``max_ner_chars`` per prompt."""
        owners: list[tuple[int, int, int]] = []
        chunks: list[str] = []
        for p, texts in enumerate(prompts):
            budget = self.max_ner_chars
            for m, text in enumerate(texts):
                for offset, chunk in prose_chunks(text, budget):
                    budget -= len(chunk)
                    owners.append((p, m, offset))
                    chunks.append(chunk)
        deadline.remaining()
        persons: list[list[list[tuple[int, int]]]] = [[[] for _ in t] for t in prompts]
        found = self.tagger.persons(chunks, deadline)
        for (p, m, offset), spans in zip(owners, found, strict=True):
            persons[p][m].extend((offset + s, offset + e) for s, e in spans)
        deadline.remaining()
        return [
            [PromptArtifacts(text, deadline, self, self._empty, found)
             for text, found in zip(texts, per_message, strict=True)]
            for texts, per_message in zip(prompts, persons, strict=True)
        ]

    def process_text(self, text: str, language: str) -> PromptArtifacts:
        """Presidio contract: artifacts for one text, with the default time budget."""
        return self.process_prompts([[text]], Deadline(DEFAULT_BUDGET_SECONDS))[0][0]

    def process_batch(
        self,
        texts: Iterable[str],
        language: str,
        batch_size: int = 1,
        n_process: int = 1,
        **kwargs: Any,
    ) -> Iterator[tuple[str, PromptArtifacts]]:
        """Presidio contract: each text is its own prompt; one model pass for all of them."""
        items = list(texts)
        deadline = Deadline(DEFAULT_BUDGET_SECONDS * max(1, len(items)))
        for text, [artifacts] in zip(items, self.process_prompts([[t] for t in items], deadline),
                                     strict=True):
            yield text, artifacts

    def is_stopword(self, word: str, language: str) -> bool:
        return word.lower() in self._stop_words

    def is_punct(self, word: str, language: str) -> bool:
        return bool(word) and all(unicodedata.category(c).startswith("P") for c in word)

    def get_supported_entities(self) -> list[str]:
        return ["PERSON"]

    def get_supported_languages(self) -> list[str]:
        return [LANGUAGE]
