"""PERSON names from spaCy NER, as a presidio ``SpacyRecognizer`` reading the NlpArtifacts."""

from __future__ import annotations

from typing import ClassVar

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import SpacyRecognizer

from pipeline.detect.artifacts import NER_SCORE, PromptArtifacts
from pipeline.detect.base import CATEGORY_KEY
from pipeline.events import Category


class SpacyNerRecognizer(SpacyRecognizer):
    """Reports the PERSON spans the NLP engine (``nlp.ProseNlpEngine``) put in the artifacts.

    Our engine runs the model on prose chunks only and cleans each span (possessives, org names,
    sentence-initial single words) before it reaches the artifacts; see ``ner.py``. With any other
    presidio NLP engine, presidio's own ``SpacyRecognizer.analyze`` reads the spaCy entities.
    """

    entity_type: ClassVar[str] = "PERSON"
    category: ClassVar[Category] = Category.PII
    version = "1"

    def __init__(self) -> None:
        super().__init__(
            supported_language="en",
            supported_entities=[self.entity_type],
            ner_strength=NER_SCORE,
            name=type(self).__name__,
        )

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """PERSON results from our artifacts, or presidio's behaviour for spaCy artifacts."""
        artifacts = PromptArtifacts.matching(text, nlp_artifacts)
        if artifacts is None:
            results: list[RecognizerResult] = super().analyze(text, entities, nlp_artifacts)
            return results
        if entities and self.entity_type not in entities:
            return []
        metadata = {
            RecognizerResult.RECOGNIZER_NAME_KEY: type(self).__name__,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            CATEGORY_KEY: self.category,
        }
        return [
            RecognizerResult(self.entity_type, s, e, score, recognition_metadata=dict(metadata))
            for (s, e), score in zip(artifacts.persons, artifacts.scores, strict=True)
        ]
