"""The oracle's judge: what was produced, what came out, what was committed when — and verdicts.

Pure on purpose (records and samples in, violations out), so that ``test_check.py`` can feed it
synthetic ledgers with a hole and prove it reports the loss: an oracle that cannot fail proves
nothing. It trusts no pipeline state, only what any Kafka client can read:

(a) every produced id has exactly one distinct classify outcome (approved / quarantined / dlq);
    redelivered duplicates of the *same* outcome are fine (at-least-once);
(b) a committed offset ``C`` on a source partition (prompts.inbound for the classify group,
    prompts.approved for the dispatch group) never passes an unprocessed record: every record at
    an offset below ``C`` already has its output below the output topics' end offsets read just
    *after* the committed offsets were sampled (outputs are acked before the commit, so they
    must be there);
(c) no prompt id is billed twice by the mock LLM (its ``/admin/calls`` counts billable
    completions only: an Idempotency-Key replay is not a new call), and no prompt that was not
    approved is ever sent;
(d) every approved id gets a response, all its responses agree, and an ``ok`` answer was billed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

TP = tuple[str, int]  # (topic, partition)

CLASSIFY_OUTCOMES = ("approved", "quarantined", "dlq")


@dataclass(frozen=True, slots=True)
class Rec:
    """One record read back from a topic, reduced to what the oracle needs.

    ``kind``: for source records ``"input"``/``"approved"``; for outputs the classify outcome
    (approved / quarantined / dlq), ``"response"`` or ``"dispatch-dlq"``. ``detail`` is what
    must agree between duplicates (a response's status and answer). ``source`` is a DLQ
    record's origin (topic, partition, offset), which attributes it without any id.
    """

    topic: str
    partition: int
    offset: int
    ident: str | None
    kind: str
    detail: tuple[str, ...] = ()
    source: tuple[str, int, int] | None = None

    @property
    def tp(self) -> TP:
        return (self.topic, self.partition)


@dataclass(frozen=True, slots=True)
class Sample:
    """Committed offsets of both groups at ``at`` s, then the output topics' end offsets."""

    at: float
    committed: Mapping[TP, int]
    ends: Mapping[TP, int]


@dataclass
class Observation:
    """Everything read from the bus and the mock LLM after (and during) one run."""

    expected: set[str]
    inputs: list[Rec]  # prompts.inbound as produced (ident from the correlation header)
    approved: list[Rec]  # prompts.approved: dispatch's source records
    outcomes: list[Rec]  # classify outputs: approved / quarantine / classify DLQ
    responses: list[Rec]  # prompts.responses
    dispatch_dlq: list[Rec]  # DLQ records written by dispatch
    samples: list[Sample]
    calls: dict[str, int]  # the mock LLM's billable completions per prompt id


@dataclass(frozen=True, slots=True)
class CommitViolation:
    """A committed offset that passed records whose outputs were not on the bus yet."""

    at: float
    topic: str
    partition: int
    previous: int | None  # the committed offset sampled before this one
    committed: int
    unprocessed: tuple[int, ...]  # offsets below ``committed`` without output at that time
    lost: tuple[int, ...]  # of those, offsets whose record never got any output at all

    def __str__(self) -> str:
        jump = f"{self.previous}->{self.committed}"
        offsets = _ranges(self.unprocessed)
        lost = f" ({len(self.lost)} never processed: {_ranges(self.lost)})" if self.lost else ""
        where = f"{self.topic}[{self.partition}]"
        return f"t={self.at:.1f}s {where} commit {jump} passed {offsets}{lost}"


@dataclass
class Verdict:
    """Counts and violations of one run; ``ok`` only when there is no violation at all."""

    counts: dict[str, int] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)  # "id@topic[p]:offset"
    conflicting: list[str] = field(default_factory=list)
    stray: list[str] = field(default_factory=list)
    commits: list[CommitViolation] = field(default_factory=list)
    double_billed: dict[str, int] = field(default_factory=dict)
    billed_unapproved: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    answers_disagree: list[str] = field(default_factory=list)
    unbilled_answers: list[str] = field(default_factory=list)
    crashed: list[str] = field(default_factory=list)  # workers that died of a fault not theirs
    unobserved: list[str] = field(default_factory=list)  # checks that saw nothing to check

    @property
    def problems(self) -> dict[str, int]:
        return {
            "lost": len(self.lost),
            "conflicting": len(self.conflicting),
            "stray": len(self.stray),
            "commit_violations": len(self.commits),
            "double_billed": len(self.double_billed),
            "billed_unapproved": len(self.billed_unapproved),
            "unanswered": len(self.unanswered),
            "answers_disagree": len(self.answers_disagree),
            "unbilled_answers": len(self.unbilled_answers),
            "crashed": len(self.crashed),
            "unobserved": len(self.unobserved),
        }

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())

    def summary(self) -> str:
        counts = " ".join(f"{k}={v}" for k, v in self.counts.items())
        bad = " ".join(f"{k}={v}" for k, v in self.problems.items() if v)
        return f"{counts} | {'OK' if self.ok else 'FAIL ' + bad}"

    def details(self, limit: int = 20) -> str:
        lines = [self.summary()]
        for name in ("lost", "conflicting", "stray", "billed_unapproved", "unanswered",
                     "answers_disagree", "unbilled_answers", "crashed", "unobserved"):
            items = getattr(self, name)
            if items:
                lines.append(f"{name} ({len(items)}): {', '.join(items[:limit])}")
        if self.double_billed:
            top = sorted(self.double_billed.items())[:limit]
            lines.append(f"double_billed ({len(self.double_billed)}): {top}")
        lines += [f"commit: {v}" for v in self.commits[:limit]]
        return "\n".join(lines)


