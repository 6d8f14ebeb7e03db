"""Rescan releases what the current policy passes and leaves the rest pending."""

from __future__ import annotations

from pipeline.events import Message
from pipeline.quarantine.model import ReviewState
from pipeline.quarantine.reevaluate import Verdict
from pipeline.quarantine.rescan import rescan


class FakeJudge:
    """Passes the email prompts (allow), still blocks the secret one."""

    async def __call__(self, item, messages):  # type: ignore[no-untyped-def]
        if item.id == "p-secret":
            return Verdict(True, {})
        decision = {"action": "allow", "rule_ids": ["clean"], "reasons": ["no sensitive data"],
                    "classification": "internal"}
        return Verdict(False, decision, [], tuple(Message(m.role, m.content) for m in messages))


async def test_rescan_releases_passing_items_with_audit(seeded, validate):
    """Each release is audited with actor rescan and sent to prompts.approved."""
    svc, sink = seeded
    report = await rescan(svc, FakeJudge())
    assert sorted(report.released) == ["p-email", "p-old"]
    assert report.still_blocked == ["p-secret"]
    assert svc.store.get("p-email").state is ReviewState.RELEASED
    approved = [r.value for r in sink.records if r.topic == "prompts.approved"]
    for value in approved:
        validate("approved.json", value)
        assert value["released_by"] == "rescan"
    audits = [r.value for r in sink.records if r.topic == "dlp.audit"]
    assert {(a["event"], a["actor"]) for a in audits} == {("released", "rescan")}


async def test_dry_run_changes_nothing(seeded):
    """--dry-run reports without writing."""
    svc, sink = seeded
    report = await rescan(svc, FakeJudge(), dry_run=True)
    assert len(report.released) == 2 and sink.records == []
