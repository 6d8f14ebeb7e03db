"""Chat Completions requests built with the ``openai`` SDK's own typed params.

Every literal below is annotated with the SDK type it must satisfy, so these
are the shapes the SDK sends (``client.chat.completions.create(**request)``
posts exactly this body). Customer data is planted in tool-call arguments,
tool results, a text part, a ``name`` and a tool description; ``PLANTED``
lists each value and the JSON path it sits at.
"""

from __future__ import annotations

import json
from typing import Any

from openai.types.chat import (
    ChatCompletionAssistantMessageParam,
    ChatCompletionContentPartImageParam,
    ChatCompletionContentPartTextParam,
    ChatCompletionDeveloperMessageParam,
    ChatCompletionFunctionToolParam,
    ChatCompletionMessageParam,
    ChatCompletionSystemMessageParam,
    ChatCompletionToolMessageParam,
    ChatCompletionUserMessageParam,
    completion_create_params,
)
from openai.types.chat.chat_completion_custom_tool_param import ChatCompletionCustomToolParam
from openai.types.shared_params.response_format_json_schema import ResponseFormatJSONSchema

__all__ = ["EMAIL", "IMAGE_URL", "PHONE", "agent_request", "event"]

EMAIL = "jane.doe@northwind-mail.com"
PHONE = "+1 415 555 0134"
NAME = "Jane Doe"
IMAGE_URL = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"


def agent_request(*, image: bool = True) -> completion_create_params.CompletionCreateParamsBase:
    """A support agent's third turn: tool calls with customer data, results, JSON mode."""
    system: ChatCompletionSystemMessageParam = {
        "role": "system",
        "content": "You are a support agent for Northwind. Answer in JSON.",
    }
    developer: ChatCompletionDeveloperMessageParam = {
        "role": "developer",
        "content": [{"type": "text", "text": "Use the CRM tools; never guess order numbers."}],
    }
    text: ChatCompletionContentPartTextParam = {
        "type": "text",
        "text": f"Hi, I'm {NAME}, my order arrived broken. Photo attached. Reach me at {EMAIL}.",
    }
    photo: ChatCompletionContentPartImageParam = {
        "type": "image_url",
        "image_url": {"url": IMAGE_URL, "detail": "low"},
    }
    user: ChatCompletionUserMessageParam = {
        "role": "user",
        "content": [text, photo] if image else [text],
        "name": "jane_doe",
    }
    call: ChatCompletionAssistantMessageParam = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_lookup_1",
                "type": "function",
                "function": {
                    "name": "lookup_customer",
                    "arguments": json.dumps({"customer": {"email": EMAIL, "name": NAME}}),
                },
            },
            {
                "id": "call_note_1",
                "type": "custom",
                "custom": {"name": "crm_note", "input": f"Customer {NAME} reports damage"},
            },
        ],
    }
    result: ChatCompletionToolMessageParam = {
        "role": "tool",
        "tool_call_id": "call_lookup_1",
        "content": json.dumps(
            {
                "customer": {"name": NAME, "email": EMAIL, "phone": PHONE, "tier": "gold"},
                "orders": [{"number": "NW-1042", "status": "delivered"}],
            }
        ),
    }
    note: ChatCompletionToolMessageParam = {
        "role": "tool",
        "tool_call_id": "call_note_1",
        "content": [{"type": "text", "text": "note saved"}],
    }
    follow_up: ChatCompletionUserMessageParam = {
        "role": "user",
        "content": "Please propose a refund as JSON.",
    }
    messages: list[ChatCompletionMessageParam] = [
        system, developer, user, call, result, note, follow_up,
    ]
    lookup: ChatCompletionFunctionToolParam = {
        "type": "function",
        "function": {
            "name": "lookup_customer",
            "description": "Find a customer record by e-mail, e.g. support@northwind.example.",
            "parameters": {
                "type": "object",
                "properties": {
                    "customer": {
                        "type": "object",
                        "description": "Who to look up",
                        "properties": {"email": {"type": "string"}, "name": {"type": "string"}},
                    }
                },
                "required": ["customer"],
            },
            "strict": False,
        },
    }
    crm_note: ChatCompletionCustomToolParam = {
        "type": "custom",
        "custom": {"name": "crm_note", "description": "Free-text note on the case"},
    }
    response_format: ResponseFormatJSONSchema = {
        "type": "json_schema",
        "json_schema": {
            "name": "refund",
            "description": "A refund proposal",
            "schema": {
                "type": "object",
                "properties": {
                    "amount": {"type": "number", "description": "In EUR"},
                    "reason": {"type": "string"},
                },
                "required": ["amount", "reason"],
                "additionalProperties": False,
            },
            "strict": True,
        },
    }
    return {
        "model": "gpt-4o",
        "messages": messages,
        "tools": [lookup, crm_note],
        "tool_choice": "auto",
        "parallel_tool_calls": True,
        "response_format": response_format,
        "temperature": 0.2,
        "top_p": 0.9,
        "max_completion_tokens": 512,
        "seed": 7,
        "n": 1,
        "stop": ["\n\nEND"],
        "store": False,
        "metadata": {"ticket": "T-88"},
        "user": "app-user-1",
        "logprobs": False,
        "service_tier": "auto",
        "stream_options": None,
    }


def event(ident: str, request: Any, **extra: Any) -> dict[str, Any]:
    """The v2 inbound event carrying ``request``."""
    return {
        "schema_version": "v2",
        "id": ident,
        "tenant": "t-acme",
        "user": "u-7",
        "request": request,
        **extra,
    }
