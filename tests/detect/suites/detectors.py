"""The two detectors the suites compare: our engine and vanilla presidio on the same texts."""

from __future__ import annotations

from collections.abc import Sequence

from bench.vanilla import VANILLA_MODEL, vanilla_analyzer
from pipeline.detect.engine import DetectionEngine
from pipeline.events import Category, Message
from tests.detect.suites import Detector, Span

__all__ = ["VANILLA_MODEL", "ours", "vanilla"]

_BATCH = 32


def ours(engine: DetectionEngine) -> Detector:
    """Each text as a one-message prompt, in batches as the worker runs them."""

    def run(texts: Sequence[str]) -> list[list[Span]]:
        out: list[list[Span]] = []
        for i in range(0, len(texts), _BATCH):
            prompts = [[Message("user", t)] for t in texts[i : i + _BATCH]]
            for findings in engine.detect_batch(prompts):
                out.append([(f.start, f.end, f.entity_type,
                             f.category in (Category.SECRET, Category.CUSTOM)) for f in findings])
        return out

    return run


def vanilla() -> Detector:
    """presidio ``AnalyzerEngine`` with its defaults and the same spaCy model; never blocks."""
    analyzer = vanilla_analyzer(VANILLA_MODEL)

    def run(texts: Sequence[str]) -> list[list[Span]]:
        out: list[list[Span]] = []
        for text in texts:
            results = analyzer.analyze(text, language="en")
            kept: list[Span] = []
            for r in sorted(results, key=lambda r: (-(r.end - r.start), r.start)):
                if not any(r.start < e and s < r.end for s, e, _, _ in kept):
                    kept.append((r.start, r.end, r.entity_type, False))
            out.append(kept)
        return out

    return run
