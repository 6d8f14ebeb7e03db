from collections.abc import Callable

import pytest

Found = Callable[[str], list[tuple[str, str]]]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Dear Margaret Okafor,\nthanks for the update.", ["Margaret Okafor"]),
        ("Name: Tomasz Wrobel\nRole: analyst", ["Tomasz Wrobel"]),
        ("My name is Ingrid Solberg and I need help.", ["Ingrid Solberg"]),
        ("Bonjour, je m'appelle Camille Dufresne.", ["Camille Dufresne"]),
        ('{"name": "Priya Raman", "team": "ops"}', ["Priya Raman"]),
        ("Regards,\nOlusegun", ["Olusegun"]),
        ("Notes: Harriet Vance reported that the build broke. Harriet will fix it.",
         ["Harriet Vance", "Harriet"]),
        ("1. Wendell Ashby - DE89370400440532013000", ["Wendell Ashby"]),
        ("Compare IBM Watson with Amazon Lex for a call centre.", []),
        ("Write captions for a Ted Baker pop-up in Lisbon.", []),
        ("Convert this job to GitHub Actions.", []),
    ],
)
def test_person_names(text: str, names: list[str], found: Found) -> None:
    """Names from NER, cues and propagation are found; brands and imperatives are not."""
    assert [v for kind, v in found(text) if kind == "PERSON"] == names
