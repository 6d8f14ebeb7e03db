"""mask: configurable char, keeps first/last characters, never reveals more than half."""

from __future__ import annotations

import pytest

from pipeline.redact import PseudonymBook
from pipeline.redact.operators import OperatorContext, get_operator

CTX = OperatorContext(PseudonymBook())


@pytest.mark.parametrize(
    ("value", "params", "expected"),
    [
        ("4111111111111234", {}, "************1234"),
        ("4111 1111 1111 1234", {"preserve": " "}, "**** **** **** 1234"),
        ("4111-1111-1111-1234", {"char": "#", "keep_last": 2}, "#################34"),
        ("jane@x.io", {"keep_first": 1, "keep_last": 0}, "j********"),
        ("123", {}, "**3"),  # keep_last 4 capped to half of 3 characters
        ("ab", {"keep_first": 5, "keep_last": 5}, "*b"),
        ("x", {}, "*"),
    ],
)
def test_mask(value: str, params: dict, expected: str) -> None:
    """Masked output has the value's length and shows only the allowed characters."""
    assert get_operator("mask")(value, "CREDIT_CARD", params, CTX) == expected
