"""Masks and placeholder redaction over findings, including overlapping spans."""

from __future__ import annotations

import pytest

from pipeline.events import Message
from pipeline.quarantine.masking import MASK, mask_messages, redact_with_placeholders


def f(start: int, end: int, entity: str, index: int = 0) -> dict[str, object]:
    return {"entity_type": entity, "category": "pii", "message_index": index, "start": start,
            "end": end, "score": 0.9, "detector": "T"}


@pytest.mark.parametrize(("text", "findings", "expected"), [
    ("call 555-0100 now", [f(5, 13, "PHONE")], "call [PHONE] now"),
    ("a@b.co", [f(0, 6, "EMAIL")], "[EMAIL]"),
    ("x jane@x.io y", [f(2, 11, "EMAIL"), f(2, 6, "PERSON")], "x [PERSON|EMAIL] y"),
    ("nothing here", [], "nothing here"),
    ("clip", [f(2, 99, "X")], "cl[X]"),
])
def test_redact_with_placeholders(text, findings, expected):
    """Every flagged span, merged when overlapping, becomes its labels."""
    [out] = redact_with_placeholders([Message("user", text)], findings)
    assert out.content == expected


def test_mask_keeps_clear_text_and_labels_spans():
    """The masked view keeps unflagged text and shows a fixed mask with the entity label."""
    msgs = [Message("system", "hi"), Message("user", "key AKIA1234 end")]
    masked = mask_messages(msgs, [f(4, 12, "AWS_ACCESS_KEY_ID", index=1)])
    assert [s.text for s in masked[0].segments] == ["hi"]
    assert [(s.text, s.labels) for s in masked[1].segments] == [
        ("key ", ()), (MASK, ("AWS_ACCESS_KEY_ID",)), (" end", ())]
