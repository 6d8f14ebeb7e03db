"""A third held-out generator: identifiers spoken or spaced out, the evasion class of issue #12.

    python -m tests.detect.heldout_spoken [--n 200] [--seed 31] [--failures]

Card numbers, IBANs, US SSNs and phone numbers read out digit by digit ("four seven one …"),
spaced by single characters ("5 - 1 - 6 …", "D E 8 9 …"), by slashes or by runs of blanks,
in chat, transcripts and forms; plus clean prompts with the same separators (version lists,
dates, matrices, scores) that must stay unaltered. Written for this issue, after
``heldout_shapes`` was frozen; it adds shapes, it replaces nothing.
"""

from __future__ import annotations

import argparse
import sys
from random import Random
from typing import Any

from tests.detect.heldout import _event, _failures, run, scorer
from tests.detect.heldout_secrets import Part, Template
from tests.detect.heldout_values import card, iban, pick, ssn

__all__ = ["generate"]

_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _spaced(value: str, rng: Random) -> str:
    """Each character on its own, with one separator style for the whole value."""
    sep = pick(rng, [" ", " - ", "-", " / ", "  ", ". ", " | "])
    return sep.join(c for c in value if c.isalnum())


def _spoken(value: str, rng: Random) -> str:
    sep = pick(rng, [" ", ", ", " - "])
    words = [_WORDS[int(c)] for c in value if c.isdigit()]
    text = sep.join(words)
    return text.capitalize() if rng.random() < 0.3 else text


def _phone_digits(rng: Random) -> str:
    """A US number with a real area code and exchange (not 555-01xx fiction)."""
    area = pick(rng, ["212", "312", "415", "617", "646", "718", "773", "917"])
    return area + str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(6))


def card_spaced(rng: Random) -> list[Part]:
    return [pick(rng, ["my card is ", "Card number: ", "ok so the long number is "]),
            (_spaced(card(rng, ""), rng), "CREDIT_CARD"),
            pick(rng, [", exp 09/27", ". Can you refund it?", ""])]


def card_spoken(rng: Random) -> list[Part]:
    return ["Transcribe the caller's answer into the form:\n\nCaller: sure, it's ",
            (_spoken(card(rng, ""), rng), "CREDIT_CARD"), ".\nAgent: thank you."]


def iban_spaced(rng: Random) -> list[Part]:
    return [pick(rng, ["please pay into ", "IBAN: ", "the account for the refund is "]),
            (_spaced(iban(rng, "compact"), rng), "IBAN_CODE"),
            pick(rng, [" thanks", ".", " (savings)"])]


def ssn_spoken(rng: Random) -> list[Part]:
    value = ssn(rng, "")
    shown = _spoken(value, rng) if rng.random() < 0.5 else _spaced(value, rng)
    return [pick(rng, ["my social is ", "SSN for the application: ", "Social security number "]),
            (shown, "US_SSN"), pick(rng, [".", ", is that enough?", ""])]


def phone_spoken(rng: Random) -> list[Part]:
    value = _phone_digits(rng)
    shown = _spoken(value, rng) if rng.random() < 0.5 else _spaced(value, rng)
    return [pick(rng, ["call me back on ", "Reach her at ", "my mobile is "]),
            (shown, "PHONE_NUMBER"), pick(rng, [" after six", ".", " please"])]


def clean_versions(rng: Random) -> list[Part]:
    vs = " / ".join(f"{rng.randint(1, 4)}.{rng.randint(0, 20)}" for _ in range(rng.randint(3, 6)))
    return [f"Which of these releases are still supported: {vs}?"]


def clean_matrix(rng: Random) -> list[Part]:
    rows = "\n".join(" ".join(str(rng.randint(0, 9)) for _ in range(4)) for _ in range(4))
    return ["Compute the determinant of this matrix:\n\n", rows]


def clean_scores(rng: Random) -> list[Part]:
    scores = " - ".join(str(rng.randint(0, 5)) for _ in range(rng.randint(4, 9)))
    return [f"The match scores per round were {scores}. Who won on aggregate?"]


def clean_counting(rng: Random) -> list[Part]:
    start = rng.randint(0, 3)
    words = ", ".join(_WORDS[start : start + rng.randint(4, 6)])
    return [f"Translate the words {words} into Spanish."]


_PII: dict[str, Template] = {
    "card_spaced": card_spaced, "card_spoken": card_spoken, "iban_spaced": iban_spaced,
    "ssn_spoken": ssn_spoken, "phone_spoken": phone_spoken,
}
_CLEAN: dict[str, Template] = {
    "clean_versions": clean_versions, "clean_matrix": clean_matrix,
    "clean_scores": clean_scores, "clean_counting": clean_counting,
}


def generate(n: int = 200, seed: int = 31) -> list[dict[str, Any]]:
    """``n`` labelled events (about 70 % carrying a spoken or spaced identifier)."""
    rng = Random(seed)
    events = []
    for index in range(n):
        family, templates = ("pii", _PII) if rng.random() < 0.7 else ("clean", _CLEAN)
        template = rng.choice(sorted(templates))
        event = _event(index, family, template, templates[template](rng), None)
        event["id"] = f"hp-{index:05d}"
        events.append(event)
    return events


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument("--failures", action="store_true", help="list every failing event")
    args = parser.parse_args(argv)
    print(f"seed={args.seed} n={args.n}", file=sys.stderr)
    events = generate(args.n, args.seed)
    report, outputs = run(events)
    if args.failures:
        _failures(events, outputs)
    print(scorer().format_report(report, f"heldout_spoken seed={args.seed}"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
