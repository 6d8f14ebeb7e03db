"""placeholder: delegates to the conversation's book, honouring taken tokens."""

from __future__ import annotations

from pipeline.redact import PseudonymBook
from pipeline.redact.operators import OperatorContext, get_operator


def test_placeholder_uses_the_book() -> None:
    """The operator mints into the context's book and reuses its tokens."""
    book = PseudonymBook()
    ctx = OperatorContext(book, taken=lambda token: token == "<PERSON_1>")
    op = get_operator("placeholder")
    assert op("Ann", "PERSON", {}, ctx) == "<PERSON_2>"
    assert op("Ann", "PERSON", {}, ctx) == "<PERSON_2>"
    assert book.original("<PERSON_2>") == "Ann"
