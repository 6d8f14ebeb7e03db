"""The response guard: answers are scanned and redacted; placeholders restored where allowed."""

from __future__ import annotations

import json
from typing import Any

from pipeline.config import Settings
from pipeline.dispatch.answer import guard_completion
from pipeline.dispatch.request import DispatchRequest
from pipeline.redact.pseudonyms import PseudonymBook
from pipeline.redact.vault import seal_book
from pipeline.wiring import PolicyResponseGuard, key_ring

SECRET = "ghp_" + "Q7w9Er2Ty4Ui6Op8As1Df3Gh5Jk7Lz9Xc2Vb4"


def approved_request(settings: Settings, book: PseudonymBook) -> DispatchRequest:
    return DispatchRequest.from_event({
        "schema_version": "v2",
        "id": "p-1",
        "conversation_id": "c-1",
        "tenant": "t-acme",
        "user": "u-1",
        "request": {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
        "decision": {"action": "redact"},
        "pseudonyms": seal_book(book, key_ring(settings), "c-1"),
    })


async def guard_text(settings: Settings, book: PseudonymBook, text: str) -> tuple[str, Any]:
    session = PolicyResponseGuard(settings).session(approved_request(settings, book))
    [found] = await session.detect([text])
    return session.render(text, found), found


async def test_placeholders_are_reidentified_for_allowed_kinds(settings: Settings) -> None:
    """The default policy lets PERSON placeholders be restored in the answer."""
    book = PseudonymBook()
    token = book.placeholder_for("Marta Kowalski", "PERSON")
    answer, _ = await guard_text(settings, book, f"Dear {token}, your order shipped.")
    assert answer == "Dear Marta Kowalski, your order shipped."


async def test_secrets_in_answers_are_redacted(settings: Settings) -> None:
    """A credential the LLM echoes never reaches the requester."""
    answer, findings = await guard_text(
        settings, PseudonymBook(), f"Use the token {SECRET} in the header."
    )
    assert SECRET not in answer
    assert any(f.entity_type == "GITHUB_TOKEN" for f in findings)


async def test_tool_call_arguments_are_guarded_value_by_value(settings: Settings) -> None:
    """The real engine on a tool-call-only completion: arguments stay JSON, the secret goes,
    the person placeholder comes back, the finding points into the arguments."""
    book = PseudonymBook()
    token = book.placeholder_for("Marta Kowalski", "PERSON")
    arguments = {"customer": {"name": token, "api_token": SECRET}, "limit": 5}
    call = {"id": "call_1", "type": "function",
            "function": {"name": "crm_update", "arguments": json.dumps(arguments)}}
    message = {"role": "assistant", "content": None, "refusal": None, "tool_calls": [call]}
    completion = {
        "id": "c", "object": "chat.completion", "created": 1, "model": "gpt-4o",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "logprobs": None,
                     "message": message}],
    }
    session = PolicyResponseGuard(settings).session(approved_request(settings, book))
    guarded, findings = await guard_completion(session, completion)
    (call,) = guarded["choices"][0]["message"]["tool_calls"]
    delivered = json.loads(call["function"]["arguments"])
    assert delivered["customer"]["name"] == "Marta Kowalski" and delivered["limit"] == 5
    assert SECRET not in call["function"]["arguments"] and delivered["customer"]["api_token"]
    assert any(
        f["path"] == "choices[0].message.tool_calls[0].function.arguments/customer/api_token"
        and f["entity_type"] == "GITHUB_TOKEN" for f in findings
    )
    assert completion["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] == (
        json.dumps(arguments)  # the input is left as it was
    )
