"""IPv4 and IPv6 addresses."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import ClassVar

import regex

from pipeline.detect.base import Candidate, Deadline, Recognizer
from pipeline.events import Category

# A dotted quad right after these words is a version, not a host (e.g. "version 1.2.3.4").
_VERSION_BEFORE = regex.compile(r"(?:\bv|version|\bver\.?|release|build|==|>=|<=|~=|@)\s*$")
_UNSPECIFIED = frozenset({"0.0.0.0", "255.255.255.255", "::", "::1"})


class IpAddressRecognizer(Recognizer):
    """Private addresses count too: internal topology in logs is sensitive."""

    entity_type = "IP_ADDRESS"
    category = Category.PII
    keywords = (".", ":")
    # RFC 791 dotted quad (octets 0-255, no trailing ".digit"); RFC 4291 §2.2 text forms
    # (validated by the ipaddress module; timestamps and MACs fail there).
    v4: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
        r"(?![\w]|\.\d)"
    )
    v6: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![\w:.])(?:[0-9A-Fa-f]{1,4}|:)(?::[0-9A-Fa-f]{0,4}){2,7}"
        r"(?:(?<=:)(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])"
    )

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        for match in self.v4.finditer(text, timeout=deadline.remaining()):
            before = lowered[max(0, match.start() - 9) : match.start()].rstrip()
            if match.group() in _UNSPECIFIED or _VERSION_BEFORE.search(before):
                continue
            yield self.candidate(*match.span(), 0.85)
        if "::" not in text and text.count(":") < 7:
            return
        for match in self.v6.finditer(text, timeout=deadline.remaining()):
            found = _ipv6(match.group())
            if found is None:
                continue
            value, address = found
            if value in _UNSPECIFIED or address.is_loopback or address.is_unspecified:
                continue
            yield self.candidate(match.start(), match.start() + len(value), 0.85)


def _ipv6(value: str) -> tuple[str, ipaddress.IPv6Address] | None:
    """The address at the start of ``value``; an unbracketed ":port" or trailing ":" is cut off."""
    for candidate in (value, value.rstrip(":"), value.rstrip(":").rpartition(":")[0]):
        try:
            return candidate, ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
    return None
