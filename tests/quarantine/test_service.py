"""The review actions: what each writes, who may do it, and what is refused."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from pipeline.config.review import Role
from pipeline.quarantine.errors import BadRequest, Conflict, Forbidden, NotFound
from pipeline.quarantine.model import ReviewState
from pipeline.quarantine.service import Reviewer
from pipeline.quarantine.testing import memory_service

from .conftest import AWS_SECRET, EMAIL

ADMIN = Reviewer("root", Role.ADMIN)
REVIEWER = Reviewer("rita", Role.REVIEWER)
VIEWER = Reviewer("vic", Role.VIEWER)


def topics(sink, name):  # type: ignore[no-untyped-def]
    return [r for r in sink.records if r.topic == name]


async def test_release_redacted_sends_approved_state_and_audit(seeded, validate):
    """A redacted release replaces flagged spans, names the reviewer and is audited."""
    svc, sink = seeded
    item = await svc.release(REVIEWER, "p-secret", "redacted")
    assert item.state is ReviewState.RELEASED and item.version == 1
    [approved] = topics(sink, "prompts.approved")
    validate("approved.json", approved.value)
    assert approved.key == "conv-1"
    assert approved.value["released_by"] == "rita"
    assert AWS_SECRET not in approved.value["messages"][1]["content"]
    # The policy's operator for it (the default policy's placeholder), as classify would send.
    assert "<AWS_SECRET_ACCESS_KEY_1>" in approved.value["messages"][1]["content"]
    [audit] = topics(sink, "dlp.audit")
    validate("audit.json", audit.value)
    assert (audit.value["event"], audit.value["actor"], audit.value["id"]) == (
        "released", "rita", "p-secret")
    [state] = topics(sink, "dlp.quarantine.state")
    assert state.key == "p-secret" and state.value["state"] == "released"
    assert svc.store.get("p-secret").state is ReviewState.RELEASED


async def test_release_original_requires_justification(seeded):
    """Sending the original unredacted needs a written justification."""
    svc, sink = seeded
    with pytest.raises(BadRequest):
        await svc.release(REVIEWER, "p-secret", "original", "  ")
    assert sink.records == []
    await svc.release(REVIEWER, "p-secret", "original", "test key, not live")
    [approved] = topics(sink, "prompts.approved")
    assert AWS_SECRET in approved.value["messages"][1]["content"]
    assert svc.store.get("p-secret").history[-1].justification == "test key, not live"


async def test_reject_sends_rejection_to_requester(seeded, validate):
    """The requester receives status rejected with the reviewer's reason."""
    svc, sink = seeded
    await svc.reject(REVIEWER, "p-email", "customer data may not leave")
    [response] = topics(sink, "prompts.responses")
    validate("response.json", response.value)
    assert response.value["status"] == "rejected"
    assert response.value["reason"] == "customer data may not leave"
    with pytest.raises(BadRequest):
        await svc.reject(REVIEWER, "p-secret", "")


async def test_only_pending_items_can_be_decided(seeded):
    """A released item cannot be rejected or released again."""
    svc, _ = seeded
    await svc.release(REVIEWER, "p-secret")
    with pytest.raises(Conflict):
        await svc.reject(REVIEWER, "p-secret", "too late")
    with pytest.raises(Conflict):
        await svc.release(REVIEWER, "p-secret")


async def test_reveal_is_audited_and_returns_original(seeded, validate):
    """Reveal returns the decrypted prompt only after writing the audit event."""
    svc, sink = seeded
    messages = await svc.reveal(REVIEWER, "p-secret")
    assert AWS_SECRET in messages[1].content
    [audit] = sink.records
    validate("audit.json", audit.value)
    assert audit.value["event"] == "revealed"
    assert AWS_SECRET not in str(audit.value)


async def test_reveal_fails_closed_when_audit_cannot_be_written(seeded):
    """If the audit event is not acknowledged, nothing is revealed."""
    svc, sink = seeded
    sink.fail = RuntimeError("broker down")
    with pytest.raises(RuntimeError):
        await svc.reveal(REVIEWER, "p-secret")


async def test_failed_write_leaves_state_unchanged(seeded):
    """A release whose records are not acknowledged does not change the local state."""
    svc, sink = seeded
    sink.fail = RuntimeError("broker down")
    with pytest.raises(RuntimeError):
        await svc.release(REVIEWER, "p-secret")
    assert svc.store.get("p-secret").state is ReviewState.PENDING


