import pytest

from pipeline.config import Settings
from pipeline.detect.custom import CustomTerms, fingerprint
from pipeline.detect.engine import DetectionEngine
from pipeline.events import Category, Message

KEY = b"org-test-key"
REAL = "int_live_9QzX7mLp2WvR8tKc"


@pytest.fixture(scope="module")
def custom_engine(engine: DetectionEngine) -> DetectionEngine:
    terms = CustomTerms(
        deny_terms=frozenset({"Project Bluebird"}),
        deny_patterns=(r"\bACME-\d{6}\b",),
        allow_values=frozenset({"support@acme.example"}),
        allow_patterns=(r".*@acme\.io",),
        fingerprints=frozenset({fingerprint(REAL, KEY)}),
        fingerprint_key=KEY,
    )
    return DetectionEngine(Settings(), terms)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("status of project bluebird?", [("DENY_TERM", "project bluebird")]),
        ("ticket ACME-123456 is open", [("DENY_TERM", "ACME-123456")]),
        (f"INTERNAL_KEY={REAL}", [("ORG_SECRET", REAL)]),
        ("mail support@acme.example or ops@acme.io", []),
        ("mail jane@elsewhere.org", [("EMAIL_ADDRESS", "jane@elsewhere.org")]),
    ],
)
def test_custom_terms(
    custom_engine: DetectionEngine, text: str, expected: list[tuple[str, str]]
) -> None:
    """Deny terms/patterns and fingerprints are found; allow-listed values are dropped."""
    findings = custom_engine.detect([Message("user", text)])
    assert [(f.entity_type, text[f.start : f.end]) for f in findings] == expected


def test_categories(custom_engine: DetectionEngine) -> None:
    """Deny terms are CUSTOM, fingerprint matches are SECRET."""
    findings = custom_engine.detect([Message("user", f"project bluebird {REAL}")])
    assert {f.category for f in findings} == {Category.CUSTOM, Category.SECRET}


def test_invalid_pattern_names_the_key() -> None:
    """A bad regex in the policy is rejected with the field and index, not swallowed."""
    with pytest.raises(ValueError, match=r"deny_patterns\[0\]"):
        CustomTerms(deny_patterns=("(unclosed",))
