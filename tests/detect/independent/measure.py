"""What the engine does to the independent multilingual set: names missed, clean text altered.

    python -m tests.detect.independent.measure [--validation] [--failures]

The set (``multilingual.jsonl``, see ``README.md``) was frozen before any filter ran on it, so it
is evidence for or against a filter that the dev corpus and our own fixtures cannot be. Counted:
hand-labelled names still in the text after redaction (leaked), lines naming no person that get
any finding (altered), and PERSON findings anywhere that cover no labelled name (false persons).
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Settings
from pipeline.detect.engine import DetectionEngine
from tests.detect.suites import load, redact
from tests.detect.suites.detectors import ours

__all__ = ["SET", "Measured", "measure"]

SET = Path(__file__).resolve().parent / "multilingual.jsonl"


@dataclass
class Measured:
    """Counts and the offending (line id, language, entity type, text) items, for the listing."""

    lines: int = 0
    names: int = 0
    clean_lines: int = 0
    leaked: list[tuple[str, str]] = field(default_factory=list)
    altered: list[tuple[str, str, str, str]] = field(default_factory=list)
    false_persons: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def altered_lines(self) -> int:
        return len({item[0] for item in self.altered})

    def by_language(self) -> Counter[str]:
        """Altered clean lines per language."""
        return Counter(lang for lang, _ in {(a[1], a[0]) for a in self.altered})


def _covers(text: str, start: int, end: int, values: list[str]) -> bool:
    for value in values:
        at = text.find(value)
        while at >= 0:
            if start < at + len(value) and at < end:
                return True
            at = text.find(value, at + 1)
    return False


def measure(engine: DetectionEngine, path: Path = SET) -> Measured:
    """Run the engine on every line, as one-message prompts in worker-sized batches."""
    engine.nlp.tagger.clear_cache()
    rows = load(path)
    result = Measured(lines=len(rows))
    for row, spans in zip(rows, ours(engine)([r["text"] for r in rows]), strict=True):
        text, values = row["text"], [e["value"] for e in row["expect"]]
        result.names += len(values)
        result.clean_lines += not values
        sent = redact(text, spans)
        result.leaked += [(row["id"], v) for v in values if sent is not None and v in sent]
        for start, end, kind, _ in spans:
            item = (row["id"], row["language"], kind, text[start:end])
            if not values:
                result.altered.append(item)
            if kind == "PERSON" and not _covers(text, start, end, values):
                result.false_persons.append(item)
    return result


def report(result: Measured, failures: bool) -> str:
    """The summary line (and the offending items)."""
    lines = [
        f"lines {result.lines}; names leaked {len(result.leaked)}/{result.names}; clean lines "
        f"altered {result.altered_lines}/{result.clean_lines} "
        f"({100 * result.altered_lines / result.clean_lines:.1f} %); false PERSON "
        f"{len(result.false_persons)}; altered by language "
        f"{dict(sorted(result.by_language().items()))}"
    ]
    if failures:
        lines += [f"  leaked {i}: {v}" for i, v in result.leaked]
        lines += [f"  altered {i} [{lang}] {k}: {v!r}" for i, lang, k, v in result.altered]
        lines += [f"  false person {i} [{lang}]: {v!r}" for i, lang, _, v in result.false_persons]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    path = SET.parent / "validation.jsonl" if "--validation" in argv else SET
    print(report(measure(DetectionEngine(Settings()), path), "--failures" in argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
