"""Masks and placeholder redaction over findings, including overlapping spans."""

from __future__ import annotations

import pytest

from pipeline.events import Message
from pipeline.quarantine.masking import MASK, mask_messages


def f(start: int, end: int, entity: str, index: int = 0) -> dict[str, object]:
    return {"entity_type": entity, "category": "pii", "message_index": index, "start": start,
            "end": end, "score": 0.9, "detector": "T"}


@pytest.mark.parametrize(("operator", "expected"), [
    ("{name: placeholder}", "call <PHONE_NUMBER_1> or <PHONE_NUMBER_2> now"),
    ("{name: mask, params: {char: '#'}}", None),
    ("{name: drop}", "call  or  now"),
])
def test_release_redaction_uses_the_policys_operators(operator: str, expected: str | None):
    """A redacted release applies the operator the policy names, as classify would."""
    from pipeline.decide.build import parse_policy
    from pipeline.redact.release import PolicyRedactor

    policy = parse_policy(f"""\
version: "t"
default_operator: {operator}
rules:
  - {{id: pii.redact, category: pii, action: redact}}
""")
    text = "call 555-0100 or 555-0199 now"
    record = {"tenant": "t", "findings": [f(5, 13, "PHONE_NUMBER"), f(17, 25, "PHONE_NUMBER")]}
    [out] = PolicyRedactor(policy)(record, [Message("user", text)])
    assert "555-0100" not in out.content and "555-0199" not in out.content
    if expected is not None:
        assert out.content == expected
    else:
        assert out.content.startswith("call ") and "#" in out.content


def test_mask_keeps_clear_text_and_labels_spans():
    """The masked view keeps unflagged text and shows a fixed mask with the entity label."""
    msgs = [Message("system", "hi"), Message("user", "key AKIA1234 end")]
    masked = mask_messages(msgs, [f(4, 12, "AWS_ACCESS_KEY_ID", index=1)])
    assert [s.text for s in masked[0].segments] == ["hi"]
    assert [(s.text, s.labels) for s in masked[1].segments] == [
        ("key ", ()), (MASK, ("AWS_ACCESS_KEY_ID",)), (" end", ())]
