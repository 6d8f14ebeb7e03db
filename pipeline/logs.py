"""Structured JSON logs that cannot carry prompt text.

One JSON object per line on stderr: time, level, logger, message, the bound
context (trace id, correlation id, stage, topic, partition, offset) and
whatever safe ``extra=`` fields the caller passed. A guard runs on every
record before it is formatted:

* fields whose names mean content (``prompt``, ``text``, ``messages``, ...)
  are replaced by ``[withheld]`` whatever their value;
* every string is scrubbed of things shaped like known secrets (cloud keys,
  tokens, private keys, JWTs) and e-mail addresses, and length-capped.

Log *what happened* to a prompt, never *what it said*.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "WITHHELD",
    "ContentGuard",
    "JsonFormatter",
    "bind",
    "bound_trace",
    "bound_traces",
    "configure_logging",
    "logging_config",
    "scrub",
]

WITHHELD = "[withheld]"
MAX_FIELD_CHARS = 512

# Field names that, by name, hold message content; matched case-insensitively.
CONTENT_FIELDS = frozenset({
    "prompt", "prompts", "text", "content", "contents", "message_text", "messages", "body",
    "payload", "value", "raw", "completion", "response_text", "answer", "redacted", "original",
    "span_text", "match", "matched", "detected_value", "input", "output", "system_prompt",
})

# Known secret/PII shapes, each from its issuer's documented format.
_SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # PEM private keys (RFC 7468).
    ("private_key", re.compile(
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.S
    )),
    # AWS access key ids: AKIA/ASIA + 16 upper alphanumerics.
    ("aws_access_key", re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b")),
    # GitHub tokens: ghp_/gho_/ghu_/ghs_/ghr_ + 36, and fine-grained github_pat_.
    ("github_token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})")),
    # Slack tokens: xoxb-/xoxp-/xoxa-/xoxr-/xoxs-.
    ("slack_token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    # OpenAI / Anthropic style API keys: sk-..., sk-proj-..., sk-ant-...
    ("api_key", re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}")),
    # Stripe secret/restricted keys.
    ("stripe_key", re.compile(r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}")),
    # Google API keys: AIza + 35.
    ("google_api_key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    # JWTs: three base64url segments, the first two JSON objects ("eyJ").
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+")),
    # HTTP bearer credentials (RFC 6750).
    ("bearer", re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{16,}")),
    # E-mail addresses (RFC 5322, simplified): PII, never needed in logs.
    ("email", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")),
)

# Attributes every LogRecord has; anything else came from ``extra=``.
_RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime",
}

_context: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar(
    "prompt_dlp_log_context", default=None
)


def scrub(text: str) -> str:
    """Replace secret-shaped substrings by ``[redacted:<kind>]`` and cap the length."""
    for kind, pattern in _SECRET_PATTERNS:
        text = pattern.sub(f"[redacted:{kind}]", text)
    if len(text) > MAX_FIELD_CHARS:
        text = text[:MAX_FIELD_CHARS] + "...[truncated]"
    return text


def _safe(name: str, value: Any) -> Any:
    if name.lower() in CONTENT_FIELDS:
        return WITHHELD
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Mapping):
        return {str(k): _safe(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_safe(name, v) for v in value]
    return scrub(str(value))


@contextlib.contextmanager
def bind(**fields: Any) -> Iterator[None]:
    """Add fields (trace_id, correlation_id, stage, ...) to every log line in this context."""
    current = _context.get() or {}
    token = _context.set({**current, **fields})
    try:
        yield
    finally:
        _context.reset(token)


@contextlib.contextmanager
def bound_trace(headers: Any, **fields: Any) -> Iterator[None]:
    """Bind one record's ``trace_id``/``span_id``/``correlation_id`` (from its Kafka headers).

    Wrap the handling of one consumed record in it, so every line logged
    meanwhile, in this task or in threads started with its context, says which
    prompt it is about.
    """
    from pipeline.tracing import trace_fields

    with bind(**trace_fields(headers), **fields):
        yield


@contextlib.contextmanager
def bound_traces(headers: Iterable[Any], **fields: Any) -> Iterator[None]:
    """Bind the ``trace_ids`` (and ``correlation_ids``) of a batch of records."""
    from pipeline.tracing import trace_fields

    found = [trace_fields(h) for h in headers]
    ids = {
        "trace_ids": [f["trace_id"] for f in found if "trace_id" in f],
        "correlation_ids": [f["correlation_id"] for f in found if "correlation_id" in f],
    }
    with bind(**ids, **fields):
        yield


class ContentGuard(logging.Filter):
    """Withholds content-named fields and scrubs secrets from every string, in place.

    Formats ``msg % args`` eagerly so arguments can never reach a handler raw.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg, record.args = scrub(message), None
        for key in [k for k in vars(record) if k not in _RESERVED]:
            setattr(record, key, _safe(key, getattr(record, key)))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: fixed keys first, then bound context, then extras."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": scrub(record.getMessage()),
        }
        for key, value in (_context.get() or {}).items():
            out.setdefault(key, _safe(key, value))
        for key, value in vars(record).items():
            if key not in _RESERVED:
                out.setdefault(key, _safe(key, value))
        if record.exc_text:
            out["exc"] = scrub(record.exc_text)
        return json.dumps(out, default=str, ensure_ascii=False)


_NOISY = ("aiokafka", "kafka", "aiohttp.access", "presidio-analyzer")


def logging_config(level: str | int = "INFO") -> dict[str, Any]:
    """Return the same setup as a ``dictConfig`` dict.

    faust/mode's ``Worker`` clears the root handlers when it starts; pass this
    as ``faust.Worker(..., logging_config=logging_config(level))`` so JSON logs
    and the content guard survive.
    """
    numeric = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"guard": {"()": ContentGuard}},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "json",
                "filters": ["guard"],
            },
        },
        "root": {"level": numeric, "handlers": ["json"]},
        "loggers": {name: {"level": max(numeric, logging.WARNING)} for name in _NOISY},
    }


def configure_logging(level: str | int = "INFO", *, stream: Any = None) -> logging.Handler:
    """Route all logging through one guarded JSON handler on stderr (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_prompt_dlp", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContentGuard())
    handler._prompt_dlp = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(max(root.level, logging.WARNING))
    return handler
