"""A request's text units: every string it carries is scanned, each with the path it came from."""

from __future__ import annotations

import json
import random

import orjson
import pytest

from pipeline.errors import InvalidEvent
from pipeline.events import Category, Finding
from pipeline.ingest import parse_inbound
from pipeline.ingest.units import format_loc, locate, parse_json_container, request_units
from tests.support.openai_requests import EMAIL, PHONE, agent_request, event

LIMIT = 1_000_000


def texts_by_path(request: dict[str, object]) -> dict[str, str]:
    units, _ = request_units(request)
    return {seg.path: text for unit in units for seg, text in unit.segment_texts()}


def test_every_string_of_an_agent_request_is_a_segment_at_its_path() -> None:
    """Parts, names, tool arguments and results, schema descriptions, stop, metadata, user."""
    paths = texts_by_path(dict(agent_request()))
    assert paths["messages[2].content[0].text"].endswith(f"Reach me at {EMAIL}.")
    assert paths["messages[2].name"] == "jane_doe"
    assert paths["messages[3].tool_calls[0].function.arguments/customer/email"] == EMAIL
    assert paths["messages[3].tool_calls[1].custom.input"].startswith("Customer ")
    assert paths["messages[4].content/customer/phone"] == PHONE
    assert paths["messages[4].content/orders/0/number"] == "NW-1042"
    assert paths["messages[5].content[0].text"] == "note saved"
    assert "e-mail" in paths["tools[0].function.description"]
    assert paths["tools[0].function.parameters.properties.customer.description"] == "Who to look up"
    assert paths["tools[1].custom.description"] == "Free-text note on the case"
    assert paths["response_format.json_schema.description"] == "A refund proposal"
    assert paths["response_format.json_schema.schema.properties.amount.description"] == "In EUR"
    assert paths["stop[0]"] == "\n\nEND"
    assert paths["metadata.ticket"] == "T-88"
    assert paths["user"] == "app-user-1"
    # identifiers and structure are not prose
    assert not any(p.endswith((".id", ".type", ".tool_call_id", ".role")) for p in paths)
    assert "model" not in paths and "response_format.json_schema.schema.type" not in paths


def test_attachments_are_listed_with_the_part_path() -> None:
    """Image, audio and file parts cannot be scanned: they are reported, their filename scanned."""
    request = {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "see attached"},
            {"type": "image_url", "image_url": {"url": "https://x.example/a.png"}},
            {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
            {"type": "file", "file": {"file_data": "JVBERi0=", "filename": "jane-doe-cv.pdf"}},
        ]}],
    }
    units, attachments = request_units(request)
    assert [(a.path, a.type) for a in attachments] == [
        ("messages[0].content[1]", "image_url"),
        ("messages[0].content[2]", "input_audio"),
        ("messages[0].content[3]", "file"),
    ]
    paths = {seg.path for u in units for seg in u.segments}
    assert paths == {"messages[0].content[0].text", "messages[0].content[1].image_url.url",
                     "messages[0].content[3].file.filename"}  # a linked image's URL is text


def test_unknown_fields_and_parameters_are_scanned_not_skipped() -> None:
    """Forward compatibility must not be a blind spot: strings under unknown keys are scanned."""
    request = {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "hi", "x_note": {"by": "Jane Doe"}}],
        "some_future_param": ["alpha", {"deep": "beta"}],
        "temperature": 0.5,
    }
    paths = texts_by_path(request)
    assert paths["messages[0].x_note.by"] == "Jane Doe"
    assert paths["some_future_param[0]"] == "alpha"
    assert paths["some_future_param[1].deep"] == "beta"


def test_json_arguments_render_values_with_their_keys_for_context() -> None:
    """The engine sees ``ssn: ...`` (its context word) while each value keeps its own segment."""
    args = json.dumps({"ssn": "123-45-6789", "n": 4111111111111111, "ok": True, "tags": ["a b"]})
    request = {"model": "m", "messages": [{"role": "assistant", "tool_calls": [
        {"id": "c", "type": "function", "function": {"name": "f", "arguments": args}}]}]}
    units, _ = request_units(request)
    unit = next(u for u in units if "ssn" in u.text)
    assert "ssn: 123-45-6789" in unit.text
    by_path = {seg.path: text for seg, text in unit.segment_texts()}
    base = "messages[0].tool_calls[0].function.arguments"
    assert by_path[f"{base}/ssn"] == "123-45-6789"
    assert by_path[f"{base}/n"] == "4111111111111111"  # numbers are scanned as their digits
    assert by_path[f"{base}/tags/0"] == "a b"
    assert by_path[f"{base}/ssn#"] == "ssn"  # keys are segments too
    assert f"{base}/ok" not in by_path


@pytest.mark.parametrize(
    "text", ['{"a": 1, "a": 2}', "not json {", '"just a string"', "42", "[1, 2", ""]
)
def test_strings_that_are_not_a_json_container_are_text(text: str) -> None:
    """Duplicate keys (json.loads would drop one unscanned), scalars and broken JSON: text."""
    assert parse_json_container(text) is None


