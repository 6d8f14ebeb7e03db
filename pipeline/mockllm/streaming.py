"""A finished mock completion as the ``chat.completion.chunk`` sequence OpenAI would stream.

Chunking is token-like (1-5 characters, seeded) and deliberately cuts every
placeholder in two (``<PER`` + ``SON_1>``), so a consumer's hold-back window is
exercised on every placeholder. Choices of ``n > 1`` interleave; tool calls come as a
header delta (id, name, empty arguments) and argument fragments; with
``stream_options.include_usage`` every chunk has ``usage: null`` and a last chunk
with no choices carries the usage, as the API does.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from typing import Any

__all__ = ["chunk_sequence", "pieces", "sse"]

_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*_\d+>")


def pieces(text: str, rng: random.Random) -> list[str]:
    """Split ``text`` into token-sized pieces, cutting inside every placeholder."""
    forced = {m.start() + (m.end() - m.start()) // 2 for m in _PLACEHOLDER.finditer(text)}
    cuts: set[int] = set(forced)
    at = 0
    while at < len(text):
        at += rng.randint(1, 5)
        cuts.add(min(at, len(text)))
    bounds = [*sorted(c for c in cuts if 0 < c < len(text)), len(text)]
    out, start = [], 0
    for end in bounds:
        if end > start:
            out.append(text[start:end])
            start = end
    return out


def _deltas(choice: dict[str, Any], rng: random.Random) -> Iterator[dict[str, Any]]:
    """The delta objects of one choice, in order (without the finish chunk)."""
    message = choice["message"]
    yield {"role": "assistant", "content": "" if message.get("tool_calls") is None else None,
           "refusal": None}
    for field in ("content", "refusal"):
        if isinstance(message.get(field), str):
            for piece in pieces(message[field], rng):
                yield {field: piece}
    for k, call in enumerate(message.get("tool_calls") or ()):
        if call.get("type") == "custom":
            yield {"tool_calls": [{"index": k, **call}]}
            continue
        fn = call["function"]
        yield {"tool_calls": [{"index": k, "id": call["id"], "type": "function",
                               "function": {"name": fn["name"], "arguments": ""}}]}
        for piece in pieces(fn["arguments"], rng):
            yield {"tool_calls": [{"index": k, "function": {"arguments": piece}}]}


def chunk_sequence(
    completion: dict[str, Any], include_usage: bool, seed: int
) -> list[dict[str, Any]]:
    """Every chunk of the stream for ``completion``, in the order they are sent."""
    rng = random.Random(seed)
    head = {k: completion[k] for k in ("id", "created", "model", "system_fingerprint",
                                       "service_tier")}
    head["object"] = "chat.completion.chunk"

    def chunk(choices: list[dict[str, Any]]) -> dict[str, Any]:
        out = {**head, "choices": choices}
        if include_usage:
            out["usage"] = None
        return out

    streams = [list(_deltas(c, rng)) for c in completion["choices"]]
    logprobs = [((c.get("logprobs") or {}).get("content") or []) for c in completion["choices"]]
    out: list[dict[str, Any]] = []
    longest = max((len(s) for s in streams), default=0)
    for step in range(longest):
        for index, deltas in enumerate(streams):
            if step < len(deltas):
                entry: dict[str, Any] = {"index": index, "delta": deltas[step],
                                         "logprobs": None, "finish_reason": None}
                if logprobs[index] and step == 1:  # all of a choice's logprobs ride one chunk
                    entry["logprobs"] = {"content": logprobs[index], "refusal": None}
                out.append(chunk([entry]))
    for c in completion["choices"]:
        out.append(chunk([{"index": c["index"], "delta": {}, "logprobs": None,
                           "finish_reason": c["finish_reason"]}]))
    if include_usage:
        out.append({**head, "choices": [], "usage": completion["usage"]})
    return out


def sse(chunk: dict[str, Any] | None) -> bytes:
    """One server-sent event; ``None`` is the ``[DONE]`` terminator."""
    data = "[DONE]" if chunk is None else json.dumps(chunk)
    return f"data: {data}\n\n".encode()
