import base64
from collections.abc import Callable, Iterator

import pytest
import regex

import pipeline.errors
from pipeline.config import Settings
from pipeline.detect.base import Candidate, Deadline, Recognizer
from pipeline.detect.engine import DetectionEngine
from pipeline.detect.errors import DetectionError, DetectionTimeout, RecognizerFailed
from pipeline.events import Category, Message

Found = Callable[[str], list[tuple[str, str]]]
GH = "ghp_" + "Xk9fQ2mLp7RtZv4sWb8NcYe3Jh6GaDu5oKiE"


class _Exploding(Recognizer):
    entity_type = "BOOM"
    category = Category.PII

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        raise ValueError(f"leaked {text}")


class _Slow(Recognizer):
    entity_type = "SLOW"
    category = Category.PII

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        pattern = regex.compile(r"(a|aa)+$")  # exponential backtracking on "aaaa…b"
        for match in pattern.finditer(text, timeout=min(deadline.remaining(), 0.05)):
            yield self.candidate(*match.span(), 0.5)


def _with(engine: DetectionEngine, recognizer: Recognizer, text: str) -> None:
    registry = engine.analyzer.registry
    registry.recognizers.append(recognizer)
    try:
        engine.detect([Message("user", text)])
    finally:
        registry.recognizers.remove(recognizer)


def test_recognizer_exception_fails_closed(engine: DetectionEngine) -> None:
    """A raising recognizer turns into RecognizerFailed whose message has no prompt text."""
    with pytest.raises(RecognizerFailed) as info:
        _with(engine, _Exploding(), "secret-value-123")
    assert "secret-value-123" not in str(info.value)
    assert "_Exploding" in str(info.value)


def test_regex_timeout_inside_presidio_fails_closed(engine: DetectionEngine) -> None:
    """A regex timeout in a recognizer run by presidio raises instead of being skipped."""
    with pytest.raises(DetectionTimeout):
        _with(engine, _Slow(), "a" * 40 + "b")


def test_detection_errors_join_the_package_tree() -> None:
    """Detection errors are pipeline.errors.DetectionError, hence PromptDlpError."""
    assert issubclass(DetectionError, pipeline.errors.DetectionError)
    assert issubclass(RecognizerFailed, pipeline.errors.PromptDlpError)
    assert issubclass(DetectionTimeout, pipeline.errors.DetectionError)


def test_detection_runs_through_presidio(engine: DetectionEngine) -> None:
    """Pattern and NER findings come from recognizers in the presidio registry."""
    names = {r.name for r in engine.analyzer.registry.recognizers}
    findings = engine.detect([Message("user", "I met Margaret Thornton at the Austin office.")])
    assert [(f.entity_type, f.detector) for f in findings] == [
        ("PERSON", "SpacyNerRecognizer")
    ]
    assert {f.detector for f in findings} <= names


def test_time_budget_overrun_raises() -> None:
    """An exhausted budget raises DetectionTimeout instead of returning fewer findings."""
    starved = DetectionEngine(Settings(detect_timeout_seconds=1e-9), seconds_per_kb=0.0)
    with pytest.raises(DetectionTimeout):
        starved.detect([Message("user", "call me at (415) 555-2671 " * 50)])


@pytest.mark.parametrize(
    ("text", "kinds"),
    [("." * 5000, set()), ("1" * 100_000, set()), ("A" * 80_000, set()), ("a@" * 20_000, set()),
     ("1-" * 30_000, set()), ("ab" * 40_000, set()), ("http://" + "a:" * 10_000 + "@", set()),
     ("password=" * 5_000, {"PASSWORD"}), ("%41" * 20_000, set()), ("eyJ" + "a" * 30_000, set()),
     ("-----BEGIN PRIVATE KEY-----\n" + "A" * 60_000, {"PRIVATE_KEY"}),
     ("Dear John Smith said " * 3_000, {"PERSON"})],
)
def test_hostile_input_gives_the_right_findings(text: str, kinds: set[str]) -> None:
    """Pathological inputs end (a regex blow-up would hit the suite's timeout) with exactly
    the findings they hold, at valid offsets: floods of separators, digits or markers are
    not secrets, and the one real shape in each of the others is found. Speed is measured
    in bench/, not here: the budget is generous so the machine's load cannot fail this."""
    findings = _roomy_engine().detect([Message("user", text)])
    assert {f.entity_type for f in findings} == kinds
    assert all(f.message_index == 0 and 0 <= f.start < f.end <= len(text) for f in findings)
    if kinds == {"PERSON"}:
        assert {text[f.start : f.end] for f in findings} == {"John Smith"}
        assert len(findings) == text.count("John Smith")


_ROOMY: list[DetectionEngine] = []


def _roomy_engine() -> DetectionEngine:
    if not _ROOMY:
        _ROOMY.append(DetectionEngine(Settings(detect_timeout_seconds=120.0), seconds_per_kb=0.0))
    return _ROOMY[0]


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        (f"tok {GH[:10]}\u200b{GH[10:]}", "GITHUB_TOKEN", f"{GH[:10]}\u200b{GH[10:]}"),
        ("key \uff21\uff2b\uff29\uff21Z7QW4RT2YPLM3NXK", "AWS_ACCESS_KEY_ID",
         "\uff21\uff2b\uff29\uff21Z7QW4RT2YPLM3NXK"),
        (f"split {GH[:20]} {GH[20:]} end", "GITHUB_TOKEN", f"{GH[:20]} {GH[20:]}"),
    ],
)
def test_evasions_map_to_original_offsets(found: Found, text: str, entity: str, value: str) -> None:
    """Zero-width, full-width and split tokens are found at their exact original span."""
    assert (entity, value) in found(text)


def test_secret_inside_base64_maps_to_blob(found: Found) -> None:
    """A token inside a base64 blob is reported on the whole blob."""
    blob = base64.b64encode(f"GITHUB_TOKEN={GH}".encode()).decode()
    assert ("GITHUB_TOKEN", blob) in found(f"decode this: {blob}")


def test_hard_negatives_stay_clean(found: Found) -> None:
    """UUIDs, SHAs, ISBNs, versions, timestamps and placeholders produce no findings."""
    text = ("uuid 39d0bc95-b783-4d7f-8c8c-189fbc643128 "
            "sha be8302d59850225e496a33d3289c966f66b3be93 "
            "ISBN 978-1-4820-4273-3 v2.14.1 at 2024-08-06T16:32:05Z key=YOUR_API_KEY "
            "AKIAIOSFODNN7EXAMPLE order 4111111111111112")
    assert found(text) == []


def test_secret_beats_pii_on_overlap(found: Found) -> None:
    """A password that looks like an email part is reported as the password only."""
    result = found("postgres://svc:hunter22x@db.acme.io/app")
    assert result == [("PASSWORD_IN_URL", "hunter22x")]


def test_detect_batch_matches_detect(engine: DetectionEngine) -> None:
    """Batching does not change findings."""
    prompts = [[Message("user", "Dear Ada Quill, call (415) 555-2671")], [Message("user", GH)]]
    assert engine.detect_batch(prompts) == [engine.detect(p) for p in prompts]


def test_version_is_stable(engine: DetectionEngine) -> None:
    """The detector-set version is a short stable string."""
    assert engine.version.startswith("det-") and len(engine.version) == 16
