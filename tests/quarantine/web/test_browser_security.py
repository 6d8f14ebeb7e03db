"""Session login, cookies, CSRF and Origin checks, proxy headers, security headers, pages."""

from __future__ import annotations

import pytest

from ..conftest import AWS_SECRET
from .conftest import TOKENS, bearer, csrf_of, login, origin, review_settings


async def test_login_sets_strict_httponly_cookie(make_client):
    """The session cookie is HttpOnly, SameSite=Strict and Secure by default."""
    client = await make_client(review_settings().model_copy(update={"cookie_secure": True}))
    resp = await client.post("/login", data={"token": TOKENS["viewer"]}, headers=origin(client),
                             allow_redirects=False)
    assert resp.status == 303
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie


async def test_login_refuses_bad_token_and_foreign_origin(client):
    """A wrong token is 401 without echo; a login from another origin is 403."""
    resp = await client.post("/login", data={"token": "guess"}, headers=origin(client))
    assert resp.status == 401 and "guess" not in await resp.text()
    resp = await client.post("/login", data={"token": TOKENS["admin"]},
                             headers={"Origin": "https://evil.example"})
    assert resp.status == 403


async def test_pages_redirect_to_login(client):
    """An anonymous page request goes to the login form."""
    resp = await client.get("/", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/login"


async def test_session_post_requires_csrf_token(client, seeded):
    """With a session cookie, a form POST without (or with a wrong) CSRF token is 403."""
    _, sink = seeded
    token = await login(client, "reviewer")
    path = "/items/p-email/reject"
    for data in ({"reason": "x"}, {"reason": "x", "csrf_token": "forged"}):
        resp = await client.post(path, data=data, headers=origin(client))
        assert resp.status == 403
    assert [r.topic for r in sink.records] == []
    resp = await client.post(path, data={"reason": "x", "csrf_token": token},
                             headers=origin(client), allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/items/p-email"


async def test_session_post_requires_same_origin(client):
    """A correct CSRF token from another Origin, or with no Origin/Referer, is refused."""
    token = await login(client, "reviewer")
    data = {"reason": "x", "csrf_token": token}
    resp = await client.post("/items/p-email/reject", data=data,
                             headers={"Origin": "https://evil.example"})
    assert resp.status == 403
    resp = await client.post("/items/p-email/reject", data=data)
    assert resp.status == 403


async def test_bearer_post_with_foreign_origin_is_refused(client):
    """Bearer calls skip the CSRF token but not the Origin check."""
    resp = await client.post("/api/items/p-secret/reveal", headers={
        **bearer("reviewer"), "Origin": "https://evil.example"})
    assert resp.status == 403


async def test_viewer_session_cannot_reveal(client):
    """A viewer's reveal form POST is forbidden even with a valid CSRF token."""
    token = await login(client, "viewer")
    resp = await client.post("/items/p-secret/reveal", data={"csrf_token": token},
                             headers=origin(client))
    assert resp.status == 403 and AWS_SECRET not in await resp.text()


async def test_detail_is_masked_reveal_page_shows_original(client):
    """The detail page masks; the reveal page (no-store) shows the original."""
    token = await login(client, "reviewer")
    page = await client.get("/items/p-secret")
    html = await page.text()
    assert AWS_SECRET not in html and "▮▮▮ [AWS_SECRET_ACCESS_KEY]" in html
    resp = await client.post("/items/p-secret/reveal", data={"csrf_token": token},
                             headers=origin(client))
    assert AWS_SECRET in await resp.text()
    assert resp.headers["Cache-Control"] == "no-store"


async def test_security_headers(client):
    """Pages carry CSP, frame and sniffing protections and no-store."""
    resp = await client.get("/login")
    h = resp.headers
    assert "default-src 'none'" in h["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
    assert h["X-Frame-Options"] == "DENY" and h["X-Content-Type-Options"] == "nosniff"
    assert h["Cache-Control"] == "no-store" and h["Referrer-Policy"] == "same-origin"


async def test_error_page_escapes_and_hides_internals(client):
    """An unknown id renders escaped; nothing from the request is interpreted as HTML."""
    await login(client, "viewer")
    resp = await client.get("/items/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert resp.status == 404
    assert "<script>alert" not in await resp.text()


@pytest.mark.parametrize(("groups", "status"), [
    ("dlp-reviewers", 200), ("dlp-viewers", 403), ("other", 401), ("", 401)])
async def test_trusted_proxy_headers(make_client, groups, status):
    """From a trusted proxy, the user and groups headers authenticate and give the role."""
    client = await make_client(review_settings(trusted_header=True,
                                               trusted_proxies=["127.0.0.1/32"]))
    headers = {"X-Forwarded-User": "sso-sam", "X-Forwarded-Groups": groups}
    page = await client.get("/", headers=headers, allow_redirects=False)
    if status == 401:
        assert page.status == 303
        return
    token = csrf_of(await page.text())
    resp = await client.post("/items/p-secret/reveal", data={"csrf_token": token},
                             headers={**headers, **origin(client)})
    assert resp.status == status


async def test_proxy_headers_from_untrusted_peer_are_ignored(make_client):
    """Headers from a peer that is not a configured proxy do not authenticate."""
    client = await make_client(review_settings(trusted_header=True,
                                               trusted_proxies=["10.9.9.9/32"]))
    resp = await client.get("/api/items", headers={
        "X-Forwarded-User": "mallory", "X-Forwarded-Groups": "dlp-admins"})
    assert resp.status == 401


async def test_proxy_mode_off_ignores_headers(client):
    """Without trusted-header mode the headers mean nothing."""
    resp = await client.get("/api/items", headers={
        "X-Forwarded-User": "mallory", "X-Forwarded-Groups": "dlp-admins"})
    assert resp.status == 401


async def test_admin_purge_form_and_allow_list_page(client, seeded):
    """Admin pages: purge by form tombstones; the allow-list page renders; others get 403."""
    _, sink = seeded
    token = await login(client, "admin")
    resp = await client.post("/admin/purge", data={"older_than_days": "30", "csrf_token": token},
                             headers=origin(client), allow_redirects=False)
    assert resp.status == 303
    assert [r.key for r in sink.on("dlp.quarantine.state")] == ["p-old"]
    assert (await client.get("/admin/allow-list")).status == 200


async def test_reviewer_cannot_purge_or_see_suggestions(client):
    """Reviewer sessions get 403 on admin pages."""
    token = await login(client, "reviewer")
    resp = await client.post("/admin/purge", data={"id": "p-old", "csrf_token": token},
                             headers=origin(client))
    assert resp.status == 403
    assert (await client.get("/admin/allow-list")).status == 403


async def test_logout_ends_the_session(client):
    """After sign-out the cookie no longer works."""
    token = await login(client, "viewer")
    resp = await client.post("/logout", data={"csrf_token": token}, headers=origin(client),
                             allow_redirects=False)
    assert resp.status == 303
    assert (await client.get("/", allow_redirects=False)).status == 303
