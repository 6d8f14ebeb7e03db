"""redact(): only redact/block-rule spans change, merged, typed, right to left."""

from __future__ import annotations

import pytest

from pipeline.errors import DetectionError
from pipeline.events import Action, Decision, Message
from pipeline.redact import PseudonymBook, redact, redaction_spans

from .conftest import POLICY, REDACT, finding, span_of

TEXT = "Dear Jane Roe, mail jane@x.io (from 10.0.0.1). Jane Roe agrees!"


def run(
    texts: list[str],
    findings: list,
    tenant: str = "acme",
    book: PseudonymBook | None = None,
    decision: Decision = REDACT,
) -> list[str]:
    messages = [Message("user", t) for t in texts]
    out = redact(
        messages,
        findings,
        decision,
        POLICY,
        book or PseudonymBook(),
        tenant=tenant,
        hmac_key=b"k" * 32,
    )
    assert [m.role for m in out] == [m.role for m in messages]
    return [m.content for m in out]


def test_placeholders_keep_the_rest_of_the_text() -> None:
    """Values become typed placeholders; whitespace, punctuation and other text stay."""
    findings = [
        span_of(TEXT, "Jane Roe", "PERSON"),
        span_of(TEXT, "jane@x.io", "EMAIL_ADDRESS"),
        span_of(TEXT, "Jane Roe", "PERSON", occurrence=1),
    ]
    assert run([TEXT], findings) == [
        "Dear <PERSON_1>, mail <EMAIL_ADDRESS_1> (from 10.0.0.1). <PERSON_1> agrees!"
    ]


def test_allow_rule_findings_stay() -> None:
    """A finding whose rule allows it (IP_ADDRESS here) is left in clear."""
    findings = [span_of(TEXT, "10.0.0.1", "IP_ADDRESS"), span_of(TEXT, "Jane Roe", "PERSON")]
    assert "10.0.0.1" in run([TEXT], findings)[0]


def test_numbering_follows_reading_order() -> None:
    """The first person in the text is <PERSON_1> even though spans are spliced right to left."""
    text = "Ann met Bob"
    out = run([text], [span_of(text, "Bob", "PERSON"), span_of(text, "Ann", "PERSON")])
    assert out == ["<PERSON_1> met <PERSON_2>"]


def test_overlapping_findings_are_merged_into_one_span() -> None:
    """Overlapping spans become one, typed by the most severe, then best-scoring finding."""
    text = "login jane@x.io:AKIA1234 now"
    findings = [
        finding("EMAIL_ADDRESS", 6, 15),
        finding("AWS_ACCESS_KEY_ID", 10, 24),
        finding("PERSON", 6, 10),
    ]
    assert run([text], findings) == ["login <AWS_ACCESS_KEY_ID_1> now"]


def test_touching_findings_stay_separate() -> None:
    """Adjacent but non-overlapping spans get a placeholder each."""
    assert run(["AnnBob"], [finding("PERSON", 0, 3), finding("PERSON", 3, 6)]) == [
        "<PERSON_1><PERSON_2>"
    ]


def test_block_rule_findings_are_redacted_too() -> None:
    """A blocked prompt's redacted copy hides secrets and deny terms as well."""
    text = "use AKIAABCDEFGH for Bluebird"
    findings = [
        span_of(text, "AKIAABCDEFGH", "AWS_ACCESS_KEY_ID"),
        span_of(text, "Bluebird", "DENY_TERM"),
    ]
    out = run([text], findings, decision=Decision(Action.BLOCK, ("secret", "custom")))
    assert out == ["use <AWS_ACCESS_KEY_ID_1> for <DENY_TERM_1>"]


def test_same_value_same_placeholder_across_messages() -> None:
    """One book numbers a value once for every message of the prompt."""
    a, b = "I am Ann", "Ann and Bob"
    out = run(
        [a, b],
        [
            span_of(a, "Ann", "PERSON"),
            span_of(b, "Ann", "PERSON", 1),
            span_of(b, "Bob", "PERSON", 1),
        ],
    )
    assert out == ["I am <PERSON_1>", "<PERSON_1> and <PERSON_2>"]


def test_placeholder_never_collides_with_typed_text() -> None:
    """If the user typed <PERSON_1> literally, the new placeholder skips that number."""
    text = "Ann wrote <PERSON_1>"
    assert run([text], [span_of(text, "Ann", "PERSON")]) == ["<PERSON_2> wrote <PERSON_1>"]


def test_rule_operator_is_used() -> None:
    """The mask operator from the card rule keeps the last four digits and the grouping."""
    text = "card 4111 1111 1111 1234 ok"
    out = run([text], [span_of(text, "4111 1111 1111 1234", "CREDIT_CARD")])
    assert out == ["card **** **** **** 1234 ok"]


def test_tenant_override_changes_the_operator() -> None:
    """Tenant hr's rule hashes names; tenant quiet's drops them."""
    text = "ask Ann now"
    f = [span_of(text, "Ann", "PERSON")]
    hashed = run([text], f, tenant="hr")[0]
    assert hashed.startswith("ask <PERSON:") and hashed.endswith("> now") and "Ann" not in hashed
    assert run([text], f, tenant="quiet") == ["ask  now"]


def test_destination_on_decision_selects_destination_rules() -> None:
    """redaction_spans applies the override of the decision's destination."""
    from pipeline.decide import parse_policy

    policy = parse_policy("""\
version: "1"
rules: [{id: pii, category: pii, action: redact}]
destinations: {int: {models: [llama*], classifications: [restricted]}}
overrides: [{id: d, match: {destination: int}, rules: [{id: d.pii, category: pii, action: allow}]}]
""")
    msgs = [Message("user", "Ann")]
    f = [finding("PERSON", 0, 3)]
    internal = Decision(Action.ALLOW, ("d.pii",), destination="int")
    assert redaction_spans(msgs, f, internal, policy, tenant="t") == []
    assert len(redaction_spans(msgs, f, REDACT, policy, tenant="t")) == 1


@pytest.mark.parametrize(("index", "start", "end"), [(1, 0, 1), (0, 5, 99), (0, 3, 3)])
def test_findings_outside_the_text_fail_closed(index: int, start: int, end: int) -> None:
    """Offsets that do not fit the message are a detection error, never a silent skip."""
    with pytest.raises(DetectionError):
        run(["short text"], [finding("PERSON", start, end, message_index=index)])
