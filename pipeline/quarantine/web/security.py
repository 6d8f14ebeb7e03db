"""Middlewares: security headers, generic error pages, authentication, Origin + CSRF checks.

Order (outermost first): headers → errors → auth. Error pages never echo input
or exception text other than a ``ReviewError`` message (ids and field names
only). Every state-changing request with an ambient credential must carry the
CSRF token and an Origin (or Referer) of this console; a bearer request is
exempt from the token but still refused if it names a foreign Origin.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

from pipeline.config.review import ReviewSettings
from pipeline.quarantine.errors import ReviewError
from pipeline.quarantine.web.auth import PRINCIPAL, Authenticator, Principal
from pipeline.quarantine.web.render import render

__all__ = ["CSP", "PUBLIC_PATHS", "middlewares", "principal"]

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'")
PUBLIC_PATHS = ("/login", "/healthz")
_SAFE = ("GET", "HEAD", "OPTIONS")


def principal(request: web.Request) -> Principal:
    return request[PRINCIPAL]


def _is_api(request: web.Request) -> bool:
    return request.path.startswith("/api/")


def expected_origin(request: web.Request, review: ReviewSettings) -> str:
    return (review.public_origin or f"{request.scheme}://{request.host}").rstrip("/")


def origin_ok(request: web.Request, review: ReviewSettings, *, required: bool) -> bool:
    origin = request.headers.get("Origin")
    if origin is None and (referer := request.headers.get("Referer")):
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    if origin is None or origin == "null":
        return not required
    return origin.rstrip("/") == expected_origin(request, review)


def _error(request: web.Request, status: int, message: str) -> web.Response:
    if _is_api(request):
        return web.json_response({"error": message, "status": status}, status=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def middlewares(auth: Authenticator, review: ReviewSettings) -> list[Middleware]:
    @web.middleware
    async def headers(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h["X-Content-Type-Options"] = "nosniff"
        h["X-Frame-Options"] = "DENY"
        h["Referrer-Policy"] = "same-origin"  # "no-referrer" makes Chromium send Origin: null
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        if not request.path.startswith("/static/"):
            h["Cache-Control"] = "no-store"
            h["Pragma"] = "no-cache"
        return response

    @web.middleware
    async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except ReviewError as exc:
            return _error(request, exc.status, str(exc))
        except web.HTTPRedirection:
            raise
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            response = _error(request, exc.status, exc.reason)
            if "WWW-Authenticate" in exc.headers:
                response.headers["WWW-Authenticate"] = exc.headers["WWW-Authenticate"]
            return response
        except Exception as exc:
            log.error("console error on %s %s: %s", request.method, request.path,
                      type(exc).__name__)
            return _error(request, 500, "Internal error")

    @web.middleware
    async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        public = path in PUBLIC_PATHS or path.startswith("/static/") or (
            path == "/metrics" and review.metrics_public)
        if public:
            if request.method not in _SAFE and not origin_ok(request, review, required=True):
                raise web.HTTPForbidden(reason="Cross-origin request refused")
            return await handler(request)
        who = auth.authenticate(request)
        if who is None:
            if _is_api(request) or request.method not in _SAFE:
                raise web.HTTPUnauthorized(
                    reason="Authentication required", headers={"WWW-Authenticate": "Bearer"})
            raise web.HTTPSeeOther("/login")
        request[PRINCIPAL] = who
        if request.method not in _SAFE:
            await _check_csrf(request, who, review)
        return await handler(request)

    return [headers, errors, authenticate]


async def _check_csrf(request: web.Request, who: Principal, review: ReviewSettings) -> None:
    if not origin_ok(request, review, required=who.csrf is not None):
        raise web.HTTPForbidden(reason="Cross-origin request refused")
    if who.csrf is None:
        return
    sent = request.headers.get("X-CSRF-Token")
    if sent is None and request.content_type in (
        "application/x-www-form-urlencoded", "multipart/form-data"
    ):
        sent = str((await request.post()).get("csrf_token", ""))
    if not sent or not hmac.compare_digest(sent.encode(), who.csrf.encode()):
        raise web.HTTPForbidden(reason="Missing or invalid CSRF token")
