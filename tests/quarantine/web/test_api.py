"""The JSON API: every action for every role, and the refusals (401, 403, 400, 404, 409)."""

from __future__ import annotations

import pytest

from ..conftest import AWS_SECRET
from .conftest import bearer

ROLES = ["viewer", "reviewer", "admin"]
RANK = {r: n for n, r in enumerate(ROLES)}

# (method, path, json body, least role allowed)
ACTIONS = [
    ("GET", "/api/items", None, "viewer"),
    ("GET", "/api/items/p-secret", None, "viewer"),
    ("POST", "/api/items/p-secret/reveal", {}, "reviewer"),
    ("POST", "/api/items/p-secret/release", {"mode": "redacted"}, "reviewer"),
    ("POST", "/api/items/p-email/reject", {"reason": "customer data"}, "reviewer"),
    ("POST", "/api/items/p-email/false-positive", {"finding": 0}, "reviewer"),
    ("POST", "/api/purge", {"id": "p-old"}, "admin"),
    ("GET", "/api/allow-list", None, "admin"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "body", "least"), ACTIONS,
                         ids=[f"{a[0]} {a[1]}" for a in ACTIONS])
async def test_action_by_role(client, seeded, role, method, path, body, least):
    """Each action succeeds for its role and above, and is 403 (nothing written) below it."""
    _, sink = seeded
    resp = await client.request(method, path, json=body, headers=bearer(role))
    if RANK[role] >= RANK[least]:
        assert resp.status == 200, await resp.text()
    else:
        assert resp.status == 403
        assert (await resp.json())["error"].endswith("role required")
        assert [r for r in sink.records if r.value and r.value.get("event") != "viewed"] == []


@pytest.mark.parametrize(("method", "path", "body", "least"), ACTIONS,
                         ids=[f"{a[0]} {a[1]}" for a in ACTIONS])
async def test_every_action_needs_authentication(client, method, path, body, least):
    """No credential, or a wrong token, is a 401 with a Bearer challenge."""
    for headers in ({}, {"Authorization": "Bearer wrong-token"}):
        resp = await client.request(method, path, json=body, headers=headers)
        assert resp.status == 401
        assert resp.headers["WWW-Authenticate"] == "Bearer"


async def test_release_then_state_is_visible(client, seeded):
    """A released item shows its new state and history through the API."""
    resp = await client.post("/api/items/p-secret/release", json={"mode": "redacted"},
                             headers=bearer("reviewer"))
    assert resp.status == 200
    data = await (await client.get("/api/items/p-secret", headers=bearer("viewer"))).json()
    assert data["state"] == "released" and data["history"][0]["actor"] == "rita"
    assert "original" not in data


async def test_show_is_masked_reveal_is_not(client):
    """The item view masks the secret; reveal returns it."""
    shown = await (await client.get("/api/items/p-secret", headers=bearer("viewer"))).text()
    assert AWS_SECRET not in shown and "AWS_SECRET_ACCESS_KEY" in shown
    revealed = await (await client.post("/api/items/p-secret/reveal",
                                         headers=bearer("reviewer"))).text()
    assert AWS_SECRET in revealed


async def test_bad_requests(client):
    """Missing justification or reason is 400; unknown id 404; deciding twice 409."""
    rev = bearer("reviewer")
    r = await client.post("/api/items/p-secret/release", json={"mode": "original"}, headers=rev)
    assert r.status == 400 and "justification" in (await r.json())["error"]
    assert (await client.post("/api/items/p-email/reject", json={}, headers=rev)).status == 400
    assert (await client.post("/api/items/nope/reveal", headers=rev)).status == 404
    assert (await client.post("/api/items/p-secret/release", json={}, headers=rev)).status == 200
    assert (await client.post("/api/items/p-secret/release", json={}, headers=rev)).status == 409
    r = await client.post("/api/items/p-email/false-positive", json={"finding": "x"}, headers=rev)
    assert r.status == 400


async def test_queue_filters(client):
    """Filters by tenant, reason, state and age."""
    v = bearer("viewer")

    async def ids(query: str) -> list[str]:
        data = await (await client.get(f"/api/items?{query}", headers=v)).json()
        return [i["id"] for i in data["items"]]

    assert await ids("tenant=globex") == ["p-email"]
    assert await ids("reason=pii") == ["p-email"]
    assert await ids("age=24") == ["p-old", "p-email"]
    assert await ids("state=released") == []
    assert (await client.get("/api/items?state=bogus", headers=v)).status == 400


async def test_allow_list_suggestion_for_admin(client, seeded):
    """After a false-positive mark, the admin sees a snippet with the value; it is audited."""
    _, sink = seeded
    await client.post("/api/items/p-email/false-positive", json={"finding": 0},
                      headers=bearer("reviewer"))
    data = await (await client.get("/api/allow-list", headers=bearer("admin"))).json()
    [sug] = data["suggestions"]
    assert sug["entity_type"] == "EMAIL_ADDRESS" and "jane.doe@example.com" in sug["snippet"]
    last = sink.records[-1].value
    assert last["event"] == "revealed" and last["detail"]["scope"] == "allow_list_suggestion"


async def test_metrics_endpoint(client):
    """/metrics exposes the quarantine gauges."""
    text = await (await client.get("/metrics")).text()
    assert "prompt_dlp_quarantine_pending 3.0" in text
    assert "prompt_dlp_quarantine_oldest_age_seconds" in text
