"""A held-out style set: labelled events written unlike the dev corpus, and a scorer run over it.

    python -m tests.detect.heldout [--n 400] [--seed 7] [--out events.jsonl] [--failures]

Events follow the corpus format (labels with exact offsets). Templates live in
``heldout_secrets`` (block class, many disguised), ``heldout_pii`` (redact class: other name
distributions, phone/DOB/address formats, obfuscated emails) and ``heldout_clean`` (hard
negatives). The run goes through ``pipeline.detect.evaluate.naive_outputs`` and the project's
scorer (``pipeline.scoring``). Decision recorded here: names of public figures in general
questions are labelled PERSON (template ``public_figure``): the detector cannot tell them from
customers' names without a list of famous people, and a leak costs more than an over-redaction.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path
from random import Random
from types import ModuleType
from typing import Any

from pipeline.config import Settings
from pipeline.detect.engine import DetectionEngine
from pipeline.detect.evaluate import naive_outputs
from tests.detect.heldout_clean import CLEAN_TEMPLATES
from tests.detect.heldout_pii import PII_TEMPLATES
from tests.detect.heldout_secrets import SECRET_TEMPLATES, Template

__all__ = ["BLOCK_KINDS", "generate", "run", "scorer"]

BLOCK_KINDS = frozenset(
    {
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "GITHUB_TOKEN",
        "SLACK_TOKEN",
        "STRIPE_SECRET_KEY",
        "OPENAI_API_KEY",
        "GOOGLE_API_KEY",
        "PRIVATE_KEY",
        "JWT",
        "PASSWORD_IN_URL",
    }
)
_FAMILIES: tuple[tuple[str, float, dict[str, Template]], ...] = (
    ("secret", 0.3, SECRET_TEMPLATES),
    ("pii", 0.35, PII_TEMPLATES),
    ("clean", 0.35, CLEAN_TEMPLATES),
)
_SYSTEM = ("You are a helpful engineering assistant.", "Answer concisely.", None)


def _event(
    index: int, family: str, template: str, parts: list[Any], system: str | None
) -> dict[str, Any]:
    content, labels, message = "", [], 0 if system is None else 1
    for part in parts:
        if isinstance(part, tuple):
            text, kind = part
            labels.append(
                {
                    "message": message,
                    "start": len(content),
                    "end": len(content) + len(text),
                    "text": text,
                    "kind": kind,
                    "cls": "block" if kind in BLOCK_KINDS else "redact",
                }
            )
            content += text
        else:
            content += part
    messages = [] if system is None else [{"role": "system", "content": system}]
    messages.append({"role": "user", "content": content})
    classes = {lab["cls"] for lab in labels}
    action = "block" if "block" in classes else "redact" if labels else "allow"
    return {
        "id": f"ho-{index:05d}",
        "tenant": "t-heldout",
        "user": f"u-{index:06x}",
        "model": "gpt-4o",
        "messages": messages,
        "labels": labels,
        "expected_action": action,
        "meta": {"template": f"{family}:{template}", "shape": family, "lang": "en"},
    }


def generate(n: int = 400, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` labelled events from a fixed seed (same seed, same events)."""
    rng = Random(seed)
    events = []
    for index in range(n):
        family, _weight, templates = rng.choices(_FAMILIES, [w for _, w, _ in _FAMILIES])[0]
        template = rng.choice(sorted(templates))
        parts = templates[template](rng)
        events.append(_event(index, family, template, parts, rng.choice(_SYSTEM)))
    return events


def scorer() -> ModuleType:
    """The project's own scorer (the shared one beside the checkout is not needed)."""
    from pipeline import scoring

    return scoring


def run(
    events: list[dict[str, Any]], engine: DetectionEngine | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(score report, outputs) for the events through the naive detect-only policy."""
    outputs = list(naive_outputs(events, engine or DetectionEngine(Settings())))
    report: dict[str, Any] = scorer().score(events, outputs)
    return report, outputs


def _failures(events: list[dict[str, Any]], outputs: list[dict[str, Any]]) -> None:
    by_template: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for event, out in zip(events, outputs, strict=True):
        sent = out["messages"] or []
        leaked = [
            lab
            for lab in event["labels"]
            if out["action"] != "block" and any(lab["text"] in m["content"] for m in sent)
        ]
        wrong = out["action"] != event["expected_action"]
        tally = by_template[event["meta"]["template"]]
        tally["n"] += 1
        tally["bad"] += bool(leaked or wrong)
        if leaked or wrong:
            print(
                f"--- {event['id']} {event['meta']['template']} expected "
                f"{event['expected_action']} got {out['action']}"
            )
            for lab in leaked:
                print(f"    LEAK {lab['kind']}: {lab['text']!r}")
            for f in out.get("findings", []):
                if wrong:
                    text = event["messages"][f["message_index"]]["content"][f["start"] : f["end"]]
                    print(f"    FOUND {f['entity_type']}: {text!r}")
    print("\n  template                               n  bad")
    for name, tally in sorted(by_template.items()):
        if tally["bad"]:
            print(f"  {name:36s} {tally['n']:4d} {tally['bad']:4d}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None, help="also write the events here")
    parser.add_argument("--failures", action="store_true", help="list every failing event")
    args = parser.parse_args(argv)
    events = generate(args.n, args.seed)
    if args.out is not None:
        args.out.write_text(
            "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8"
        )
    report, outputs = run(events)
    if args.failures:
        _failures(events, outputs)
    print(scorer().format_report(report, f"heldout seed={args.seed}"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
