"""The vanilla presidio baseline never reaches for the network (no download at run time)."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from bench.vanilla import vanilla_analyzer


def test_vanilla_email_check_uses_the_bundled_suffix_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """presidio's e-mail recognizer asks tldextract, whose default fetches the suffix list."""
    lookups: list[Any] = []

    def no_network(*args: Any, **kwargs: Any) -> Any:
        lookups.append(args[:2])
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    analyzer = vanilla_analyzer()
    results = analyzer.analyze("write to jane.doe@example.co.uk today", language="en")
    assert "EMAIL_ADDRESS" in {r.entity_type for r in results}
    assert lookups == []
