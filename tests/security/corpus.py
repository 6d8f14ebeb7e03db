"""A seeded generator of test prompts carrying fresh secrets and personal data.

Every value is random (never a documented example, never copied from a shared corpus), so a
test can search outputs, logs and metrics for it and find it only if it leaked. ``needles``
lists the strings that must not appear: the value as written, plus the parts a partial leak
would still expose (each line of a PEM body, the password of a URL).
"""

from __future__ import annotations

import random
import string
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml

from pipeline.config import DEFAULT_POLICY
from pipeline.detect.placeholders import is_placeholder

_ALNUM = string.ascii_letters + string.digits
_UPPER = string.ascii_uppercase + string.digits
_B64 = string.ascii_letters + string.digits + "+/"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_FIRST = ("maria", "devon", "keiko", "arjun", "olena", "tomasz", "ngozi", "lucia")
_LAST = ("okafor", "lindqvist", "haddad", "moreau", "tanaka", "petrov", "osei", "varga")
_DOMAINS = ("contoso-mail.com", "fabrikam.io", "northwind-post.net", "tailspin.org")
_AREAS = ("212", "312", "415", "503", "617", "646", "713", "917")


@dataclass(frozen=True)
class Value:
    """One generated sensitive value: its kind, category (secret|pii), text and leak needles."""

    kind: str
    category: str
    text: str
    needles: tuple[str, ...]


@dataclass(frozen=True)
class Event:
    """One inbound record: test id, the Kafka value, its expected route and what it carries."""

    ident: str
    raw: bytes | None  # None: a tombstone
    expect: str  # approved | quarantine | dlq, or alternatives such as "approved|quarantine"
    values: tuple[Value, ...] = field(default_factory=tuple)


