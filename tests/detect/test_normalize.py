import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.detect.normalize import normalize

ALPHABET = st.sampled_from(
    [*"abcAKIA019 _-:/\n",
     "\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\u00ad",  # invisible controls
       "\uff21", "\uff4b", "\uff10",  # full-width A, k, 0
       "\u0410", "\u0430", "\u043e", "\u0391", "\u03bf",  # Cyrillic/Greek look-alikes
       "\ufb01", "\u2460", "é", "ß", "\u0301"]  # ligature, circled, accents
)


@given(st.lists(ALPHABET, max_size=60).map("".join))
def test_offsets_map_into_the_original(text: str) -> None:
    """Every normalised character maps to an original index, in order, within bounds."""
    view = normalize(text)
    if view.offsets is None:
        assert view.text == text
        return
    assert len(view.offsets) == len(view.text)
    assert list(view.offsets) == sorted(view.offsets)
    assert all(0 <= i < len(text) for i in view.offsets)
    for start in range(len(view.text)):
        s, e = view.to_original(start, start + 1)
        assert 0 <= s < e <= len(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AK\u200bIA", "AKIA"),
        ("\uff21\uff2b\uff29\uff21", "AKIA"),
        ("t\u043eken", "token"),  # Cyrillic o inside a Latin word
        ("\u041f\u0440\u0438\u0432\u0435\u0442 world",
         "\u041f\u0440\u0438\u0432\u0435\u0442 world"),
        ("plain ascii", "plain ascii"),
    ],
)
def test_normalised_view(text: str, expected: str) -> None:
    """Invisible characters go, width and mixed-script look-alikes fold, real Cyrillic stays."""
    assert normalize(text).text == expected