def judge(obs: Observation) -> Verdict:
    """Apply (a)-(d) to one run's observation."""
    verdict = Verdict()
    by_id: dict[str, list[Rec]] = defaultdict(list)
    for rec in obs.outcomes:
        if rec.ident is not None:
            by_id[rec.ident].append(rec)
    responses: dict[str, list[Rec]] = defaultdict(list)
    for rec in obs.responses:
        if rec.ident is not None:
            responses[rec.ident].append(rec)
    _outcomes(obs, by_id, verdict)
    _commits(obs, by_id, responses, verdict)
    _billing(obs, by_id, responses, verdict)
    verdict.counts = {
        "inputs": len(obs.inputs),
        "ids": len(obs.expected),
        "outcomes": len(obs.outcomes),
        "duplicates": len(obs.outcomes) - len(by_id),
        "approved": sum(1 for i in by_id if _kinds(by_id[i]) == {"approved"}),
        "responses": len(obs.responses),
        "billed": sum(obs.calls.values()),
        "samples": len(obs.samples),
        "commit_moves": _moves(obs.samples),
    }
    if obs.inputs and not verdict.counts["commit_moves"]:
        # Without a single observed commit, check (b) would pass vacuously (wrong group id?).
        verdict.unobserved.append("no committed offset ever moved: check (b) saw nothing")
    return verdict


def _kinds(recs: Iterable[Rec]) -> set[str]:
    return {r.kind for r in recs}


def _outcomes(obs: Observation, by_id: Mapping[str, list[Rec]], verdict: Verdict) -> None:
    where = {r.ident: f"{r.topic}[{r.partition}]:{r.offset}" for r in reversed(obs.inputs)}
    for ident in sorted(obs.expected):
        kinds = _kinds(by_id.get(ident, ()))
        if not kinds:
            verdict.lost.append(f"{ident}@{where.get(ident, 'never produced')}")
        elif len(kinds) > 1:
            verdict.conflicting.append(f"{ident}:{'+'.join(sorted(kinds))}")
    verdict.stray = sorted(set(by_id) - obs.expected)


def _commits(
    obs: Observation,
    by_id: Mapping[str, list[Rec]],
    responses: Mapping[str, list[Rec]],
    verdict: Verdict,
) -> None:
    by_source: dict[tuple[str, int, int], list[Rec]] = defaultdict(list)
    for rec in obs.dispatch_dlq:
        if rec.source is not None:
            by_source[rec.source].append(rec)

    def outputs(src: Rec) -> list[Rec]:
        if src.kind == "input":
            return by_id.get(src.ident, []) if src.ident else []
        found = list(responses.get(src.ident, [])) if src.ident else []
        return found + by_source.get((src.topic, src.partition, src.offset), [])

    sources: dict[TP, list[tuple[Rec, list[Rec]]]] = defaultdict(list)
    for src in [*obs.inputs, *obs.approved]:
        sources[src.tp].append((src, outputs(src)))
    previous: dict[TP, int] = {}
    reported: set[tuple[str, int, int]] = set()
    for sample in sorted(obs.samples, key=lambda s: s.at):
        for tp, committed in sorted(sample.committed.items()):
            before = previous.get(tp)
            previous[tp] = committed
            late: list[int] = []
            never: list[int] = []
            for src, outs in sources.get(tp, ()):
                if src.offset >= committed or (src.topic, src.partition, src.offset) in reported:
                    continue
                if not any(o.offset < sample.ends.get(o.tp, -1) for o in outs):
                    late.append(src.offset)
                    reported.add((src.topic, src.partition, src.offset))
                    if not outs:
                        never.append(src.offset)
            if late:
                verdict.commits.append(
                    CommitViolation(sample.at, tp[0], tp[1], before, committed,
                                    tuple(sorted(late)), tuple(sorted(never)))
                )


def _billing(
    obs: Observation,
    by_id: Mapping[str, list[Rec]],
    responses: Mapping[str, list[Rec]],
    verdict: Verdict,
) -> None:
    approved = {i for i, recs in by_id.items() if "approved" in _kinds(recs)}
    verdict.double_billed = {i: n for i, n in sorted(obs.calls.items()) if n > 1}
    verdict.billed_unapproved = sorted(i for i, n in obs.calls.items() if n and i not in approved)
    for ident in sorted(approved):
        got = responses.get(ident, [])
        if not got:
            verdict.unanswered.append(ident)
            continue
        details = {r.detail for r in got}
        if len(details) > 1:
            verdict.answers_disagree.append(f"{ident}:{sorted(d[0] for d in details)}")
        if any(d[:1] == ("ok",) for d in details) and obs.calls.get(ident, 0) == 0:
            verdict.unbilled_answers.append(ident)


def _moves(samples: Sequence[Sample]) -> int:
    """How many times a sampled committed offset moved: (b) is only as sharp as this is high."""
    last: dict[TP, int] = {}
    moves = 0
    for sample in sorted(samples, key=lambda s: s.at):
        for tp, committed in sample.committed.items():
            moves += tp in last and last[tp] != committed
            last[tp] = committed
    return moves


def _ranges(offsets: Sequence[int]) -> str:
    """``[3, 4, 5, 9]`` → ``"3-5,9"``: a committed jump reads as the span it skipped."""
    out: list[str] = []
    start = prev = None
    for o in sorted(offsets):
        if prev is not None and o == prev + 1:
            prev = o
            continue
        if start is not None:
            out.append(f"{start}" if start == prev else f"{start}-{prev}")
        start = prev = o
    if start is not None:
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
    return ",".join(out)
