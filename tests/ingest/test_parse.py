"""Inbound parsing: every malformed input becomes a reasoned InvalidEvent, never a crash."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import InvalidEvent
from pipeline.ingest import parse_inbound
from pipeline.ingest.parse import peek_identity

LIMIT = 1_000_000
VALID = {
    "id": "p-1",
    "tenant": "t-acme",
    "user": "u-1",
    "model": "gpt-4o",
    "messages": [{"role": "user", "content": "hello"}],
}


def encode(value: object) -> bytes:
    return orjson.dumps(value)


def test_valid_event_builds_record() -> None:
    """A minimal valid event parses, and the key falls back to the id."""
    prompt = parse_inbound(encode(VALID), LIMIT)
    assert prompt.id == "p-1"
    assert prompt.messages[0].content == "hello"
    assert prompt.key == "p-1"


def test_conversation_id_is_the_key() -> None:
    """With a conversation id, the Kafka key keeps the conversation on one partition."""
    prompt = parse_inbound(encode({**VALID, "conversation_id": "c-9"}), LIMIT)
    assert prompt.key == "c-9"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "empty"),
        (b"{", "invalid_json"),
        (b"\xff\xfe\x00", "not_utf8"),
        (b"[1, 2]", "schema_violation"),
        (b"[" * 3000 + b"]" * 3000, "invalid_json"),
        (encode({**VALID, "messages": []}), "schema_violation"),
        (encode({**VALID, "messages": [{"role": "robot", "content": "x"}]}), "schema_violation"),
        (encode({**VALID, "messages": [{"role": "user", "content": 42}]}), "schema_violation"),
        (encode({k: v for k, v in VALID.items() if k != "tenant"}), "schema_violation"),
        (encode({**VALID, "created_at": "last tuesday"}), "schema_violation"),
        (b'{"id": "\\ud800", "tenant": "t"}', "invalid_json"),
    ],
)
def test_malformed_events_are_rejected_with_reason(raw: bytes | None, reason: str) -> None:
    """Each kind of bad input maps to its stable reason code."""
    with pytest.raises(InvalidEvent) as caught:
        parse_inbound(raw, LIMIT)
    assert caught.value.reason == reason


def test_oversized_event_is_rejected_before_parsing() -> None:
    """Events above the byte limit are refused without decoding them."""
    raw = encode({**VALID, "messages": [{"role": "user", "content": "x" * 5000}]})
    with pytest.raises(InvalidEvent) as caught:
        parse_inbound(raw, 1024)
    assert caught.value.reason == "too_large"


def test_error_detail_never_echoes_values() -> None:
    """A schema error names the field path, not the (possibly secret) value."""
    secret = "AKIAZZZZZZZZZZZZZZZZ"
    raw = encode({**VALID, "messages": [{"role": secret, "content": "x"}]})
    with pytest.raises(InvalidEvent) as caught:
        parse_inbound(raw, LIMIT)
    assert secret not in str(caught.value)
    assert "messages/0/role" in caught.value.detail


def test_json_error_detail_never_echoes_text() -> None:
    """orjson quotes the bad document in its message; we keep only the position."""
    raw = b'{"id": "p", "password": hunter2-secret}'
    with pytest.raises(InvalidEvent) as caught:
        parse_inbound(raw, LIMIT)
    assert "hunter2" not in str(caught.value)


def test_hostile_unicode_content_is_accepted_verbatim() -> None:
    """Bidi controls, zero-width joiners and astral characters are valid content, kept as is."""
    content = "pay\u202etxt.exe \u200b\u200d 🙂 ﷽"
    prompt = parse_inbound(
        encode({**VALID, "messages": [{"role": "user", "content": content}]}), LIMIT
    )
    assert prompt.messages[0].content == content


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(raw: bytes) -> None:
    """Any byte string either parses or raises InvalidEvent, nothing else."""
    try:
        parse_inbound(raw, LIMIT)
    except InvalidEvent as exc:
        assert exc.reason in {"invalid_json", "not_utf8", "schema_violation", "empty"}


def test_peek_identity_is_best_effort() -> None:
    """The DLQ record gets id and tenant when the JSON is readable, else None."""
    assert peek_identity(encode({"id": "x", "tenant": "t"})) == ("x", "t")
    assert peek_identity(b"{broken") == (None, None)
    assert peek_identity(encode({"id": 5})) == (None, None)
