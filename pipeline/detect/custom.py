"""The organisation's own terms: deny-list words and patterns, allow-list, credential fingerprints.

The policy engineer builds ``CustomTerms`` from the YAML policy; ``registry.build_registry`` adds
one ``CustomTermsRecognizer`` (a presidio recognizer like the others) when terms are configured.
Fingerprints let the org block its real credentials without shipping them: the policy holds only
HMAC-SHA256(org key, credential) and every token-like string in a prompt is hashed and compared.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field

import regex

from pipeline.detect.base import Candidate, Deadline, Recognizer
from pipeline.events import Category

__all__ = ["CustomMatcher", "CustomTerms", "CustomTermsRecognizer", "fingerprint"]

_MAX_PATTERN_LENGTH = 500
# Token-like strings considered for fingerprinting: no whitespace, quotes or brackets.
_TOKEN = regex.compile(r"[^\s\"'`,;<>(){}\[\]]{8,512}")


def fingerprint(value: str, key: bytes) -> str:
    """Hex HMAC-SHA256 of a credential under the org key, as stored in the policy."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class CustomTerms:
    """Org-specific detection inputs; all matching of terms is case-insensitive."""

    deny_terms: frozenset[str] = frozenset()
    deny_patterns: tuple[str, ...] = ()
    allow_values: frozenset[str] = frozenset()
    allow_patterns: tuple[str, ...] = ()
    fingerprints: frozenset[str] = frozenset()
    fingerprint_key: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for name in ("deny_patterns", "allow_patterns"):
            for i, pattern in enumerate(getattr(self, name)):
                if len(pattern) > _MAX_PATTERN_LENGTH:
                    raise ValueError(f"{name}[{i}] is longer than {_MAX_PATTERN_LENGTH} characters")
                try:
                    regex.compile(pattern)
                except regex.error as exc:
                    raise ValueError(f"{name}[{i}] is not a valid regex: {exc}") from None
        if self.fingerprints and not self.fingerprint_key:
            raise ValueError("fingerprints need a fingerprint_key")


class CustomMatcher:
    """Compiled form of ``CustomTerms``; deny patterns run with the prompt's time budget."""

    def __init__(self, terms: CustomTerms) -> None:
        self.terms = terms
        words = sorted((t for t in terms.deny_terms if t.strip()), key=len, reverse=True)
        alternation = "|".join(regex.escape(w.strip()) for w in words)
        self._deny_terms = regex.compile(rf"(?i)(?<!\w)(?:{alternation})(?!\w)") if words else None
        self._deny_patterns = [regex.compile(p) for p in terms.deny_patterns]
        self._allow_values = frozenset(v.casefold() for v in terms.allow_values)
        self._allow_patterns = [regex.compile(p, regex.IGNORECASE) for p in terms.allow_patterns]

    def scan(self, text: str, deadline: Deadline) -> Iterator[Candidate]:
        if self._deny_terms is not None:
            for match in self._deny_terms.finditer(text, timeout=deadline.remaining()):
                yield Candidate("DENY_TERM", Category.CUSTOM, *match.span(), 1.0, "DenyTermMatcher")
        for pattern in self._deny_patterns:
            for match in pattern.finditer(text, timeout=deadline.remaining()):
                if match.end() > match.start():
                    yield Candidate(
                        "DENY_TERM", Category.CUSTOM, *match.span(), 0.9, "DenyPatternMatcher"
                    )
        if self.terms.fingerprints and self.terms.fingerprint_key:
            yield from self._fingerprints(text, self.terms.fingerprint_key, deadline)

    def _fingerprints(self, text: str, key: bytes, deadline: Deadline) -> Iterator[Candidate]:
        """Hash each token and the value part of ``KEY=value`` / ``key:value`` tokens."""
        for match in _TOKEN.finditer(text, timeout=deadline.remaining()):
            token = match.group()
            for cut in (0, token.rfind("=") + 1, token.rfind(":") + 1):
                value = token[cut:]
                if len(value) >= 8 and fingerprint(value, key) in self.terms.fingerprints:
                    start = match.start() + cut
                    yield Candidate(
                        "ORG_SECRET", Category.SECRET, start, match.end(), 1.0, "FingerprintMatcher"
                    )
                    break

    def allowed(self, value: str) -> bool:
        """Tell whether a finding's original text is on the org's allow list."""
        if value.casefold() in self._allow_values:
            return True
        return any(p.fullmatch(value, timeout=1.0) for p in self._allow_patterns)


class CustomTermsRecognizer(Recognizer):
    """The org's deny terms, deny patterns and credential fingerprints as one recognizer."""

    entity_type = "DENY_TERM"
    category = Category.CUSTOM
    extra_entities = ("ORG_SECRET",)

    def __init__(self, terms: CustomTerms) -> None:
        self.matcher = CustomMatcher(terms)
        super().__init__()

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        return self.matcher.scan(text, deadline)
