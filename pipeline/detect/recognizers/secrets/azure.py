"""Azure storage account keys, connection-string keys and SAS signatures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import regex

from pipeline.detect.base import Candidate, Deadline, RegexRecognizer
from pipeline.detect.placeholders import is_placeholder
from pipeline.events import Category


class AzureStorageKeyRecognizer(RegexRecognizer):
    """Only the key value is reported, not the whole connection string."""

    entity_type = "AZURE_STORAGE_KEY"
    category = Category.SECRET
    keywords = ("accountkey", "sharedaccesskey", "sig=")
    # Azure Storage "Configure a connection string": AccountKey=<base64, 88 chars>;
    # Service Bus/Event Hubs: SharedAccessKey=<base64 44>; SAS tokens: ...&sig=<url-encoded b64>.
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?i)(?:AccountKey|SharedAccessKey)\s*=\s*([A-Za-z0-9+/]{30,120}={0,2})"
        r"|[?&]sig=([A-Za-z0-9%+/]{30,120}(?:=|%3D){0,2})"
    )

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        for match in self.pattern.finditer(text, timeout=deadline.remaining()):
            group = 1 if match.group(1) else 2
            if not is_placeholder(match.group(group)):
                yield self.candidate(*match.span(group), 0.95)