async def test_masked_view_hides_values_and_is_audited(seeded):
    """The masked view labels spans instead of showing them, and records a view."""
    svc, sink = seeded
    masked = await svc.masked(VIEWER, "p-secret")
    text = "".join(s.text for s in masked[1].segments)
    assert AWS_SECRET not in text and "▮▮▮" in text
    assert masked[1].segments[1].labels == ("AWS_SECRET_ACCESS_KEY",)
    assert [r.value["event"] for r in sink.records] == ["viewed"]


@pytest.mark.parametrize(("who", "allowed"), [(VIEWER, False), (REVIEWER, True), (ADMIN, True)])
async def test_reviewer_actions_need_reviewer_role(seeded, who, allowed):
    """Viewers can look at masked items but not reveal, release, reject or mark."""
    svc, _ = seeded
    actions = [
        lambda: svc.reveal(who, "p-secret"),
        lambda: svc.mark_false_positive(who, "p-email", 0),
        lambda: svc.release(who, "p-secret"),
        lambda: svc.reject(who, "p-email", "no"),
    ]
    for act in actions:
        if allowed:
            await act()
        else:
            with pytest.raises(Forbidden):
                await act()


async def test_false_positive_counts_detector_and_entity_without_value(keyring, clock):
    """Marking a false positive increments the metric and audits no value."""
    registry = CollectorRegistry()
    svc, sink, _ = memory_service(keyring, clock=clock, registry=registry)
    from pipeline.quarantine.testing import finding, quarantine_record

    msgs = [("user", f"mail {EMAIL}")]
    svc.store.apply_quarantined(quarantine_record(
        keyring, "p1", msgs, [finding(msgs, EMAIL, "EMAIL_ADDRESS", category="pii",
                                      detector="EmailRecognizer")]))
    item = await svc.mark_false_positive(REVIEWER, "p1", 0)
    assert item.false_positives == {0} and item.state is ReviewState.PENDING
    labels = {"detector": "EmailRecognizer", "entity_type": "EMAIL_ADDRESS"}
    value = registry.get_sample_value("prompt_dlp_false_positives_total", labels)
    assert value == 1.0
    assert EMAIL not in str([r.value for r in sink.records])
    with pytest.raises(Conflict):
        await svc.mark_false_positive(REVIEWER, "p1", 0)
    with pytest.raises(BadRequest):
        await svc.mark_false_positive(REVIEWER, "p1", 5)


async def test_purge_is_admin_only_and_tombstones(seeded, validate):
    """Purge writes a null state record, tells a pending requester, and forgets the item."""
    svc, sink = seeded
    with pytest.raises(Forbidden):
        await svc.purge(REVIEWER, ["p-email"])
    await svc.purge(ADMIN, ["p-email"])
    [state] = topics(sink, "dlp.quarantine.state")
    assert state.key == "p-email" and state.value is None
    [response] = topics(sink, "prompts.responses")
    validate("response.json", response.value)
    assert topics(sink, "dlp.audit")[0].value["event"] == "erased"
    with pytest.raises(NotFound):
        svc.item("p-email")


async def test_expire_destroys_original_and_marks_expired(seeded):
    """Expiry drops the envelope; a pending item becomes expired and its requester is told."""
    svc, sink = seeded
    item = await svc.expire("p-old")
    assert item.state is ReviewState.EXPIRED and item.original is None
    [state] = topics(sink, "dlp.quarantine.state")
    assert state.value["original"] is None
    assert topics(sink, "prompts.responses")[0].value["status"] == "rejected"
    assert await svc.masked(VIEWER, "p-old") is None
    with pytest.raises(Conflict):
        await svc.reveal(REVIEWER, "p-old")


async def test_gauges_follow_the_store(seeded, clock):
    """Pending count and oldest age are computed from the store at scrape time."""
    svc, _ = seeded
    assert svc.metrics is not None
    reg = svc.metrics.registry
    assert reg.get_sample_value("prompt_dlp_quarantine_pending") == 3
    assert reg.get_sample_value("prompt_dlp_quarantine_oldest_age_seconds") == 40 * 86400
    await svc.expire("p-old")
    assert reg.get_sample_value("prompt_dlp_quarantine_pending") == 2
    assert reg.get_sample_value("prompt_dlp_quarantine_oldest_age_seconds") == 3 * 86400
