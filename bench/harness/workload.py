"""The events the benchmark produces: sampled from the dev corpus, or synthetic if it is absent.

Corpus events keep only what a real producer sends (``id``, ``tenant``, ``user``, ``model``,
``messages``, ``conversation_id``); labels and meta are the answer key and are dropped. Every
produced event gets a fresh ``id`` so outputs can be matched to their inbound record.

The corpus has 1,000 events and a run sends ~20,000, so templates repeat (and corpus
templates reuse sentences). The detector keeps an NER cache keyed by run of sentences, which
would turn repeats into cache hits that real traffic does not get. So every sentence of every
sentence-like line of every non-system message gets a unique lowercase nonsense word before
its end (no capitals, digits or punctuation: it cannot create a finding; key material, code
and log lines are left alone). System prompts stay as they are: those do repeat in real
traffic.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import regex

__all__ = ["DEFAULT_CORPUS", "Workload", "load_workload"]

DEFAULT_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "dev.jsonl"
_WIRE_FIELDS = ("tenant", "user", "model", "messages", "conversation_id")

_NAMES = ("Maria Garcia", "Wei Zhang", "Olivia Brown", "Lukas Schmidt", "Aisha Khan")
_CLEAN = (
    "Explain the CAP theorem in two sentences.",
    "Refactor this function to use a dict comprehension:\n\n"
    "def f(xs):\n    out = {}\n    for x in xs:\n        out[x] = x * 2\n    return out\n",
    "Summarise the trade-offs between Kafka and RabbitMQ for an event-driven system.",
    "Write a haiku about on-call rotations and flaky integration tests.",
)
_PII = (
    "Draft a reply to {name} ({email}) about the refund for card 4111 1111 1111 1111.",
    "Please update the CRM entry: {name}, phone +1 415 555 0134, SSN 536-22-8756.",
    "Can you translate this note for {name}? Her email is {email}.",
)
_SECRET = (
    "Why does GitHub reject my token ghp_R8x2Lq9Vt4Nw7Kp3Zs6Yb1Hd5Fg0Jm2Cv4Xa?",
    "Our config has aws_access_key_id = AKIAIOSFODNN7EXAMPLF, what is wrong with it?",
)


@dataclass(frozen=True)
class Workload:
    """Event templates to cycle through; ``source`` says where they came from."""

    templates: list[dict[str, Any]]
    source: str

    def mean_bytes(self) -> float:
        return sum(len(orjson.dumps(t)) for t in self.templates) / max(1, len(self.templates))

    def events(self, prefix: str, count: int, seed: int = 7) -> Iterator[tuple[str, bytes]]:
        """``count`` (id, payload) pairs drawn with replacement, in a reproducible order."""
        rng = random.Random(f"{seed}-{prefix}")
        for i in range(count):
            ident = f"{prefix}-{i:06d}"
            template = rng.choice(self.templates)
            event = {"id": ident, **template, "messages": _unique(template["messages"], i)}
            yield ident, orjson.dumps(event)


def _word(n: int) -> str:
    letters = "bcdfghjklmnpqrstvwxz"
    out = "q"
    while True:
        n, r = divmod(n, len(letters))
        out += letters[r]
        if n == 0:
            return out


def _prose(line: str) -> bool:
    """Sentence-like lines (the ones NER sees); never key material, code tokens or blanks."""
    stripped = line.strip()
    letters = sum(c.isalpha() or c == " " for c in stripped)
    return (stripped.count(" ") >= 2 and letters >= 0.8 * len(stripped)
            and any(c.islower() for c in stripped))


# A sentence's closing punctuation inside a line (before whitespace and a capital).
_INNER_SENTENCE_END = regex.compile(r"[.!?](?=\s+[A-Z\"'«(])")


def _unique(messages: list[dict[str, str]], seq: int) -> list[dict[str, str]]:
    """Copy ``messages`` with a word unique to (event, sentence) before each sentence's end."""
    out = []
    for index, message in enumerate(messages):
        if message.get("role") == "system":
            out.append(message)
            continue
        words = (_word((seq * 64 + index) * 4096 + n) for n in itertools.count())
        lines = message["content"].split("\n")
        out.append({**message, "content": "\n".join(
            _salt(line, words) if _prose(line) else line for line in lines)})
    return out


def _salt(line: str, words: Iterator[str]) -> str:
    inner = _INNER_SENTENCE_END.sub(lambda m: f" {next(words)}{m.group()}", line)
    body = inner.rstrip(".!? ")
    return f"{body} {next(words)}{inner[len(body):]}"


def load_workload(corpus: Path | None = DEFAULT_CORPUS) -> Workload:
    if corpus is not None and corpus.is_file():
        templates = []
        with corpus.open("rb") as fh:
            for line in fh:
                if line.strip():
                    raw = orjson.loads(line)
                    templates.append({k: raw[k] for k in _WIRE_FIELDS if k in raw})
        if templates:
            return Workload(templates, str(corpus))
    return Workload(_synthetic(), "synthetic")


def _synthetic(count: int = 200, seed: int = 11) -> list[dict[str, Any]]:
    """Roughly the corpus mix: mostly clean, a third with personal data, a few secrets."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        roll = rng.random()
        name = rng.choice(_NAMES)
        email = name.lower().replace(" ", ".") + "@example-mail.com"
        if roll < 0.55:
            text = rng.choice(_CLEAN) * rng.randint(1, 4)
        elif roll < 0.9:
            text = rng.choice(_PII).format(name=name, email=email)
        else:
            text = rng.choice(_SECRET)
        out.append({"tenant": "t-bench", "user": f"u-{i % 17}", "model": "gpt-4o",
                    "messages": [{"role": "system", "content": "You are a helpful assistant."},
                                 {"role": "user", "content": text}]})
    return out
