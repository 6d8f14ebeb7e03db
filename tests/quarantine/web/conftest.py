"""A console over the seeded in-memory service, and clients for each kind of caller."""

from __future__ import annotations

import re

import pytest
from aiohttp import CookieJar
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from pipeline.config.review import ReviewSettings
from pipeline.quarantine.web import create_app

TOKENS = {"viewer": "tok-viewer-0123456789", "reviewer": "tok-reviewer-0123456789",
          "admin": "tok-admin-0123456789"}
NAMES = {"viewer": "vic", "reviewer": "rita", "admin": "ada"}


def review_settings(**kw: object) -> ReviewSettings:
    tokens = ",".join(f"{NAMES[r]}:{r}:{t}" for r, t in TOKENS.items())
    return ReviewSettings(tokens=SecretStr(tokens), cookie_secure=False, **kw)  # type: ignore[arg-type]


def bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[role]}"}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


@pytest.fixture
async def make_client(seeded):  # type: ignore[no-untyped-def]
    clients: list[TestClient] = []

    async def make(review: ReviewSettings | None = None) -> TestClient:
        svc, _ = seeded
        assert svc.metrics is not None
        app = create_app(svc, review or review_settings(), svc.metrics.registry,
                         sweep_retention=False)
        client = TestClient(TestServer(app), cookie_jar=CookieJar(unsafe=True))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for c in clients:
        await c.close()


@pytest.fixture
async def client(make_client):  # type: ignore[no-untyped-def]
    return await make_client()


def origin(client: TestClient) -> dict[str, str]:
    return {"Origin": str(client.make_url("")).rstrip("/")}


async def login(client: TestClient, role: str) -> str:
    """Sign in through the form; return the CSRF token of the session."""
    resp = await client.post("/login", data={"token": TOKENS[role]}, headers=origin(client),
                             allow_redirects=False)
    assert resp.status == 303, await resp.text()
    page = await client.get("/")
    return csrf_of(await page.text())
