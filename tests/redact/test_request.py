"""Redaction of a whole request in place: by JSON path, JSON kept valid, offsets right."""

from __future__ import annotations

import json
import random
from typing import Any

import orjson
import pytest

from pipeline.errors import DetectionError
from pipeline.events import Action, Attachment, Category, Decision, Finding, InboundPrompt
from pipeline.ingest import parse_inbound
from pipeline.redact.engine import redact_request
from pipeline.redact.pseudonyms import PseudonymBook
from tests.redact.conftest import CATEGORY, POLICY, REDACT
from tests.support.openai_requests import EMAIL, NAME, PHONE, agent_request, event

ARGS = "messages[3].tool_calls[0].function.arguments"
RESULT = "messages[4].content"


def prompt_of(request: Any) -> InboundPrompt:
    return parse_inbound(orjson.dumps(event("p-1", request)), 1_000_000)


def at(prompt: InboundPrompt, path: str, value: str, entity_type: str) -> Finding:
    """The finding the engine would report for ``value`` inside the string at ``path``."""
    for unit in prompt.units:
        for seg, text in unit.segment_texts():
            if seg.path == path and value in text:
                start = text.index(value)
                return Finding(entity_type, CATEGORY[entity_type], seg.message_index, start,
                               start + len(value), 0.9, "test", path)
    raise AssertionError(f"{value!r} not at {path}")


def run(prompt: InboundPrompt, findings: list[Finding], decision: Decision = REDACT) -> Any:
    return redact_request(prompt, findings, decision, POLICY, PseudonymBook())


def test_arguments_and_results_are_redacted_value_by_value_and_stay_json() -> None:
    """Each value is replaced inside the JSON; the JSON parses and keeps its structure."""
    prompt = prompt_of(agent_request())
    findings = [
        at(prompt, f"{ARGS}/customer/email", EMAIL, "EMAIL_ADDRESS"),
        at(prompt, f"{ARGS}/customer/name", NAME, "PERSON"),
        at(prompt, f"{RESULT}/customer/email", EMAIL, "EMAIL_ADDRESS"),
        at(prompt, f"{RESULT}/customer/name", NAME, "PERSON"),
        at(prompt, "messages[2].content[0].text", EMAIL, "EMAIL_ADDRESS"),
    ]
    out = run(prompt, findings)
    args = json.loads(out["messages"][3]["tool_calls"][0]["function"]["arguments"])
    assert args == {"customer": {"email": "<EMAIL_ADDRESS_1>", "name": "<PERSON_1>"}}
    result = json.loads(out["messages"][4]["content"])
    assert result["customer"] == {
        "name": "<PERSON_1>", "email": "<EMAIL_ADDRESS_1>", "phone": PHONE, "tier": "gold"
    }
    assert result["orders"] == [{"number": "NW-1042", "status": "delivered"}]
    assert out["messages"][2]["content"][0]["text"].endswith("Reach me at <EMAIL_ADDRESS_1>.")
    # every other parameter and string is untouched, and the input was not mutated
    original = dict(agent_request())
    assert {k: v for k, v in out.items() if k != "messages"} == {
        k: v for k, v in original.items() if k != "messages"
    }
    assert prompt.request == original


def test_several_spans_in_one_string_keep_their_offsets() -> None:
    """Spliced right to left: a second span after a longer/shorter replacement lands right."""
    text = f"{NAME} <{EMAIL}> and {NAME} again, call {PHONE}"
    prompt = prompt_of({"model": "m", "messages": [{"role": "user", "content": text}]})
    path = "messages[0].content"
    second = text.rindex(NAME)
    findings = [
        at(prompt, path, NAME, "PERSON"),
        Finding("PERSON", Category.PII, 0, second, second + len(NAME), 0.9, "t", path),
        at(prompt, path, EMAIL, "EMAIL_ADDRESS"),
    ]
    out = run(prompt, findings)
    assert out["messages"][0]["content"] == (
        f"<PERSON_1> <<EMAIL_ADDRESS_1>> and <PERSON_1> again, call {PHONE}"
    )


def test_a_number_value_becomes_a_string_placeholder() -> None:
    """JSON numbers are scanned as digits; redacted, the value is a (valid JSON) string."""
    args = json.dumps({"card": 4111111111111111, "qty": 2})
    request = {"model": "m", "messages": [{"role": "assistant", "tool_calls": [
        {"id": "c", "type": "function", "function": {"name": "pay", "arguments": args}}]}]}
    prompt = prompt_of(request)
    out = run(prompt, [at(prompt, "messages[0].tool_calls[0].function.arguments/card",
                          "4111111111111111", "CREDIT_CARD")])
    parsed = json.loads(out["messages"][0]["tool_calls"][0]["function"]["arguments"])
    assert parsed == {"card": "************1111", "qty": 2}


