"""``prompt-dlp eval``: run the classify engine over a labelled corpus and score it.

The metrics are the shared scorer's own (``score.py`` beside the corpus, or
``--scorer``), loaded as a module, so our figures and the product's judge
never disagree about definitions.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import orjson

from pipeline.errors import ConfigError
from pipeline.route.classify import Classifier
from pipeline.scan import scan_lines

__all__ = ["evaluate_corpus", "load_scorer"]


def load_scorer(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("prompt_dlp_corpus_scorer", path)
    if spec is None or spec.loader is None:
        raise ConfigError("scorer", f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def evaluate_corpus(
    classifier: Classifier,
    corpus: Path,
    scorer_path: Path | None = None,
    outputs_path: Path | None = None,
    json_report: Path | None = None,
) -> str:
    """Scan ``corpus``, score the outputs and return the scorer's text report."""
    scorer_path = scorer_path or corpus.parent / "score.py"
    if not scorer_path.exists():
        raise ConfigError("scorer", f"no score.py beside {corpus}; pass --scorer")
    scorer = load_scorer(scorer_path)
    with corpus.open("rb") as fh:
        outputs = [r for r in scan_lines(classifier, fh) if "error" not in r]
    if outputs_path is not None:
        outputs_path.write_bytes(b"".join(orjson.dumps(o) + b"\n" for o in outputs))
    report = scorer.score(scorer.load_jsonl(corpus), outputs)
    report = {"system": "prompt-dlp", "corpus": corpus.name, **report}
    if json_report is not None:
        json_report.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    text: str = scorer.format_report(report, "prompt-dlp")
    return text
