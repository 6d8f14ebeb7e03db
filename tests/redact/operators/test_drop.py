"""drop: the span disappears."""

from __future__ import annotations

from pipeline.redact import PseudonymBook
from pipeline.redact.operators import OperatorContext, get_operator


def test_drop_returns_nothing() -> None:
    """Whatever the value, drop replaces it with the empty string and mints nothing."""
    book = PseudonymBook()
    assert get_operator("drop")("Ann Lee", "PERSON", {}, OperatorContext(book)) == ""
    assert len(book) == 0