class Corpus:
    """Random sensitive values and prompts; the same seed gives the same corpus."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    # ------------------------------------------------------------------ values
    def _token(self, alphabet: str, n: int) -> str:
        while True:
            value = "".join(self.rng.choice(alphabet) for _ in range(n))
            if not is_placeholder(value):
                return value

    def aws_key(self) -> Value:
        key_id = "AKIA" + self._token(_UPPER, 16)
        secret = self._token(_B64, 40)
        text = f"aws_access_key_id = {key_id}\naws_secret_access_key = {secret}"
        return Value("aws", "secret", text, (key_id, secret))

    def github_token(self) -> Value:
        body = self._token(_ALNUM, 30)
        crc, digits = zlib.crc32(body.encode()), ""
        while crc:
            crc, rem = divmod(crc, 62)
            digits = _BASE62[rem] + digits
        token = "ghp_" + body + digits.rjust(6, "0")
        return Value("github", "secret", token, (token,))

    def pem_key(self) -> Value:
        lines = [self._token(_B64, 64) for _ in range(6)]
        body = "\n".join(lines)
        text = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
        return Value("pem", "secret", text, tuple(lines))

    def url_password(self) -> Value:
        password = self._token(_ALNUM, 12) + self.rng.choice("!%^*") + self._token(_ALNUM, 6)
        host = f"db{self.rng.randint(1, 9)}.corp-internal.net"
        text = f"postgres://svc_reports:{password}@{host}:5432/sales"
        return Value("url_password", "secret", text, (password,))

    def email(self) -> Value:
        local = f"{self.rng.choice(_FIRST)}.{self.rng.choice(_LAST)}{self.rng.randint(10, 99)}"
        text = f"{local}@{self.rng.choice(_DOMAINS)}"
        return Value("email", "pii", text, (text,))

    def phone(self) -> Value:
        area = self.rng.choice(_AREAS)
        exchange, line = self.rng.randint(201, 989), self.rng.randint(1000, 9999)
        text = f"({area}) {exchange}-{line}"
        return Value("phone", "pii", text, (text, f"{area}{exchange}{line}"))

    def ssn(self) -> Value:
        area = self.rng.choice([a for a in range(101, 665) if a != 666])
        text = f"{area:03d}-{self.rng.randint(10, 99):02d}-{self.rng.randint(1000, 9999):04d}"
        return Value("ssn", "pii", text, (text,))

    def secret(self) -> Value:
        return self.rng.choice((self.aws_key, self.github_token, self.pem_key, self.url_password))()

    def pii(self) -> Value:
        return self.rng.choice((self.email, self.phone, self.ssn))()

    # ------------------------------------------------------------------ prompts
    def carrying(self, value: Value) -> str:
        """A prompt that states ``value`` in the context its kind is normally pasted in."""
        templates = {
            "aws": "Why does boto3 say access denied with these credentials?\n{v}",
            "github": "My CI fails to clone with the token {v} - is it expired?",
            "pem": "Convert this key to PKCS8 for me:\n{v}",
            "url_password": "The app cannot reach the database at {v}, what is wrong?",
            "email": "Write a polite follow-up email to {v} about the late invoice.",
            "phone": "Remind me to call the supplier back on {v} tomorrow morning.",
            "ssn": "The applicant's SSN is {v}; which form does payroll need?",
        }
        return templates[value.kind].format(v=value.text)

    def clean_text(self) -> str:
        return self.rng.choice(
            (
                "Explain the CAP theorem in two sentences.",
                "Suggest three names for an internal wiki about build tooling.",
                "Summarise the trade-offs between B-trees and LSM trees.",
                "What is a good way to structure a retrospective meeting?",
                "Rewrite this sentence to sound friendlier: the report is late again.",
            )
        )


def inbound(ident: str, content: str, **extra: Any) -> bytes:
    """A valid inbound event (schemas/v1/inbound.json) with one user message."""
    return orjson.dumps(
        {
            "id": ident,
            "tenant": "t-faults",
            "user": "u-42",
            "model": "gpt-4o",
            "messages": [{"role": "user", "content": content}],
            **extra,
        }
    )


def malformed(rng: random.Random, ident: str) -> bytes:
    """One of the ordinary ways a producer gets an event wrong."""
    return rng.choice(
        (
            b'{"id": "' + ident.encode() + b'", "tenant": ',  # truncated JSON
            b"\xff\xfe" + ident.encode() + b" not utf-8",
            orjson.dumps({"id": ident, "tenant": "t-faults"}),  # required fields missing
            orjson.dumps({"id": ident, "tenant": "t", "user": "u", "model": "m", "messages": "hi"}),
        )
    )


def fault_seed(default: int | None = None) -> int:
    """The seed a fault/security test uses, printed so a failing run can be replayed.

    ``PROMPT_DLP_FAULT_SEED`` overrides it (to reproduce a failure); otherwise the
    test's fixed ``default``, or a fresh random one when it has none. pytest shows
    the printed line with the output of any failing test.
    """
    import os

    chosen = os.environ.get("PROMPT_DLP_FAULT_SEED")
    seed = int(chosen) if chosen else (
        default if default is not None else random.SystemRandom().randrange(1 << 30))
    print(f"fault seed={seed} (rerun with PROMPT_DLP_FAULT_SEED={seed})")
    return seed


def mixed_stream(n: int, seed: int, prefix: str) -> list[Event]:
    """``n`` events: about 40% clean, 25% personal data, 25% secrets, 10% malformed."""
    corpus = Corpus(seed)
    out: list[Event] = []
    for i in range(n):
        ident = f"{prefix}-{i:04d}"
        roll = corpus.rng.random()
        if roll < 0.40:
            out.append(Event(ident, inbound(ident, corpus.clean_text()), "approved"))
        elif roll < 0.65:
            value = corpus.pii()
            out.append(Event(ident, inbound(ident, corpus.carrying(value)), "approved", (value,)))
        elif roll < 0.90:
            value = corpus.secret()
            out.append(Event(ident, inbound(ident, corpus.carrying(value)), "quarantine", (value,)))
        else:
            out.append(Event(ident, malformed(corpus.rng, ident), "dlq"))
    return out


# A deny pattern that backtracks for ever on TRIGGER (the regex module defuses the textbook
# ``(x+x+)+y``, not this one), so only the detection time budget stops it: fail-closed path.
CATASTROPHIC = "(a|aa)+$"
TRIGGER = "Please check the log line " + "a" * 40 + "b"


def catastrophic_policy(path: Path) -> Path:
    """Write the default policy plus the catastrophic deny pattern to ``path``."""
    policy = yaml.safe_load(DEFAULT_POLICY.read_text())
    policy["version"] = "tests-catastrophic"
    policy["lists"]["deny_patterns"] = [CATASTROPHIC]
    path.write_text(yaml.safe_dump(policy))
    return path
