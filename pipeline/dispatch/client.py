"""One Chat Completions call through the official ``openai`` SDK, errors sorted for our retry loop.

The SDK's own retries are off (``max_retries=0``) and its 600 s default timeout is
replaced, because retries, backoff and the circuit breaker live in ``caller.py``.
The HTTP transport is injectable, so tests run the real SDK against a mock.
Exception messages name the status or failure kind only, never content.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx2
import openai

from pipeline.dispatch.retry import parse_retry_after
from pipeline.dispatch.settings import Destination, Provider
from pipeline.errors import PermanentDispatchError, RetryableDispatchError

__all__ = ["RETRYABLE_STATUS", "ChatClient", "Completion", "MalformedReply", "error_label"]

# 408 timeout, 409 conflict (an idempotent twin still in flight), 429 and 5xx: try again.
RETRYABLE_STATUS = frozenset({408, 409, 429})


class MalformedReply(RetryableDispatchError):
    """The server answered 2xx with something that is not a usable completion."""


@dataclass(frozen=True, slots=True)
class Completion:
    """What we keep of a reply: never logged, only put on prompts.responses."""

    answer: str
    finish_reason: str | None
    model: str
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    latency_seconds: float

    def usage(self) -> dict[str, int]:
        raw = {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }
        return {k: v for k, v in raw.items() if v is not None}


def status_label(status: int) -> str:
    """Return the bounded ``status`` label of ``prompt_dlp_dispatch_requests_total``."""
    if status == 429:
        return "429"
    return f"{status // 100}xx"


class ChatClient:
    """An AsyncOpenAI (or AsyncAzureOpenAI) bound to one destination."""

    def __init__(
        self,
        name: str,
        dest: Destination,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.dest = dest
        timeout = httpx2.Timeout(dest.timeout_seconds, connect=dest.connect_timeout_seconds)
        http = httpx2.AsyncClient(transport=transport, timeout=timeout) if transport else None
        api_key = dest.resolve_api_key(name) or "unused"
        self._sdk: openai.AsyncOpenAI
        if dest.provider is Provider.AZURE:
            self._sdk = openai.AsyncAzureOpenAI(
                api_key=api_key,
                azure_endpoint=dest.base_url,
                azure_deployment=dest.azure_deployment,
                api_version=dest.api_version,
                timeout=timeout,
                max_retries=0,
                http_client=http,
            )
        else:
            self._sdk = openai.AsyncOpenAI(
                api_key=api_key,
                base_url=dest.base_url,
                timeout=timeout,
                max_retries=0,
                http_client=http,
            )

    async def close(self) -> None:
        await self._sdk.close()

    async def complete(self, approved: dict[str, Any], idempotency_key: str | None) -> Completion:
        """Send the approved messages once; raise Retryable/Permanent/MalformedReply on failure."""
        headers = {"X-Prompt-Id": str(approved["id"]), **self.dest.extra_headers}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        body: dict[str, Any] = dict(self.dest.extra_body)
        if self.dest.send_store_false:
            body.setdefault("store", False)
        started = time.monotonic()
        try:
            reply = await self._sdk.chat.completions.create(
                model=self.dest.model_for(str(approved["model"])),
                messages=approved["messages"],
                extra_headers=headers,
                extra_body=body or None,
            )
        except openai.APIStatusError as exc:
            raise _status_error(exc) from None
        except openai.APITimeoutError:
            raise RetryableDispatchError("timeout") from None
        except openai.APIConnectionError:
            raise RetryableDispatchError("connection_error") from None
        except ValueError:  # JSONDecodeError and pydantic validation of the body
            raise MalformedReply("malformed_reply: body is not valid JSON") from None
        return _completion(reply, time.monotonic() - started)


def _status_error(exc: openai.APIStatusError) -> Exception:
    status = exc.status_code
    if status in RETRYABLE_STATUS or status >= 500:
        retry_after = parse_retry_after(dict(exc.response.headers))
        return RetryableDispatchError(f"http_{status}", retry_after=retry_after)
    return PermanentDispatchError(f"http_{status}")


def error_label(exc: Exception) -> str:
    """Return the metric status label for a failed call: 429|5xx|4xx|timeout|error."""
    code = str(exc).split(":", 1)[0]
    if code.startswith("http_") and code[5:].isdigit():
        return status_label(int(code[5:]))
    return "timeout" if code == "timeout" else "error"


def _completion(reply: Any, latency: float) -> Completion:
    choices = getattr(reply, "choices", None)
    if not choices:
        raise MalformedReply("malformed_reply: no choices")
    message = getattr(choices[0], "message", None)
    content = getattr(message, "content", None)
    if not isinstance(content, str):
        raise MalformedReply("malformed_reply: no message content")
    usage = getattr(reply, "usage", None)
    return Completion(
        answer=content,
        finish_reason=getattr(choices[0], "finish_reason", None),
        model=str(getattr(reply, "model", None) or ""),
        prompt_tokens=getattr(usage, "prompt_tokens", None),
        completion_tokens=getattr(usage, "completion_tokens", None),
        total_tokens=getattr(usage, "total_tokens", None),
        latency_seconds=latency,
    )