def test_locate_splits_a_finding_over_the_values_it_covers() -> None:
    """A span across two values becomes one finding per value, offsets within each value."""
    args = json.dumps({"first": "Jane", "last": "Doe"})
    request = {"model": "m", "messages": [{"role": "tool", "tool_call_id": "c", "content": args}]}
    units, _ = request_units(request)
    [unit] = units
    start = unit.text.index("Jane")
    end = unit.text.index("Doe") + 3
    found = locate(units, [Finding("PERSON", Category.PII, 0, start, end, 0.8, "t")])
    assert [(f.path, f.start, f.end, f.message_index) for f in found] == [
        ("messages[0].content/first", 0, 4, 0),
        ("messages[0].content/last#", 0, 4, 0),
        ("messages[0].content/last", 0, 3, 0),
    ]


def test_paths_quote_keys_that_are_not_identifiers() -> None:
    assert format_loc(("metadata", "a.b", "messages", 2)) == 'metadata["a.b"].messages[2]'


def test_v1_event_is_converted_to_the_same_record_as_v2() -> None:
    """model + messages at the top level (v1) and under request (v2) give equal records."""
    request = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}]}
    v1 = parse_inbound(orjson.dumps({"id": "p", "tenant": "t", "user": "u", **request}), LIMIT)
    v2 = parse_inbound(orjson.dumps(event("p", request, tenant="t", user="u")), LIMIT)
    assert v1.request == v2.request == request
    assert v1.units == v2.units and v1.messages == v2.messages
    assert (v1.schema_version, v2.schema_version) == ("v1", "v2")


def test_v1_event_may_use_content_parts_and_tool_messages() -> None:
    """The old envelope with the new message forms is accepted, not dead-lettered."""
    body = {"id": "p", "tenant": "t", "user": "u", "model": "gpt-4o", "messages": [
        {"role": "developer", "content": [{"type": "text", "text": "be brief"}]},
        {"role": "tool", "tool_call_id": "c1", "content": "{}"},
    ]}
    prompt = parse_inbound(orjson.dumps(body), LIMIT)
    assert prompt.request["messages"][0]["role"] == "developer"


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"id": "p", "tenant": "t", "user": "u", "messages": [{"role": "user", "content": "x"}]},
         "missing required field(s) at (root): model"),
        (event("p", {"model": "m", "messages": [{"role": "tool", "content": "x"}]}),
         "request/messages/0"),
        (event("p", {"model": "m", "messages": [{"role": "user", "content": [
            {"type": "video", "video": "x"}]}]}), "request/messages/0"),
        ({**event("p", {"model": "m", "messages": [{"role": "user", "content": "x"}]}),
          "schema_version": "v9"}, "schema_version"),
    ],
)
def test_invalid_requests_name_the_field(body: dict[str, object], where: str) -> None:
    with pytest.raises(InvalidEvent) as caught:
        parse_inbound(orjson.dumps(body), LIMIT)
    assert caught.value.reason == "schema_violation"
    assert where in caught.value.detail


def test_random_requests_keep_every_segment_inside_its_unit() -> None:
    """Whatever the JSON shape, segments are in bounds and equal the value at their path."""
    seed = random.randrange(2**32)
    print(f"seed={seed}")
    rng = random.Random(seed)

    def value(depth: int) -> object:
        kind = rng.randrange(6 if depth < 3 else 3)
        if kind == 0:
            return rng.choice(["", "Jane Doe", "a\nb", "ü~/x", "{not json"])
        if kind == 1:
            return rng.choice([0, -3, 2.5, 10**18])
        if kind == 2:
            return rng.choice([True, False, None])
        if kind == 3:
            return [value(depth + 1) for _ in range(rng.randrange(3))]
        return {rng.choice(["a", "b/c", "d~e", "f g"]) + str(i): value(depth + 1)
                for i in range(rng.randrange(3))}

    for _ in range(200):
        args = {"k": value(0)}
        request = {"model": "m", "messages": [{"role": "assistant", "tool_calls": [
            {"id": "c", "type": "function",
             "function": {"name": "f", "arguments": json.dumps(args)}}]}]}
        units, _ = request_units(request)
        for unit in units:
            for seg, text in unit.segment_texts():
                assert 0 <= seg.start <= seg.end <= len(unit.text)
                if seg.pointer is not None and not seg.key:
                    target: object = args
                    for part in seg.pointer:
                        target = target[part]  # type: ignore[index]
                    assert text == (target if isinstance(target, str) else json.dumps(target))


def test_a_request_nested_too_deep_is_refused_not_crashed() -> None:
    """What cannot be walked cannot be scanned: a reasoned rejection (DLQ), never an exception."""
    deep: object = "Jane Doe"
    for _ in range(200):
        deep = [deep]
    request = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "x": deep}
    with pytest.raises(InvalidEvent) as caught:
        parse_inbound(orjson.dumps(event("p", request)), LIMIT)
    assert caught.value.reason == "too_deep"


def test_a_json_string_nested_too_deep_is_scanned_as_text() -> None:
    """Deep JSON in a tool result falls back to one text segment: still scanned and redactable."""
    args = '{"a": ' + "[" * 500 + "]" * 500 + ', "who": "Jane Doe"}'
    request = {"model": "m", "messages": [{"role": "tool", "tool_call_id": "c", "content": args}]}
    prompt = parse_inbound(orjson.dumps(event("p", request)), LIMIT)
    [unit] = prompt.units
    assert unit.text == args and [s.path for s in unit.segments] == ["messages[0].content"]