def test_a_key_holding_a_value_is_renamed_in_place() -> None:
    """A finding in a member's key renames that key, keeping order and the value."""
    result = json.dumps({"by_user": {EMAIL: "vip", "other": 1}})
    request = {"model": "m", "messages": [{"role": "tool", "tool_call_id": "c", "content": result}]}
    prompt = prompt_of(request)
    out = run(prompt, [at(prompt, f"messages[0].content/by_user/{EMAIL}#", EMAIL, "EMAIL_ADDRESS")])
    assert json.loads(out["messages"][0]["content"]) == {
        "by_user": {"<EMAIL_ADDRESS_1>": "vip", "other": 1}
    }
    assert list(json.loads(out["messages"][0]["content"])["by_user"]) == ["<EMAIL_ADDRESS_1>",
                                                                          "other"]


def test_arguments_that_are_not_json_are_redacted_as_text() -> None:
    request = {"model": "m", "messages": [{"role": "assistant", "tool_calls": [
        {"id": "c", "type": "function",
         "function": {"name": "f", "arguments": f"email={EMAIL}"}}]}]}
    prompt = prompt_of(request)
    path = "messages[0].tool_calls[0].function.arguments"
    out = run(prompt, [at(prompt, path, EMAIL, "EMAIL_ADDRESS")])
    assert out["messages"][0]["tool_calls"][0]["function"]["arguments"] == "email=<EMAIL_ADDRESS_1>"


def test_tool_descriptions_and_schema_descriptions_are_redacted() -> None:
    prompt = prompt_of(agent_request())
    out = run(prompt, [at(prompt, "tools[0].function.description", "support@northwind.example",
                          "EMAIL_ADDRESS")])
    assert out["tools"][0]["function"]["description"] == (
        "Find a customer record by e-mail, e.g. <EMAIL_ADDRESS_1>."
    )
    assert out["tools"][0]["function"]["parameters"] == dict(agent_request())["tools"][0][
        "function"]["parameters"]  # type: ignore[typeddict-item]


@pytest.mark.parametrize("action", ["strip", "allow"])
def test_stripped_attachments_are_removed_and_allowed_ones_kept(action: str) -> None:
    prompt = prompt_of(agent_request())
    decision = Decision(Action.REDACT, ("attachments." + action,),
                        attachments=(Attachment("messages[2].content[1]", "image_url", action),))
    out = run(prompt, [], decision)
    types = [p["type"] for p in out["messages"][2]["content"]]
    assert types == (["text"] if action == "strip" else ["text", "image_url"])


def test_a_message_left_without_parts_gets_empty_text() -> None:
    request = {"model": "m", "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "https://x.example/a.png"}}]}]}
    prompt = prompt_of(request)
    decision = Decision(Action.REDACT, ("attachments.strip",),
                        attachments=(Attachment("messages[0].content[0]", "image_url", "strip"),))
    assert run(prompt, [], decision)["messages"][0]["content"] == ""


def test_a_finding_on_an_unknown_path_fails_closed() -> None:
    prompt = prompt_of({"model": "m", "messages": [{"role": "user", "content": "hello"}]})
    stray = Finding("PERSON", Category.PII, 0, 0, 5, 0.9, "t", "messages[7].content")
    with pytest.raises(DetectionError):
        run(prompt, [stray])


def test_random_values_in_arguments_always_give_valid_json_without_the_value() -> None:
    """Property: any string values, any redacted subset → valid JSON, values gone, rest equal."""
    seed = random.randrange(2**32)
    print(f"seed={seed}")
    rng = random.Random(seed)
    alphabet = ['"', "\\", "\n", "é", "/", "~", "a", " ", "<", "}", "0"]
    for _ in range(100):
        values = {f"k{i}": "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 8)))
                  + f"Jane{i}" for i in range(rng.randrange(1, 5))}
        args = json.dumps({"data": values, "n": [1, 2]}, ensure_ascii=rng.random() < 0.5)
        request = {"model": "m", "messages": [{"role": "assistant", "tool_calls": [
            {"id": "c", "type": "function", "function": {"name": "f", "arguments": args}}]}]}
        prompt = prompt_of(request)
        chosen = [k for k in values if rng.random() < 0.6]
        base = "messages[0].tool_calls[0].function.arguments/data/"
        findings = [at(prompt, base + k, values[k], "PERSON") for k in chosen]
        out = json.loads(run(prompt, findings)["messages"][0]["tool_calls"][0]["function"][
            "arguments"])
        assert out["n"] == [1, 2]
        for k, v in values.items():
            assert (out["data"][k] != v) if k in chosen else (out["data"][k] == v)
            if k in chosen:
                assert out["data"][k].startswith("<PERSON_")
