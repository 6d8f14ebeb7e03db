"""The HTML pages: queue, detail (masked), reveal, the action forms, login, admin pages.

Every action is a POST form carrying the CSRF token, answered by a redirect
(303) to a page addressed by prompt id only, so nothing sensitive ends up in a
URL or in the browser history.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from pipeline.config.review import ReviewSettings, Role
from pipeline.quarantine.allowlist import suggestions
from pipeline.quarantine.model import ReviewState
from pipeline.quarantine.retention import purge_targets
from pipeline.quarantine.web.api import SERVICE
from pipeline.quarantine.web.auth import SESSION_COOKIE, Authenticator
from pipeline.quarantine.web.forms import (
    AGE_CHOICES,
    body_of,
    field,
    float_field,
    int_field,
    query_from,
)
from pipeline.quarantine.web.render import render
from pipeline.quarantine.web.security import principal

__all__ = ["AUTH", "REVIEW", "routes"]

AUTH: web.AppKey[Authenticator] = web.AppKey("authenticator", Authenticator)
REVIEW: web.AppKey[ReviewSettings] = web.AppKey("review_settings", ReviewSettings)
routes = web.RouteTableDef()


def _back(prompt_id: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/items/{prompt_id}")


@routes.get("/login")
async def login_form(request: web.Request) -> web.Response:
    return render(request, "login.html", {"failed": False})


@routes.post("/login")
async def login(request: web.Request) -> web.Response:
    form = await request.post()
    ident = request.app[AUTH].check_token(str(form.get("token", "")))
    if ident is None:
        return render(request, "login.html", {"failed": True}, status=401)
    sid = request.app[AUTH].sessions.create(*ident)
    review = request.app[REVIEW]
    response = web.HTTPSeeOther("/")
    response.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="Strict", path="/",
                        secure=review.cookie_secure, max_age=review.session_seconds)
    raise response


@routes.post("/logout")
async def logout(request: web.Request) -> web.Response:
    who = principal(request)
    if who.session_id is not None:
        request.app[AUTH].sessions.drop(who.session_id)
    response = web.HTTPSeeOther("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


@routes.get("/")
async def queue(request: web.Request) -> web.Response:
    store = request.app[SERVICE].store
    everything = store.query()
    items = store.query(query_from(request.query))
    return render(request, "queue.html", {
        "items": items, "now": store.clock(), "filters": dict(request.query),
        "tenants": sorted({i.tenant for i in everything}),
        "reasons": sorted({r for i in everything for r in i.reasons}),
        "states": [str(s) for s in ReviewState], "ages": AGE_CHOICES,
    })


@routes.get("/items/{id}")
async def detail(request: web.Request) -> web.Response:
    svc = request.app[SERVICE]
    item = svc.item(request.match_info["id"])
    masked = await svc.masked(principal(request).reviewer(), item.id)
    return render(request, "item.html", {"item": item, "masked": masked,
                                         "now": svc.store.clock()})


@routes.post("/items/{id}/reveal")
async def reveal(request: web.Request) -> web.Response:
    svc = request.app[SERVICE]
    item = svc.item(request.match_info["id"])
    messages = await svc.reveal(principal(request).reviewer(), item.id)
    return render(request, "revealed.html", {"item": item, "messages": messages})


@routes.post("/items/{id}/release")
async def release(request: web.Request) -> web.Response:
    body: dict[str, Any] = await body_of(request)
    prompt_id = request.match_info["id"]
    await request.app[SERVICE].release(principal(request).reviewer(), prompt_id,
                                       field(body, "mode") or "redacted",
                                       field(body, "justification"))
    raise _back(prompt_id)


@routes.post("/items/{id}/reject")
async def reject(request: web.Request) -> web.Response:
    body = await body_of(request)
    prompt_id = request.match_info["id"]
    await request.app[SERVICE].reject(principal(request).reviewer(), prompt_id,
                                      field(body, "reason"))
    raise _back(prompt_id)


@routes.post("/items/{id}/false-positive")
async def false_positive(request: web.Request) -> web.Response:
    body = await body_of(request)
    prompt_id = request.match_info["id"]
    await request.app[SERVICE].mark_false_positive(principal(request).reviewer(), prompt_id,
                                                   int_field(body, "finding"))
    raise _back(prompt_id)


@routes.get("/admin/allow-list")
async def allow_list(request: web.Request) -> web.Response:
    found = await suggestions(request.app[SERVICE], principal(request).reviewer())
    return render(request, "allowlist.html", {"suggestions": found})


@routes.post("/admin/purge")
async def purge(request: web.Request) -> web.Response:
    body = await body_of(request)
    svc = request.app[SERVICE]
    svc.require(principal(request).reviewer(), Role.ADMIN)
    ids = [field(body, "id") or ""] if field(body, "id") else []
    targets = purge_targets(svc, ids, float_field(body, "older_than_days"))
    await svc.purge(principal(request).reviewer(), targets)
    raise web.HTTPSeeOther("/")

