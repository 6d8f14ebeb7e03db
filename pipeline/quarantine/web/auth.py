"""Who is asking: bearer tokens, browser sessions, or a trusted SSO proxy's headers.

Tokens are compared in constant time against every configured entry (digests
of equal length, no early exit). A session cookie is only ever minted from a
token at the login form. Proxy headers are believed only when that mode is on
*and* the TCP peer is a configured proxy address; otherwise they are ignored.
Ambient credentials (cookie, proxy headers) carry a CSRF token; a bearer token
does not need one since a browser never attaches it by itself.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from pipeline.config.review import ReviewSettings, Role
from pipeline.quarantine.service import Reviewer

__all__ = ["PRINCIPAL", "SESSION_COOKIE", "Authenticator", "Principal", "Sessions"]

log = logging.getLogger(__name__)

SESSION_COOKIE = "dlp_review_session"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller; ``csrf`` is set when its credential is ambient."""

    name: str
    role: Role
    via: str
    csrf: str | None = None
    session_id: str | None = None

    def reviewer(self) -> Reviewer:
        return Reviewer(self.name, self.role, via=f"console:{self.via}")


PRINCIPAL: web.RequestKey[Principal] = web.RequestKey("principal", Principal)


@dataclass(slots=True)
class _Session:
    name: str
    role: Role
    csrf: str
    expires: float


class Sessions:
    """Server-side sessions in memory: a restart signs everyone out, which is acceptable."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._by_id: dict[str, _Session] = {}

    def create(self, name: str, role: Role) -> str:
        sid = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        self._by_id[sid] = _Session(name, role, csrf, self._clock() + self._ttl)
        return sid

    def get(self, sid: str) -> _Session | None:
        session = self._by_id.get(sid)
        if session is not None and session.expires <= self._clock():
            del self._by_id[sid]
            return None
        return session

    def drop(self, sid: str) -> None:
        self._by_id.pop(sid, None)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class Authenticator:
    """Resolves a request to a ``Principal`` or ``None``."""

    def __init__(self, review: ReviewSettings) -> None:
        self._review = review
        self._tokens = [(_digest(e.token.get_secret_value()), e.name, e.role)
                        for e in review.token_entries()]
        self._proxies = [ipaddress.ip_network(p, strict=False) for p in review.trusted_proxies]
        self._secret = os.urandom(32)
        self.sessions = Sessions(review.session_seconds)

    def check_token(self, token: str) -> tuple[str, Role] | None:
        """Return the identity a token stands for; every entry is compared, in constant time."""
        given, found = _digest(token), None
        for digest, name, role in self._tokens:
            if hmac.compare_digest(given, digest):
                found = (name, role)
        return found

    def authenticate(self, request: web.Request) -> Principal | None:
        auth = request.headers.get("Authorization", "")
        if auth[:7].lower() == "bearer ":
            ident = self.check_token(auth[7:].strip())
            return None if ident is None else Principal(ident[0], ident[1], "token")
        proxied = self._from_proxy(request)
        if proxied is not None:
            return proxied
        sid = request.cookies.get(SESSION_COOKIE)
        session = self.sessions.get(sid) if sid else None
        if session is None or sid is None:
            return None
        return Principal(session.name, session.role, "session", session.csrf, sid)

    def _from_proxy(self, request: web.Request) -> Principal | None:
        review = self._review
        user = request.headers.get(review.user_header)
        if not review.trusted_header or not user:
            return None
        if not self._trusted_peer(request.remote):
            log.warning("ignored %s from an untrusted peer", review.user_header)
            return None
        groups = [g.strip() for g in request.headers.get(review.groups_header, "").split(",")]
        roles = [review.group_roles[g] for g in groups if g in review.group_roles]
        if not roles:
            return None
        role = max(roles, key=lambda r: r.rank)
        csrf = hmac.new(self._secret, b"proxy:" + user.encode(), hashlib.sha256).hexdigest()
        return Principal(user, role, "proxy", csrf)

    def _trusted_peer(self, remote: str | None) -> bool:
        try:
            peer = ipaddress.ip_address(remote or "")
        except ValueError:
            return False
        return any(peer in net for net in self._proxies)
