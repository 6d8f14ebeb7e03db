"""Email addresses."""

from __future__ import annotations

from typing import ClassVar

import regex

from pipeline.detect.base import RegexRecognizer
from pipeline.events import Category

# Service mailboxes that identify no person; VCS remotes like git@github.com are not addresses.
# Reserved documentation domains (RFC 2606/6761: example.com, *.example, *.test) are NOT skipped:
# prompts and test sets use them for real-looking people, and the policy's allow list is the place
# for an organisation's own public addresses.
_NOT_PERSONAL_LOCAL = frozenset({"git", "noreply", "no-reply", "donotreply", "mailer-daemon"})


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

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        local = match.group().lower().partition("@")[0]
        if local in _NOT_PERSONAL_LOCAL:
            return None
        return 0.9
