"""Builders for what the dispatch stage emits: responses (v1 or v2, like the request), DLQ, audit.

DLQ and audit records are v2 for every request (schemas/v2/dlq.json, audit.json), as
classify writes them: they are the operators' and security team's, not the requester's,
and v2 locates findings by path. Their consumers read both versions (same field names).

A v2 request gets a v2 response (schemas/v2/response.json: the whole guarded
``chat.completion`` in ``response``); a v1 request the v1 response it always got.

A failed prompt yields two records: a DLQ entry for operators (with the payload
encrypted, so nothing is lost) and a ``failed`` response so the requester hears
back. No builder puts prompt content anywhere in clear except the answer itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline import records as shared
from pipeline.bus import Record
from pipeline.crypto import KeyRing
from pipeline.dispatch.client import Completion
from pipeline.dispatch.request import DispatchRequest
from pipeline.events import Finding
from pipeline.records import now_iso

__all__ = [
    "Source",
    "answer_records",
    "dead_letter",
    "failed_response",
    "failure_records",
    "now_iso",
    "ok_response",
    "upstream_error",
]

_CHOICE = re.compile(r"^choices\[(\d+)\]")
_HTTP_STATUS = re.compile(r"^http_([1-5]\d\d)$")


@dataclass(frozen=True, slots=True)
class Source:
    """Where the approved record came from (for the DLQ and the dedup partition)."""

    topic: str
    partition: int
    offset: int
    timestamp: float | None = None


def _v1_finding(f: Mapping[str, Any]) -> dict[str, Any]:
    """A v2 (path) finding in v1 form: the choice index stands in for the message index."""
    match = _CHOICE.match(str(f.get("path", "")))
    return {"entity_type": f["entity_type"], "category": f["category"],
            "message_index": int(match[1]) if match else 0, "start": f["start"],
            "end": f["end"], "score": f["score"], "detector": f["detector"]}


def _first_choice(body: Mapping[str, Any]) -> Mapping[str, Any]:
    choices = body.get("choices") or [{}]
    return min(choices, key=lambda c: int(c.get("index", 0)))


def ok_response(
    request: DispatchRequest,
    body: Mapping[str, Any],
    findings: Sequence[Mapping[str, Any]],
    completion: Completion,
    destination: str,
) -> dict[str, Any]:
    """The answer for the requester: v2 carries the whole guarded completion, v1 its text.

    ``answer``/``finish_reason``/``usage`` repeat the first choice's for consumers of
    the v1 fields.
    """
    first = _first_choice(body)
    content = (first.get("message") or {}).get("content")
    out: dict[str, Any] = {
        "schema_version": request.version,
        **request.identity,
        "status": "ok",
    }
    if request.version == "v2":
        out["response"] = dict(body)
    out |= {
        "answer": content if isinstance(content, str) else None,
        "finish_reason": first.get("finish_reason"),
        "usage": completion.usage() if request.version == "v2" else _v1_usage(completion),
        "latency_seconds": round(max(0.0, completion.latency_seconds), 6),
        "destination": destination,
        "model": completion.model or request.model,
        "findings": [dict(f) if request.version == "v2" else _v1_finding(f) for f in findings],
        "responded_at": now_iso(),
    }
    if request.version == "v2":
        out["streamed"] = request.stream
    return out


def _v1_usage(completion: Completion) -> dict[str, int]:
    return {k: v for k, v in completion.usage().items()
            if k in ("prompt_tokens", "completion_tokens", "total_tokens") and isinstance(v, int)}


def failed_response(
    request: DispatchRequest,
    reason: str,
    error: str,
    destination: str,
    retry_after: float | None = None,
) -> dict[str, Any]:
    """Why there is no answer; v2 adds the upstream's last HTTP status and Retry-After.

    The gateway answers its caller with that status (and header), as the
    provider would have: a 429 stays a 429 the client's SDK knows how to wait on.
    """
    out: dict[str, Any] = {
        "schema_version": request.version,
        **request.identity,
        "status": "failed",
    }
    if request.version == "v2":
        out["response"] = None
        out["error"] = upstream_error(reason, error, retry_after)
    out |= {
        "answer": None,
        "reason": reason,
        "destination": destination,
        "model": request.model,
        "responded_at": now_iso(),
    }
    return out


def upstream_error(reason: str, error: str, retry_after: float | None) -> dict[str, Any]:
    """The v2 ``error`` object: code, message, and ``status``/``retry_after`` when known."""
    out: dict[str, Any] = {"code": reason, "message": error}
    match = _HTTP_STATUS.match(reason)
    if match is not None:
        out["status"] = int(match[1])
    if retry_after is not None:
        out["retry_after"] = round(max(0.0, retry_after), 3)
    return out


def dead_letter(
    raw: bytes,
    request: DispatchRequest | None,
    reason: str,
    error: str,
    source: Source,
    keyring: KeyRing | None,
) -> dict[str, Any]:
    """Build a DLQ entry; ``error`` must already be free of content (our messages are codes)."""
    prompt_id = request.id if request else None
    tenant = request.tenant if request else None
    origin = (source.topic, source.partition, source.offset)
    # Same binding as the classify stage's DLQ: the envelope opens only for its origin.
    payload = (
        keyring.encrypt(raw, "/".join(map(str, origin)).encode()) if keyring is not None else None
    )
    return shared.DeadLetter(
        reason, error, "dispatch", origin, len(raw), payload, prompt_id, tenant
    ).to_dict()


def failure_records(
    topics: Any,
    raw: bytes,
    request: DispatchRequest | None,
    reason: str,
    error: str,
    destination: str,
    source: Source,
    keyring: KeyRing | None,
    retry_after: float | None = None,
) -> list[Record]:
    """DLQ entry, plus a failed response and its audit event when we know whom to answer."""
    key = request.id if request is not None else None
    out = [Record(topics.dlq, key, dead_letter(raw, request, reason, error, source, keyring))]
    if request is not None:
        failed = failed_response(request, reason, error, destination, retry_after)
        out += answer_records(topics, request, failed)
    return out


def answer_records(
    topics: Any,
    request: DispatchRequest,
    response: dict[str, Any],
    findings: Sequence[Mapping[str, Any]] = (),
    withheld: Sequence[Mapping[str, str]] = (),
) -> list[Record]:
    """The response for the requester, keyed like its prompt, and the audit event of the call.

    The audit record is v2 whatever the request's version, like classify's: findings
    located by path (``findings`` are the guard's, v2), and ``detail.withheld`` lists
    what was removed from the answer rather than redacted (logprobs), by path.
    """
    detail: dict[str, Any] = {"status": response["status"],
                              "destination": response.get("destination")}
    if response.get("reason"):
        detail["reason"] = response["reason"]
    if withheld:
        detail["withheld"] = [dict(w) for w in withheld]
    audit = shared.AuditEvent(
        "dispatched", "dispatch-worker", request.id, request.tenant, request.user,
        route="responses", findings=tuple(Finding.from_dict(f) for f in findings),
        detail=detail,
    )
    return [
        Record(topics.responses, request.key, response),
        Record(topics.audit, request.key, audit.to_dict()),
    ]
