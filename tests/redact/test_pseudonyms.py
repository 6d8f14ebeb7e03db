"""PseudonymBook: one placeholder per value, numbered per type, serialisable, never printed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import DecryptionError
from pipeline.redact import PseudonymBook


def test_numbering_is_per_entity_type() -> None:
    """Each entity type counts from 1 on its own."""
    book = PseudonymBook()
    tokens = [
        book.placeholder_for(v, t)
        for v, t in [("Ann", "PERSON"), ("a@x.io", "EMAIL_ADDRESS"), ("Bob", "PERSON")]
    ]
    assert tokens == ["<PERSON_1>", "<EMAIL_ADDRESS_1>", "<PERSON_2>"]


def test_same_value_same_placeholder() -> None:
    """Asking again for a value returns its first placeholder, whatever type is asked."""
    book = PseudonymBook()
    first = book.placeholder_for("Jordan", "PERSON")
    assert book.placeholder_for("Jordan", "LOCATION") == first
    assert len(book) == 1


def test_taken_tokens_are_skipped() -> None:
    """A token the text already contains is never minted."""
    book = PseudonymBook()
    taken = {"<PERSON_1>", "<PERSON_2>"}
    assert book.placeholder_for("Ann", "PERSON", taken.__contains__) == "<PERSON_3>"
    assert book.placeholder_for("Bob", "PERSON") == "<PERSON_4>"


def test_lookup_by_placeholder() -> None:
    """original() and kind() answer for known tokens and None for unknown ones."""
    book = PseudonymBook()
    token = book.placeholder_for("Ann", "PERSON")
    assert (book.original(token), book.kind(token)) == ("Ann", "PERSON")
    assert book.original("<PERSON_9>") is None and book.kind("<PERSON_9>") is None


def test_repr_never_shows_originals() -> None:
    """Logging a book by accident shows a count, not the values."""
    book = PseudonymBook()
    book.placeholder_for("Ann Secret", "PERSON")
    assert "Ann" not in repr(book) and "1" in repr(book)


@given(st.lists(st.tuples(st.text(min_size=1), st.sampled_from(["PERSON", "US_SSN", "X_1"]))))
def test_bytes_round_trip(items: list[tuple[str, str]]) -> None:
    """to_bytes/from_bytes restore the same mapping, and numbering continues after it."""
    book = PseudonymBook()
    for value, kind in items:
        book.placeholder_for(value, kind)
    again = PseudonymBook.from_bytes(book.to_bytes())
    assert again == book
    fresh = "\0never-seen"
    assert again.placeholder_for(fresh, "PERSON") == book.placeholder_for(fresh, "PERSON")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"{}",
        b'{"format": 2, "entries": []}',
        b"\xff",
        b'{"format": 1, "entries": [["<A_1>", "B", "x"]]}',
    ],
)
def test_corrupt_bytes_are_a_decryption_error(data: bytes) -> None:
    """A book that does not parse, or whose entries disagree, raises DecryptionError."""
    with pytest.raises(DecryptionError):
        PseudonymBook.from_bytes(data)
