import pytest

from pipeline.dispatch.dedup import DedupRecord, DedupState, Plan, plan


@pytest.mark.parametrize(
    ("record", "idempotent", "expected"),
    [
        (None, True, Plan.CALL),
        (None, False, Plan.CALL),
        (DedupRecord(DedupState.STARTED, 1.0), True, Plan.RESUME),
        (DedupRecord(DedupState.STARTED, 1.0), False, Plan.OUTCOME_UNKNOWN),
        (DedupRecord(DedupState.DONE, 1.0, "ok"), True, Plan.SKIP),
        (DedupRecord(DedupState.DONE, 1.0, "failed"), False, Plan.SKIP),
    ],
)
def test_plan(record: DedupRecord | None, idempotent: bool, expected: Plan) -> None:
    """First sight calls; a crash mid-call resumes only with idempotency keys; done skips."""
    assert plan(record, idempotent) is expected


def test_record_round_trips_and_rejects_junk() -> None:
    rec = DedupRecord(DedupState.DONE, 12.5, "ok")
    assert DedupRecord.from_json(rec.to_json()) == rec
    assert DedupRecord.from_json({"state": "weird"}) is None
    assert DedupRecord.from_json(None) is None
