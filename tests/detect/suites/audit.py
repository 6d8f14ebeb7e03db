"""Audit of the NER filters: what each removes on data it was not designed on.

    python -m tests.detect.suites.audit

For every filter in ``pipeline.detect.ner_filters.FILTERS`` (switched off, one at a time) and for
each retired filter below (switched back on, one at a time), the PERSON values leaked on the
recall suites and the held-out shapes generator, and the clean texts altered on the clean suites
and the generator's clean events, against the shipped configuration. A filter whose removal
lowers leaks costs recall; one whose removal raises alterations earns precision.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import regex

from pipeline.config import Settings
from pipeline.detect import ner_filters
from pipeline.detect.engine import DetectionEngine
from pipeline.detect.ner_filters import Span
from pipeline.detect.vocab import PRODUCT_HEAD, paired_with_product
from tests.detect import heldout_shapes
from tests.detect.heldout import run
from tests.detect.suites import score_clean, score_recall, suite_files
from tests.detect.suites.detectors import ours

_ARTICLE = regex.compile(r"(?i)\b(?:a|an)\s+$")
_SINGLE_BEFORE = regex.compile(
    r"(?:^|[.!?:*•-]\s*|\b(?:the|a|an|from|for|in|at|to|via|on|with)|\b\w*\d\w*)\s*$"
)
def _after(s: Span) -> str:
    return s.text[s.end : s.end + 40]


RETIRED: dict[str, Callable[[Span], bool]] = {
    "indefinite_article (retired)": lambda s: bool(_ARTICLE.search(s.before)),
    "single_word_after_the_from_at_or_sentence_start (retired)":
        lambda s: len(s.words) == 1 and bool(_SINGLE_BEFORE.search(s.before)),
    "single_word_product_head (retired)":
        lambda s: len(s.words) == 1 and bool(PRODUCT_HEAD.match(_after(s))),
    "single_word_paired_with_product (retired)":
        lambda s: len(s.words) == 1 and paired_with_product(s.before, _after(s)),
}


def _measure(engine: DetectionEngine) -> tuple[int, int, int, int]:
    """(PERSON leaks in suites, clean altered in suites, PERSON leaks, clean altered) held-out."""
    engine.nlp.tagger.clear_cache()
    detect = ours(engine)
    leaks = sum(score_recall(p, detect).leaks["PERSON"] for p in suite_files("recall"))
    altered = sum(score_clean(p, detect).altered for p in suite_files("clean"))
    report, _ = run(heldout_shapes.generate(300, 12), engine)
    person = report["per_kind"].get("PERSON", {}).get("leaked", 0)
    events = report["confusion"]["allow"]
    return leaks, altered, person, events.get("redact", 0) + events.get("block", 0)


def main() -> int:
    engine = DetectionEngine(Settings())
    base = _measure(engine)
    print("| filter | state | suite PERSON leaks | suite clean altered | held-out PERSON leaks"
          " | held-out clean altered |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(f"| (shipped set) | | {base[0]} | {base[1]} | {base[2]} | {base[3]} |")
    for name in list(ner_filters.FILTERS):
        ner_filters.DISABLED.add(name)
        got = _measure(engine)
        ner_filters.DISABLED.discard(name)
        print(f"| {name} | off | {got[0]} | {got[1]} | {got[2]} | {got[3]} |")
    for name, check in RETIRED.items():
        ner_filters.FILTERS[name] = check
        got = _measure(engine)
        del ner_filters.FILTERS[name]
        print(f"| {name} | on | {got[0]} | {got[1]} | {got[2]} | {got[3]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
