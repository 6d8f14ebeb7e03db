"""Properties of redact() and reidentify() for arbitrary text and arbitrary findings."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.events import Finding, Message
from pipeline.redact import PseudonymBook, redact, reidentify
from pipeline.redact.pseudonyms import PLACEHOLDER_RE

from .conftest import CATEGORY, POLICY, REDACT

# Characters that can form placeholders and emails too, to provoke collisions.
ALPHABET = "aAbJo <>_@.,\n1PERSON"
PLACEHOLDER_TYPES = ["PERSON", "EMAIL_ADDRESS", "AWS_ACCESS_KEY_ID", "DENY_TERM"]
ALL_TYPES = [*PLACEHOLDER_TYPES, "IP_ADDRESS"]  # IP_ADDRESS is allowed: stays in clear


@st.composite
def prompts(draw: st.DrawFn, types: list[str] = ALL_TYPES) -> tuple[list[str], list[Finding]]:
    """One to three messages and findings anywhere in them, overlapping or not."""
    texts = draw(st.lists(st.text(ALPHABET, min_size=1, max_size=30), min_size=1, max_size=3))
    findings = []
    for _ in range(draw(st.integers(0, 8))):
        index = draw(st.integers(0, len(texts) - 1))
        size = len(texts[index])
        start = draw(st.integers(0, size - 1))
        end = draw(st.integers(start + 1, size))
        entity = draw(st.sampled_from(types))
        findings.append(
            Finding(entity, CATEGORY[entity], index, start, end, draw(st.floats(0, 1)), "h")
        )
    return texts, findings


def redact_texts(texts: list[str], findings: list[Finding], book: PseudonymBook) -> list[str]:
    messages = [Message("user", t) for t in texts]
    return [m.content for m in redact(messages, findings, REDACT, POLICY, book, tenant="t")]


def residual(texts: list[str], findings: list[Finding]) -> list[str]:
    """The original with each maximal run of redactable characters cut to one NUL.

    Computed from the findings alone (every type but IP_ADDRESS redacts or
    blocks in this policy), independently of the engine's span merging.
    """
    out = []
    for index, text in enumerate(texts):
        hidden = [False] * len(text)
        for f in findings:
            if f.message_index == index and f.entity_type != "IP_ADDRESS":
                hidden[f.start : f.end] = [True] * (f.end - f.start)
        starts = {f.start for f in findings if f.message_index == index}
        pieces = []
        for i, ch in enumerate(text):
            if not hidden[i]:
                pieces.append(ch)
            elif i == 0 or not hidden[i - 1] or (i in starts and _boundary(findings, index, i)):
                pieces.append("\0")
        out.append("".join(pieces))
    return out


def _boundary(findings: list[Finding], index: int, i: int) -> bool:
    """True where redactable spans touch without overlapping (two placeholders, not one)."""
    spans = [f for f in findings if f.message_index == index and f.entity_type != "IP_ADDRESS"]
    return not any(f.start < i < f.end for f in spans) and any(f.end == i for f in spans)


def without_placeholders(text: str, book: PseudonymBook) -> str:
    return PLACEHOLDER_RE.sub(lambda m: "\0" if book.kind(m[0]) else m[0], text)


@settings(max_examples=300)
@given(prompts())
def test_output_is_the_original_with_only_the_spans_replaced(
    case: tuple[list[str], list[Finding]],
) -> None:
    """Removing the placeholders from the output gives back exactly the non-sensitive text."""
    texts, findings = case
    book = PseudonymBook()
    out = redact_texts(texts, findings, book)
    assert [without_placeholders(t, book) for t in out] == residual(texts, findings)


@settings(max_examples=300)
@given(prompts())
def test_no_redacted_value_survives(case: tuple[list[str], list[Finding]]) -> None:
    """A redact/block-class value is absent from the output unless the kept text has it too."""
    texts, findings = case
    book = PseudonymBook()
    out = redact_texts(texts, findings, book)
    kept = "\0".join(residual(texts, findings))
    shown = "\0".join(without_placeholders(t, book) for t in out)
    for f in findings:
        if f.entity_type == "IP_ADDRESS":
            continue
        value = texts[f.message_index][f.start : f.end]
        if value not in kept:
            assert value not in shown


@settings(max_examples=300)
@given(prompts())
def test_reidentify_restores_exactly(case: tuple[list[str], list[Finding]]) -> None:
    """reidentify(redact(x)) == x, message by message, whatever the text contains."""
    texts, findings = case
    book = PseudonymBook()
    out = redact_texts(texts, findings, book)
    assert [reidentify(t, book) for t in out] == texts


@settings(max_examples=200)
@given(
    st.lists(st.text("abcdefgh", min_size=2, max_size=6), min_size=1, max_size=5),
    st.lists(st.lists(st.integers(0, 4), min_size=1, max_size=4), min_size=2, max_size=4),
)
def test_placeholders_are_consistent_across_turns(
    values: list[str], turns: list[list[int]]
) -> None:
    """Within one conversation a value keeps its placeholder in every later turn."""
    book = PseudonymBook()
    seen: dict[str, str] = {}
    for picks in turns:
        chosen = [values[i % len(values)] for i in picks]
        text, findings = "", []
        for value in chosen:
            text += "[" if text else ""
            findings.append(
                Finding(
                    "PERSON", CATEGORY["PERSON"], 0, len(text), len(text) + len(value), 0.9, "h"
                )
            )
            text += value + "]"
        [out] = redact_texts([text], findings, book)
        tokens = PLACEHOLDER_RE.findall(out)
        assert len(tokens) == len(chosen)
        for value, (kind, number) in zip(chosen, tokens, strict=True):
            token = f"<{kind}_{number}>"
            assert seen.setdefault(value, token) == token
    assert len(set(seen.values())) == len(seen)  # distinct values, distinct placeholders
    assert sorted(int(t[8:-1]) for t in seen.values()) == list(range(1, len(seen) + 1))
