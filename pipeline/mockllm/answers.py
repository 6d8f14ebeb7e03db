"""What the mock answers: a whole ChatCompletion built from the request's parameters.

Deterministic for one request body (answers are seeded by the last message and
``seed``), so tests can predict shapes without predicting words. Behaviour:

- ``n`` choices, each its own text; ``stop`` and ``max_completion_tokens``/``max_tokens``
  cut the text (``finish_reason`` ``stop``/``length``).
- Tool calls when ``tools`` are given and ``tool_choice`` is ``required`` or names a
  function, or the last message carries ``[[tool]]`` / ``[[tool:NAME]]``; arguments follow
  the function's JSON schema, string values echo the prompt's placeholders (as real models
  pass them on) or come verbatim from ``[[args:{...}]]``; ``[[tool2]]`` next to ``[[tool]]``
  makes it two parallel calls. After a ``tool`` message the answer is text about the result.
- ``[[refuse]]`` → a refusal (content null); ``[[echo]]`` → the last user text back.
- ``response_format`` ``json_object``/``json_schema`` → content is valid JSON (an instance
  of the schema for ``json_schema``).
- ``logprobs``/``top_logprobs`` (``[[alt:TEXT]]`` puts TEXT among the alternatives),
  ``reasoning_effort`` (reasoning tokens), cached prompt tokens (a repeated conversation
  prefix), ``service_tier`` in the usage/fields.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Exchange", "build_completion", "message_text"]

_WORDS = (
    "the", "quarterly", "plan", "looks", "sound", "overall", "but", "the", "risks", "section",
    "needs", "clearer", "owners", "and", "dates", "consider", "summarising", "the", "budget",
    "impact", "in", "one", "table", "before", "review",
)
_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*_\d+>")
_TOOL_MARKER = re.compile(r"\[\[tool(?::([A-Za-z0-9_-]+))?\]\]")
_ARGS_MARKER = re.compile(r"\[\[args:(\{.*?\})\]\]", re.DOTALL)
_ALT_MARKER = re.compile(r"\[\[alt:(.+?)\]\]")
_REASONING = {"none": 0, "minimal": 0, "low": 8, "medium": 32, "high": 64, "xhigh": 96}
REFUSAL = "I'm sorry, but I can't help with that request."


def message_text(message: dict[str, Any]) -> str:
    """Every text of one message, parts and tool-call arguments included."""
    content = message.get("content")
    texts: list[str] = []
    if isinstance(content, str):
        texts.append(content)
    elif isinstance(content, list):
        parts = [p for p in content if isinstance(p, dict)]
        texts += [str(p.get("text") or p.get("refusal") or "") for p in parts]
    for call in message.get("tool_calls") or ():
        if isinstance(call, dict):
            fn = call.get("function") or call.get("custom") or {}
            texts.append(str(fn.get("arguments") or fn.get("input") or ""))
    return " ".join(t for t in texts if t)


@dataclass
class Exchange:
    """One request's view: its body, the last message's text, a seed, the cache state."""

    body: dict[str, Any]
    number: int
    cached_prefix_tokens: int = 0
    messages: list[dict[str, Any]] = field(init=False)
    last: dict[str, Any] = field(init=False)
    last_text: str = field(init=False)
    seed: int = field(init=False)

    def __post_init__(self) -> None:
        self.messages = [m for m in self.body.get("messages") or () if isinstance(m, dict)]
        self.last = self.messages[-1] if self.messages else {}
        self.last_text = message_text(self.last)
        basis = f"{self.last_text}|{self.body.get('seed', '')}".encode()
        self.seed = int(hashlib.sha256(basis).hexdigest()[:8], 16)


def prompt_tokens(messages: Sequence[dict[str, Any]]) -> int:
    return sum(len(message_text(m).split()) + 4 for m in messages)


def _placeholders(ex: Exchange) -> list[str]:
    return list(dict.fromkeys(_PLACEHOLDER.findall(ex.last_text)))


def _text(ex: Exchange, index: int) -> str:
    if "[[echo]]" in ex.last_text:
        return ex.last_text.replace("[[echo]]", "").strip()
    seed = ex.seed + index * 7919
    words = [_WORDS[(seed + i * 7) % len(_WORDS)] for i in range(12 + seed % 20)]
    echoed = _placeholders(ex)
    if ex.last.get("role") == "tool":
        lead = "The tool returned " + (", ".join(echoed) if echoed else "its result") + ". "
    else:
        lead = f"Regarding {', '.join(echoed)}: " if echoed else ""
    model = str(ex.body.get("model", ""))
    return f"Mock answer {ex.number} from {model}: {lead}" + " ".join(words).capitalize() + "."


def instance(schema: Any, ex: Exchange, depth: int = 0) -> Any:
    """A value valid against a (simple) JSON schema; strings echo the prompt's placeholders."""
    if not isinstance(schema, dict) or depth > 6:
        return "mock"
    if schema.get("enum"):
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for union in ("anyOf", "oneOf"):
        if schema.get(union):
            return instance(schema[union][0], ex, depth + 1)
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties") or {}
        return {name: instance(sub, ex, depth + 1) for name, sub in props.items()}
    if kind == "array":
        return [instance(schema.get("items") or {}, ex, depth + 1)
                for _ in range(max(1, int(schema.get("minItems", 1))))]
    if kind in ("integer", "number"):
        return int(schema.get("minimum", 1)) if kind == "integer" else 1.5
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    echoed = _placeholders(ex)
    return echoed[0] if echoed else "mock value"


