"""``prompt-dlp eval``: run the classify engine over a labelled corpus and score it.

The project's own scorer (``pipeline.scoring``) always runs, so ``eval`` works
on any clone. When a corpus scorer is given (``--scorer``) or a ``score.py``
sits beside the corpus (the dev corpus has one), its report is added too, under
``"corpus_scorer"`` in the JSON, for figures with its character-level metrics.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson

from pipeline import scoring
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
    """Scan ``corpus``, score the outputs and return the text report(s)."""
    if scorer_path is None and (corpus.parent / "score.py").exists():
        scorer_path = corpus.parent / "score.py"
    with corpus.open("rb") as fh:
        outputs = [r for r in scan_lines(classifier, fh) if "error" not in r]
    if outputs_path is not None:
        outputs_path.write_bytes(b"".join(orjson.dumps(o) + b"\n" for o in outputs))
    events = scoring.load_jsonl(corpus)
    report: dict[str, Any] = {
        "system": "prompt-dlp",
        "corpus": corpus.name,
        **scoring.score(events, outputs),
    }
    texts = [scoring.format_report(report, "prompt-dlp")]
    if scorer_path is not None:
        external = load_scorer(scorer_path)
        extra = {"system": "prompt-dlp", "corpus": corpus.name,
                 **external.score(external.load_jsonl(corpus), outputs)}
        report["corpus_scorer"] = {"path": str(scorer_path), **extra}
        texts.append(f"-- with {scorer_path}:\n" + str(external.format_report(extra, "prompt-dlp")))
    if json_report is not None:
        json_report.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return "\n\n".join(texts)
