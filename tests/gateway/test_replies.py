"""Routing reply-topic records to waiters by id and tenant (pipeline/gateway/replies.py)."""

from __future__ import annotations

import orjson

from pipeline.config import Settings
from pipeline.gateway.replies import ReplyRouter


def router(cache: int = 2) -> ReplyRouter:
    return ReplyRouter(Settings(), None, cache)


def send(r: ReplyRouter, kind: str, **record: object) -> None:
    r.deliver(kind, orjson.dumps(record))  # type: ignore[arg-type]


async def test_only_the_waiter_with_that_id_and_tenant_gets_it() -> None:
    r = router()
    with r.wait_for("gw-1", "acme") as mine, r.wait_for("gw-2", "acme") as other:
        send(r, "response", id="gw-1", tenant="globex", status="ok", answer="theirs")
        send(r, "response", id="gw-1", tenant="acme", status="ok", answer="mine")
        assert mine.queue.get_nowait().record["answer"] == "mine"
        assert mine.queue.empty() and other.queue.empty()
    assert r.pending == 0


async def test_dispatch_stage_dlq_is_left_to_its_failed_response() -> None:
    r = router()
    with r.wait_for("gw-1", "acme") as waiter:
        send(r, "dlq", id="gw-1", tenant="acme", stage="dispatch", reason="http_400")
        assert waiter.queue.empty()
        send(r, "dlq", id="gw-1", tenant="acme", stage="classify", reason="schema_violation",
             payload={"ciphertext": "c2VjcmV0"})
        reply = waiter.queue.get_nowait()
    assert reply.record == {"id": "gw-1", "tenant": "acme", "reason": "schema_violation",
                            "stage": "classify"}


async def test_quarantine_records_are_kept_without_the_original() -> None:
    r = router()
    send(r, "quarantine", id="gw-1", tenant="acme", original={"ciphertext": "x"},
         findings=[{"entity_type": "GITHUB_TOKEN", "start": 3, "end": 40}])
    cached = r.cached("gw-1", "acme")
    assert cached is not None
    assert cached.record == {"id": "gw-1", "tenant": "acme",
                             "findings": [{"entity_type": "GITHUB_TOKEN"}]}
    assert r.cached("gw-1", "globex") is None


async def test_replay_cache_is_bounded_and_keeps_the_latest() -> None:
    r = router(cache=2)
    for n in range(3):
        send(r, "response", id=f"gw-{n}", tenant="t", status="ok", answer=str(n))
    send(r, "response", id="gw-2", tenant="t", status="ok", answer="again")
    assert r.cached("gw-0", "t") is None
    first, latest = r.cached("gw-1", "t"), r.cached("gw-2", "t")
    assert first is not None and latest is not None and latest.record["answer"] == "again"


async def test_garbage_is_ignored() -> None:
    r = router()
    with r.wait_for("gw-1", "t") as waiter:
        r.deliver("response", b"not json")
        r.deliver("response", b"[1, 2]")
        r.deliver("response", orjson.dumps({"id": 7}))
        assert waiter.queue.empty()
