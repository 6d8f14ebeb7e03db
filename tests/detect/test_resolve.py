"""Overlap resolution: stronger spans win, and a weaker span of the same personal kind widens it."""

from __future__ import annotations

from pipeline.detect.base import Candidate
from pipeline.detect.resolve import resolve
from pipeline.events import Category


def _c(kind: str, start: int, end: int, score: float, category: Category = Category.PII,
       ) -> Candidate:
    return Candidate(kind, category, start, end, score, "test")


def test_same_kind_overlap_is_widened_to_the_union() -> None:
    """'Bo Lindgren' (weaker) over 'Lindgren, Chidi' (stronger): 'Bo' must not stay in clear."""
    kept = resolve([_c("PERSON", 14, 29, 0.8), _c("PERSON", 11, 22, 0.65)])
    assert [(c.start, c.end, c.score) for c in kept] == [(11, 29, 0.8)]


def test_other_kinds_and_secrets_are_not_merged() -> None:
    secret = _c("PASSWORD", 10, 20, 0.9, Category.SECRET)
    assert resolve([secret, _c("PERSON", 5, 15, 0.7)]) == [secret]
    phone = _c("PHONE_NUMBER", 0, 12, 0.9)
    assert resolve([phone, _c("LOCATION", 8, 20, 0.7)]) == [phone]
    iban = _c("IBAN_CODE", 6, 40, 0.9)  # exact formats keep their extent
    assert resolve([iban, _c("IBAN_CODE", 6, 47, 0.6)]) == [iban]


def test_a_union_that_would_swallow_another_span_is_not_taken() -> None:
    left, right = _c("PERSON", 0, 10, 0.9), _c("EMAIL_ADDRESS", 12, 30, 0.95)
    kept = resolve([left, right, _c("PERSON", 5, 14, 0.6)])
    assert kept == [left, right]
