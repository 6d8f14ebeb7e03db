"""Email addresses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import regex

from pipeline.detect.base import Candidate, Deadline, RegexRecognizer
from pipeline.events import Category

# Service mailboxes that identify no person; VCS remotes like git@github.com are not addresses.
# Reserved documentation domains (RFC 2606/6761: example.com, *.example, *.test) are NOT skipped:
# prompts and test sets use them for real-looking people, and the policy's allow list is the place
# for an organisation's own public addresses.
_NOT_PERSONAL_LOCAL = frozenset({"git", "noreply", "no-reply", "donotreply", "mailer-daemon"})
# Addresses written to dodge scrapers: "jane [at] acme [dot] com", "jane(at)acme.com",
# "jane at acme dot com". Bracketed "at" is enough; the bare-word form needs " dot " too.
_AT = r"(?:\s?[\[(<{]\s?at\s?[\])>}]\s?|\s+at\s+(?=[\w-]+(?:\s+dot\s+[\w-]+)+\b))"
_DOT = r"(?:\s?[\[(<{]\s?dot\s?[\])>}]\s?|\s+dot\s+|\.)"
# The local part may be spelled with " dot " too ("jane dot doe at acme dot com"); an address
# never ends where another " at " follows, so "me at jane dot doe at acme dot com" is not cut
# short at "doe" (that left the real domain and a wrong span).
_LOCAL_WORD = r"[a-z0-9][a-z0-9._%+-]{0,63}"
_OBFUSCATED = regex.compile(
    rf"(?i)(?<![\w.%+-]){_LOCAL_WORD}(?:\s+dot\s+{_LOCAL_WORD}){{0,3}}{_AT}"
    rf"(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?{_DOT}){{1,4}}[a-z]{{2,24}}(?![\w-])"
    rf"(?!{_AT})"
)
_OBFUSCATION_HINTS = ("[at]", "(at)", "<at>", "{at}", "[ at ]", "( at )", " dot ")


class EmailAddressRecognizer(RegexRecognizer):
    """Every syntactically valid RFC 5322 dot-atom address, documentation domains included.

    The lookbehind anchors at token starts so scans stay linear.
    """

    entity_type = "EMAIL_ADDRESS"
    category = Category.PII
    keywords = ("@",)
    # RFC 5321 limits: local part <= 64, labels <= 63; TLD alphabetic (RFC 1123 / IANA list shape).
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@"
        r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])"
    )

    def applies(self, lowered: str) -> bool:
        return "@" in lowered or any(h in lowered for h in _OBFUSCATION_HINTS)

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        if "@" in lowered:
            yield from super().scan(text, lowered, deadline)
        if any(h in lowered for h in _OBFUSCATION_HINTS):
            for match in _OBFUSCATED.finditer(text, timeout=deadline.remaining()):
                yield self.candidate(*match.span(), 0.75)

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        local = match.group().lower().partition("@")[0]
        if local in _NOT_PERSONAL_LOCAL:
            return None
        return 0.9