def _tools_wanted(ex: Exchange) -> str | None:
    """The function to call, if this request should be answered with a tool call."""
    tools = [t for t in ex.body.get("tools") or () if isinstance(t, dict)]
    if not tools or ex.last.get("role") == "tool" or ex.body.get("tool_choice") == "none":
        return None
    names = [str((t.get("function") or t.get("custom") or {}).get("name", "")) for t in tools]
    choice = ex.body.get("tool_choice")
    if isinstance(choice, dict):
        return str((choice.get("function") or choice.get("custom") or {}).get("name", names[0]))
    marker = _TOOL_MARKER.search(ex.last_text)
    if marker is not None:
        return marker.group(1) if marker.group(1) in names else names[0]
    return names[0] if choice == "required" else None


def _tool_call(ex: Exchange, name: str, index: int) -> dict[str, Any]:
    tool: dict[str, Any] = next(
        (t for t in ex.body.get("tools") or ()
         if (t.get("function") or t.get("custom") or {}).get("name") == name),
        {},
    )
    call_id = f"call_{hashlib.sha256(f'{ex.seed}-{index}-{name}'.encode()).hexdigest()[:20]}"
    given = _ARGS_MARKER.search(ex.last_text)
    if tool.get("type") == "custom":
        text = given.group(1) if given else " ".join(_placeholders(ex)) or "mock input"
        return {"id": call_id, "type": "custom", "custom": {"name": name, "input": text}}
    if given is not None:
        arguments = given.group(1)
    else:
        params = (tool.get("function") or {}).get("parameters") or {"type": "object"}
        arguments = json.dumps(instance(params, ex))
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def _json_content(ex: Exchange, index: int) -> str | None:
    fmt = ex.body.get("response_format")
    if not isinstance(fmt, dict):
        return None
    kind = fmt.get("type")
    if kind == "json_object":
        return json.dumps({"answer": _text(ex, index), "placeholders": _placeholders(ex)})
    if kind == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema") or {"type": "object"}
        return json.dumps(instance(schema, ex))
    return None


def _cut(text: str, body: dict[str, Any]) -> tuple[str, str]:
    """Apply ``stop`` and the token limit; return the text and its finish_reason."""
    stops = body.get("stop")
    for stop in [stops] if isinstance(stops, str) else list(stops or ()):
        if stop and stop in text:
            text = text[: text.index(stop)]
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    words = text.split(" ")
    if isinstance(limit, int) and 0 < limit < len(words):
        return " ".join(words[:limit]), "length"
    return text, "stop"


def _logprobs(text: str, top: int, ex: Exchange) -> dict[str, Any]:
    """Word-sized tokens with ``top`` alternatives each.

    The first alternative is the token itself, the others variants of it;
    ``[[alt:TEXT]]`` in the prompt makes TEXT the first token's last alternative
    (a token the model weighed but did not write).
    """
    tokens = re.findall(r"\S+\s*", text) or [text]

    def alt(token: str, logprob: float) -> dict[str, Any]:
        return {"token": token, "logprob": logprob, "bytes": list(token.encode())}

    entries = []
    for i, t in enumerate(tokens):
        variants = [t, t.upper(), t.capitalize(), t.strip(), t.lower() + " "]
        alts = [alt(variants[k % len(variants)], -0.01 * (i % 7) - k) for k in range(top)]
        entries.append({**alt(t, -0.01 * (i % 7)), "top_logprobs": alts})
    given = _ALT_MARKER.search(ex.last_text)
    if given is not None and top and entries:
        entries[0]["top_logprobs"][-1] = alt(given.group(1), -3.0)
    return {"content": entries, "refusal": None}


def _choice(ex: Exchange, index: int) -> tuple[dict[str, Any], int]:
    """One choice and its completion token count."""
    message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None,
                               "annotations": []}
    finish = "stop"
    tool = _tools_wanted(ex)
    if "[[refuse]]" in ex.last_text:
        message["refusal"] = REFUSAL
        spoken = REFUSAL
    elif tool is not None:
        calls = [_tool_call(ex, tool, 100 * index)]
        if ex.body.get("parallel_tool_calls") is not False and "[[tool2]]" in ex.last_text:
            calls.append(_tool_call(ex, tool, 100 * index + 1))
        message["tool_calls"] = calls
        finish, spoken = "tool_calls", json.dumps(calls)
    else:
        content = _json_content(ex, index)
        if content is None:
            content, finish = _cut(_text(ex, index), ex.body)
        message["content"] = spoken = content
    choice: dict[str, Any] = {"index": index, "message": message, "finish_reason": finish,
                              "logprobs": None}
    if ex.body.get("logprobs") and message["content"] is not None:
        top = int(ex.body.get("top_logprobs") or 0)
        choice["logprobs"] = _logprobs(message["content"], top, ex)
    return choice, len(spoken.split())


def build_completion(ex: Exchange) -> dict[str, Any]:
    """The whole ``chat.completion`` object for this request."""
    n = max(1, int(ex.body.get("n") or 1))
    built = [_choice(ex, i) for i in range(n)]
    reasoning = _REASONING.get(str(ex.body.get("reasoning_effort")), 0) * n
    prompt = prompt_tokens(ex.messages)
    completion = sum(count for _, count in built) + reasoning
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": str(ex.body.get("model", "")),
        "system_fingerprint": "fp_mockllm",
        "service_tier": str(ex.body.get("service_tier") or "default"),
        "choices": [choice for choice, _ in built],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": ex.cached_prefix_tokens,
                                      "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": reasoning, "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0,
                                          "rejected_prediction_tokens": 0},
        },
    }
