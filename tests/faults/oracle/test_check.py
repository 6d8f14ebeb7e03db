"""The oracle's judge on synthetic ledgers: it passes a clean run and reports every kind of hole.

Without these the fault suite could pass for a reason of its own (e.g. reading nothing); each
case here plants one defect — the issue #16 commit jump among them — and expects exactly it.
"""

from __future__ import annotations

from tests.faults.oracle.check import Observation, Rec, Sample, judge

IN, AP, RS = "in", "ap", "rs"


def clean(n: int = 6) -> Observation:
    """n prompts on one partition, each approved, answered and billed once; commits 3 then n."""
    ids = [f"p{i}" for i in range(n)]
    return Observation(
        expected=set(ids),
        inputs=[Rec(IN, 0, i, ident, "input") for i, ident in enumerate(ids)],
        approved=[Rec(AP, 0, i, ident, "approved") for i, ident in enumerate(ids)],
        outcomes=[Rec(AP, 0, i, ident, "approved") for i, ident in enumerate(ids)],
        responses=[
            Rec(RS, 0, i, ident, "response", ("ok", f"a{i}")) for i, ident in enumerate(ids)
        ],
        dispatch_dlq=[],
        samples=[
            Sample(1.0, {(IN, 0): 3, (AP, 0): 2}, {(AP, 0): 3, (RS, 0): 2}),
            Sample(2.0, {(IN, 0): n, (AP, 0): n}, {(AP, 0): n, (RS, 0): n}),
        ],
        calls=dict.fromkeys(ids, 1),
    )


def drop(obs: Observation, ident: str) -> Observation:
    """``ident`` was never processed: no outcome, no approved record, no response, no call."""
    obs.outcomes = [r for r in obs.outcomes if r.ident != ident]
    obs.approved = [r for r in obs.approved if r.ident != ident]
    obs.responses = [r for r in obs.responses if r.ident != ident]
    obs.calls = {k: v for k, v in obs.calls.items() if k != ident}
    return obs


def test_clean_run_passes() -> None:
    verdict = judge(clean())
    assert verdict.ok, verdict.details()
    assert verdict.counts["ids"] == 6 and verdict.counts["billed"] == 6


def test_commit_jump_over_a_lost_prompt_is_reported() -> None:
    """Issue #16's shape: offsets 3-4 never processed, the commit jumps 3 -> 6 over them."""
    obs = drop(drop(clean(), "p3"), "p4")
    verdict = judge(obs)
    assert not verdict.ok
    assert verdict.lost == ["p3@in[0]:3", "p4@in[0]:4"]
    (violation,) = [v for v in verdict.commits if v.topic == IN]
    assert (violation.previous, violation.committed) == (3, 6)
    assert violation.unprocessed == (3, 4) and violation.lost == (3, 4)
    assert "3->6 passed 3-4" in str(violation)


def test_commit_before_the_output_is_on_the_bus_is_reported() -> None:
    """The outcome arrives later, but the commit came first: at-least-once was broken."""
    obs = clean()
    obs.samples[0] = Sample(1.0, {(IN, 0): 3}, {(AP, 0): 2, (RS, 0): 0})  # p2's output at 2
    verdict = judge(obs)
    assert verdict.lost == []
    (violation,) = verdict.commits
    assert violation.unprocessed == (2,) and violation.lost == ()


def test_dispatch_commit_past_an_unanswered_prompt_is_reported() -> None:
    obs = clean()
    obs.responses = [r for r in obs.responses if r.ident != "p1"]
    obs.calls.pop("p1")
    verdict = judge(obs)
    assert verdict.unanswered == ["p1"]
    assert [(v.topic, v.unprocessed) for v in verdict.commits] == [(AP, (1,))]


def test_a_dispatch_dead_letter_counts_as_processed() -> None:
    obs = clean()
    obs.responses = [r for r in obs.responses if r.ident != "p1"]
    obs.calls.pop("p1")
    obs.dispatch_dlq = [Rec("dlq", 0, 0, None, "dispatch-dlq", source=(AP, 0, 1))]
    obs.samples = [Sample(s.at, s.committed, {**s.ends, ("dlq", 0): 1}) for s in obs.samples]
    verdict = judge(obs)
    assert verdict.commits == [] and verdict.unanswered == ["p1"]  # still owes a response


def test_double_billing_and_billing_an_unapproved_prompt_are_reported() -> None:
    obs = clean()
    obs.calls["p2"] = 2
    obs.calls["secret-9"] = 1
    verdict = judge(obs)
    assert verdict.double_billed == {"p2": 2}
    assert verdict.billed_unapproved == ["secret-9"]


def test_redelivered_duplicates_are_fine_but_conflicting_outcomes_are_not() -> None:
    obs = clean()
    obs.outcomes.append(Rec(AP, 0, 9, "p1", "approved"))  # same outcome again: at-least-once
    obs.responses.append(Rec(RS, 0, 9, "p1", "response", ("ok", "a1")))
    assert judge(obs).ok
    obs.outcomes.append(Rec("q", 0, 0, "p2", "quarantined"))
    obs.responses.append(Rec(RS, 0, 10, "p1", "response", ("failed", "outcome_unknown")))
    verdict = judge(obs)
    assert verdict.conflicting == ["p2:approved+quarantined"]
    assert verdict.answers_disagree == ["p1:['failed', 'ok']"]


def test_an_answer_nobody_was_billed_for_is_reported() -> None:
    obs = clean()
    obs.calls.pop("p0")
    assert judge(obs).unbilled_answers == ["p0"]


def test_ids_nobody_produced_are_reported() -> None:
    obs = clean()
    obs.outcomes.append(Rec("q", 0, 0, "ghost", "quarantined"))
    assert judge(obs).stray == ["ghost"]
