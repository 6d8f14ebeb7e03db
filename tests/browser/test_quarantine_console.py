"""End to end in headless Chromium: sign in, filter, reveal, release one, reject another.

Runs the console over the Kafka-backed store on the real local broker and
checks the outcome on the topics. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from pipeline.config import Settings, TopicNames
from pipeline.config.review import ReviewSettings
from pipeline.crypto import KeyRing
from pipeline.metrics import Metrics
from pipeline.quarantine.kafka_store import KafkaQuarantineStore
from pipeline.quarantine.service import ReviewService
from pipeline.quarantine.testing import finding, quarantine_record, read_topic, seed_quarantine
from pipeline.quarantine.web import create_app
from tests.conftest import TEST_KAFKA_PORT

pytestmark = [pytest.mark.browser, pytest.mark.integration]

PORT = TEST_KAFKA_PORT
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "quarantine-console"
TOKEN = "rita-token-4f1c9b2e7d"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
EMAIL = "jane.doe@example.com"


@pytest.fixture(scope="module")
def broker(kafka_broker: object) -> object:
    """The session's real broker (tests/conftest.py); topics are unique per test."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    return kafka_broker


@pytest.fixture
def settings(broker: object) -> Settings:
    run = uuid.uuid4().hex[:8]
    topics = TopicNames(**{f: f"{getattr(TopicNames(), f)}.{run}" for f in TopicNames.model_fields})
    return Settings(broker=f"kafka://127.0.0.1:{PORT}", topics=topics, partitions=2,
                    vault_keys=SecretStr(KeyRing.generate_spec("e2e")))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def console(settings: Settings) -> AsyncIterator[str]:
    """Seed three prompts, start the store and the console; yield the base URL."""
    assert settings.vault_keys is not None
    keys = KeyRing.parse(settings.vault_keys.get_secret_value())
    now = datetime.now(UTC)
    secret_msgs = [("user", f"Deploy fails with aws_secret_access_key={SECRET}, why?")]
    email_msgs = [("user", f"Draft a reply to {EMAIL} about the refund.")]
    await seed_quarantine(settings, [
        quarantine_record(keys, "p-aws", secret_msgs,
                          [finding(secret_msgs, SECRET, "AWS_SECRET_ACCESS_KEY")],
                          tenant="acme", quarantined_at=now - timedelta(hours=3)),
        quarantine_record(keys, "p-mail", email_msgs,
                          [finding(email_msgs, EMAIL, "EMAIL_ADDRESS", category="pii")],
                          tenant="acme", reasons=("pii to external model → block",),
                          quarantined_at=now - timedelta(hours=2)),
        quarantine_record(keys, "p-other", email_msgs,
                          [finding(email_msgs, EMAIL, "EMAIL_ADDRESS", category="pii")],
                          tenant="globex", quarantined_at=now - timedelta(hours=1)),
    ])
    store = KafkaQuarantineStore(settings)
    await store.start()
    registry = CollectorRegistry()
    metrics = Metrics(registry)
    store.bind_metrics(metrics)
    review = ReviewSettings(tokens=SecretStr(f"rita:reviewer:{TOKEN}"))
    app = create_app(ReviewService(store, keys, metrics), review, registry)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
        await store.stop()


async def test_review_flow_in_chromium(console: str, settings: Settings) -> None:
    """A reviewer signs in, filters, reveals, releases p-aws and rejects p-mail."""
    from playwright.async_api import async_playwright, expect

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = await browser.new_page()
            page.on("dialog", lambda d: d.accept())
            await page.goto(f"{console}/")
            await expect(page).to_have_url(f"{console}/login")
            await page.fill("#token", TOKEN)
            await page.click("button[type=submit]")
            await expect(page.get_by_test_id("who")).to_contain_text("rita")
            await expect(page.locator("table.queue tbody tr")).to_have_count(3)

            await page.select_option("select[name=tenant]", "acme")  # auto-submits
            await expect(page.locator("table.queue tbody tr")).to_have_count(2)
            await expect(page.locator("tr[data-id=p-other]")).to_have_count(0)
            await page.screenshot(path=str(ARTIFACTS / "1-queue-filtered.png"), full_page=True)

            await page.click("a[href='/items/p-aws']")
            masked = page.get_by_test_id("masked-message")
            await expect(masked).to_contain_text("▮▮▮ [AWS_SECRET_ACCESS_KEY]")
            assert SECRET not in await page.content()
            await page.screenshot(path=str(ARTIFACTS / "2-detail-masked.png"), full_page=True)

            await page.get_by_test_id("reveal").click()
            await expect(page.get_by_test_id("revealed-message")).to_contain_text(SECRET)
            await page.screenshot(path=str(ARTIFACTS / "3-revealed.png"), full_page=True)
            await page.get_by_test_id("back").click()

            await page.get_by_test_id("release").click()
            await expect(page.get_by_test_id("state").first).to_have_text("released")
            await page.screenshot(path=str(ARTIFACTS / "4-released.png"), full_page=True)

            await page.goto(f"{console}/items/p-mail")
            await page.fill("#reason", "Customer addresses may not go to this model.")
            await page.get_by_test_id("reject").click()
            await expect(page.get_by_test_id("state").first).to_have_text("rejected")
            await page.screenshot(path=str(ARTIFACTS / "5-rejected.png"), full_page=True)
        finally:
            await browser.close()

    approved = [v for _, v in await read_topic(settings, settings.topics.approved)]
    assert [(v["id"], v["released_by"]) for v in approved if v] == [("p-aws", "rita")]
    assert SECRET not in str(approved)
    responses = [v for _, v in await read_topic(settings, settings.topics.responses)]
    assert [(v["id"], v["status"], v["reason"]) for v in responses if v] == [
        ("p-mail", "rejected", "Customer addresses may not go to this model.")]
    audit = [v for _, v in await read_topic(settings, settings.topics.audit) if v]
    events = {(a["event"], a["id"], a["actor"]) for a in audit}
    assert {("revealed", "p-aws", "rita"), ("released", "p-aws", "rita"),
            ("rejected", "p-mail", "rita"), ("viewed", "p-aws", "rita")} <= events
