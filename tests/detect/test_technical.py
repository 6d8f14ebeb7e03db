"""Clean technical prompts (``tests/detect/technical``): the eponym filter earns its place.

Eponyms ("Kruskal's algorithm", "the Kalman filter") are methods, not people: with the filter,
fewer clean prompts are altered on both sets; the people-before-technical-noun cases that must
stay people are in ``recognizers/test_generalisation.py`` and the frozen recall suites.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.detect import ner_filters
from pipeline.detect.engine import DetectionEngine
from tests.detect.suites import score_clean
from tests.detect.suites.detectors import ours

_SETS = sorted((Path(__file__).parent / "technical").glob("*.jsonl"))


@pytest.mark.parametrize("path", _SETS, ids=lambda p: p.stem)
def test_eponym_filter_removes_false_people(path: Path, engine: DetectionEngine) -> None:
    engine.nlp.tagger.clear_cache()  # the tagger caches filtered spans per chunk
    shipped = score_clean(path, ours(engine))
    ner_filters.DISABLED.add("eponym_head")
    engine.nlp.tagger.clear_cache()
    try:
        without = score_clean(path, ours(engine))
    finally:
        ner_filters.DISABLED.discard("eponym_head")
        engine.nlp.tagger.clear_cache()
    assert shipped.blocked == 0
    assert shipped.altered < without.altered, [o.found for o in shipped.outcomes if o.found]
