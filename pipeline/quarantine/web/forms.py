"""Reading request inputs (query filters, form or JSON bodies) into typed values."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import web

from pipeline.quarantine.errors import BadRequest
from pipeline.quarantine.model import ReviewState
from pipeline.quarantine.store import Query

__all__ = ["AGE_CHOICES", "body_of", "field", "float_field", "int_field", "query_from"]

AGE_CHOICES = {"": "any age", "1": "older than 1 hour", "24": "older than 1 day",
               "168": "older than 7 days"}


def query_from(params: Mapping[str, str]) -> Query:
    """Queue filters from the query string; empty values mean no filter."""
    state = params.get("state") or None
    if state is not None and state not in ReviewState.__members__.values():
        raise BadRequest("unknown state")
    since = None
    if params.get("since"):
        try:
            since = datetime.fromisoformat(params["since"].replace("Z", "+00:00"))
        except ValueError as exc:
            raise BadRequest("since must be an ISO date or time") from exc
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
    age = params.get("age") or None
    try:
        older = float(age) * 3600 if age else None
    except ValueError as exc:
        raise BadRequest("age must be a number of hours") from exc
    return Query(
        tenant=params.get("tenant") or None,
        reason=params.get("reason") or None,
        state=ReviewState(state) if state else None,
        since=since,
        older_than_seconds=older,
    )


async def body_of(request: web.Request) -> dict[str, Any]:
    """Read a JSON object or a form as a dict; anything else is a 400."""
    if request.content_type == "application/json":
        try:
            data = orjson.loads(await request.read())
        except orjson.JSONDecodeError as exc:
            raise BadRequest("body is not valid JSON") from exc
        if not isinstance(data, dict):
            raise BadRequest("body must be a JSON object")
        return data
    form = await request.post()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def field(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    return None if value is None else str(value)


def int_field(body: Mapping[str, Any], name: str) -> int:
    try:
        return int(str(body.get(name, "")))
    except ValueError as exc:
        raise BadRequest(f"{name} must be an integer") from exc


def float_field(body: Mapping[str, Any], name: str) -> float | None:
    """Read an optional number; empty means absent."""
    value = body.get(name)
    if value in (None, ""):
        return None
    try:
        return float(str(value))
    except ValueError as exc:
        raise BadRequest(f"{name} must be a number") from exc
