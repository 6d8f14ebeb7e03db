"""The JSON API: the same actions as the pages, for scripts and the tests (``/api/...``)."""

from __future__ import annotations

from aiohttp import web

from pipeline.config.review import Role
from pipeline.quarantine.allowlist import suggestions
from pipeline.quarantine.errors import BadRequest
from pipeline.quarantine.retention import purge_targets
from pipeline.quarantine.service import ReviewService
from pipeline.quarantine.views import item_dict, masked_dicts
from pipeline.quarantine.web.forms import body_of, field, float_field, int_field, query_from
from pipeline.quarantine.web.security import principal

__all__ = ["SERVICE", "routes"]

SERVICE: web.AppKey[ReviewService] = web.AppKey("review_service", ReviewService)
routes = web.RouteTableDef()


def _service(request: web.Request) -> ReviewService:
    return request.app[SERVICE]


@routes.get("/api/items")
async def list_items(request: web.Request) -> web.Response:
    items = _service(request).store.query(query_from(request.query))
    return web.json_response({"items": [item_dict(i) for i in items]})


@routes.get("/api/items/{id}")
async def show_item(request: web.Request) -> web.Response:
    svc, who = _service(request), principal(request).reviewer()
    item = svc.item(request.match_info["id"])
    masked = await svc.masked(who, item.id)
    return web.json_response({**item_dict(item), "masked": masked_dicts(masked)})


@routes.post("/api/items/{id}/reveal")
async def reveal(request: web.Request) -> web.Response:
    messages = await _service(request).reveal(principal(request).reviewer(),
                                               request.match_info["id"])
    return web.json_response({"messages": [{"role": m.role, "content": m.content}
                                            for m in messages]})


@routes.post("/api/items/{id}/release")
async def release(request: web.Request) -> web.Response:
    body = await body_of(request)
    item = await _service(request).release(
        principal(request).reviewer(), request.match_info["id"],
        field(body, "mode") or "redacted", field(body, "justification"))
    return web.json_response(item_dict(item))


@routes.post("/api/items/{id}/reject")
async def reject(request: web.Request) -> web.Response:
    body = await body_of(request)
    item = await _service(request).reject(principal(request).reviewer(),
                                           request.match_info["id"], field(body, "reason"))
    return web.json_response(item_dict(item))


@routes.post("/api/items/{id}/false-positive")
async def false_positive(request: web.Request) -> web.Response:
    body = await body_of(request)
    item = await _service(request).mark_false_positive(
        principal(request).reviewer(), request.match_info["id"], int_field(body, "finding"))
    return web.json_response(item_dict(item))


@routes.post("/api/purge")
async def purge(request: web.Request) -> web.Response:
    body = await body_of(request)
    svc, who = _service(request), principal(request).reviewer()
    svc.require(who, Role.ADMIN)
    ids = [str(i) for i in body.get("ids") or ([body["id"]] if body.get("id") else [])]
    ids = purge_targets(svc, ids, float_field(body, "older_than_days"))
    if not ids:
        raise BadRequest("give id, ids or older_than_days")
    done = await svc.purge(who, ids)
    return web.json_response({"purged": done})


@routes.get("/api/allow-list")
async def allow_list(request: web.Request) -> web.Response:
    found = await suggestions(_service(request), principal(request).reviewer())
    return web.json_response({"suggestions": [
        {"entity_type": s.entity_type, "detector": s.detector, "category": s.category,
         "prompt_ids": s.prompt_ids, "snippet": s.snippet} for s in found]})
