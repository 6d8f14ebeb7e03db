"""One oracle run: fresh topics, the mock LLM, classify and dispatch workers as processes.

``run_scenario`` gives a scenario a ``Rig`` (start / kill / pause workers, wait for calls in
flight, the producer's steady stream), samples both consumer groups' committed offsets all along,
lets the pipeline settle, and judges what the topics and the mock LLM say (``check.judge``).
The stream goes through a plain aiokafka producer: nothing of the pipeline's own code writes the
inputs or reads the verdict. Everything is derived from ``seed``: the corpus, fault moments and
which worker is hit, so ``PROMPT_DLP_FAULT_SEED=<seed>`` replays a run's decisions.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import signal
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from pipeline.bus import ensure_topics
from pipeline.config import Settings, TopicNames
from pipeline.crypto import KeyRing
from pipeline.tracing import CORRELATION_HEADER
from tests.conftest import unique_topics
from tests.dispatch.support import MockLLM
from tests.faults.ledger import Ledger
from tests.faults.oracle.check import Observation, Verdict, judge
from tests.faults.oracle.observe import Sampler, read_observation
from tests.integration.workers import Worker, WorkerGroup, classify_env, wait_until
from tests.security.corpus import Event, mixed_stream
from tests.support.broker import LocalBroker

log = logging.getLogger(__name__)

PARTITIONS = 4
SESSION_TIMEOUT = 6  # seconds: the broker's minimum, so a frozen worker is evicted quickly
CONCURRENCY = 16  # dispatch calls in flight per worker
MAX_LATENCY_MS = 4000  # mock LLM latency is uniform in [0, 4 s]
SETTLE_TIMEOUT = 150.0  # after the stream: until every id is accounted for, or lag is 0
QUIET_SECONDS = 12.0
# Workers start slowly on a loaded machine: once 70% is sent, the stream slows to a chunk per
# TRICKLE_PAUSE until the scenario's faults are done, so every fault lands mid-stream.
TRICKLE_PAUSE = 2.0  # lag 0 and nothing new for this long: what is missing is gone for good


def fault_seed() -> int:
    """The run's seed: ``PROMPT_DLP_FAULT_SEED`` to replay one, else a fresh random one."""
    return int(os.environ.get("PROMPT_DLP_FAULT_SEED") or random.randrange(1 << 31))


def mock_port() -> int:
    """``PROMPT_DLP_ORACLE_MOCK_PORT``, else a free port: a fixed default collided with a mock
    a stopped soak had left behind (and with a second soak on another broker)."""
    from bench.harness.support import free_port

    configured = os.environ.get("PROMPT_DLP_ORACLE_MOCK_PORT")
    return int(configured) if configured else free_port()


@dataclass
class Rig:
    """What a scenario drives: the workers, the stream, the mock LLM, a seeded RNG."""

    broker: LocalBroker
    topics: TopicNames
    classify: WorkerGroup
    dispatch: WorkerGroup
    mock: MockLLM
    rng: random.Random
    events: list[Event]
    sampler: Sampler
    notes: list[str] = field(default_factory=list)
    killed: list[Worker] = field(default_factory=list)
    hung: list[str] = field(default_factory=list)
    faults_done: asyncio.Event = field(default_factory=asyncio.Event)
    _stream: asyncio.Task[None] | None = None
    _started: float = field(default_factory=time.monotonic)

    # ------------------------------------------------------------ narration
    def note(self, text: str) -> None:
        line = f"t={time.monotonic() - self._started:5.1f}s {text}"
        self.notes.append(line)
        print(f"oracle: {line}", flush=True)

    # ------------------------------------------------------------ workers
    def start(self, role: str, name: str) -> Worker:
        group = self.classify if role == "classify" else self.dispatch
        worker = group.start(name)
        self.note(f"start {name} ({role}, pid {worker.pid})")
        return worker

    async def ready(self, *workers: Worker, serving_only: bool = False) -> None:
        """Until each worker is ready (or only serving: a standby member may get no partition)."""
        for w in workers:
            await asyncio.to_thread(w.wait_serving if serving_only else w.wait_ready, 180)

    async def kill(self, worker: Worker, sig: signal.Signals) -> None:
        flight = await self.in_flight()
        self.killed.append(worker)
        try:
            code = await asyncio.to_thread(worker.kill, sig, 60)
        except subprocess.TimeoutExpired:  # a stop that never ends is a failure, not a hang
            self.hung.append(f"{worker.name} did not exit within 60s of {sig.name}")
            self.note(f"{sig.name} {worker.name}: no exit within 60s; SIGKILL")
            await asyncio.to_thread(worker.kill, signal.SIGKILL, 30)
            return
        self.note(f"{sig.name} {worker.name} with {flight} calls in flight (exit {code})")
        if sig == signal.SIGTERM and code != 0:
            tail = worker.output()[-3000:]
            raise AssertionError(f"{worker.name} exit {code} on SIGTERM:\n{tail}")

    async def pause(self, worker: Worker, seconds: float) -> None:
        """SIGSTOP, wait ``seconds`` (past the session timeout: the group evicts it), SIGCONT."""
        worker.kill(signal.SIGSTOP)
        self.note(f"SIGSTOP {worker.name} for {seconds:.1f}s")
        await asyncio.sleep(seconds)
        worker.kill(signal.SIGCONT)
        self.note(f"SIGCONT {worker.name}")

    async def in_flight(self) -> int:
        try:
            stats = await asyncio.to_thread(self.mock.stats)
        except OSError:
            return -1
        return int(stats.get("in_flight", 0))

    async def wait_in_flight(self, n: int, timeout: float = 30.0) -> int:
        """Until ``n`` calls are in flight at the mock LLM; the count then (or at the timeout)."""
        deadline = time.monotonic() + timeout
        flight = await self.in_flight()
        while flight < n and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            flight = await self.in_flight()
        return flight

    async def wait_progress(self, fraction: float, timeout: float = 120.0) -> None:
        """Until the classify group has committed ``fraction`` of the stream (faults mid-stream)."""
        target = fraction * len(self.events)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = self.sampler.samples[-1] if self.sampler.samples else None
            committed = last.committed.items() if last else ()
            done = sum(c for (t, _), c in committed if t == self.topics.inbound)
            if done >= target:
                return
            await asyncio.sleep(0.2)
        self.note(f"progress {fraction:.0%} not reached in {timeout:.0f}s; going on")

    # ------------------------------------------------------------ the stream
    def stream(self, duration: float, chunk: int = 5) -> None:
        """Produce every event over ``duration`` seconds, ``chunk`` at a time, in the background."""
        self._stream = asyncio.create_task(self._produce(duration, chunk))

    @property
    def streaming(self) -> bool:
        return self._stream is not None and not self._stream.done()

    async def stream_done(self) -> None:
        if self._stream is not None:
            await self._stream

    async def _produce(self, duration: float, chunk: int) -> None:
        pause = duration * chunk / max(1, len(self.events))
        producer = await _producer(self.broker.bootstrap)
        try:
            for i in range(0, len(self.events), chunk):
                batch = self.events[i : i + chunk]
                if i + chunk >= len(self.events):
                    await self.faults_done.wait()  # the stream outlasts every fault
                elif i >= 0.7 * len(self.events) and not self.faults_done.is_set():
                    await asyncio.sleep(max(0.0, TRICKLE_PAUSE - pause))  # slower, still flowing
                while True:
                    try:
                        futures = [
                            await producer.send(
                                self.topics.inbound, e.raw, key=e.ident.encode(),
                                headers=[(CORRELATION_HEADER, e.ident.encode())],
                            )
                            for e in batch
                        ]
                        await asyncio.gather(*futures)
                        break
                    except KafkaError as exc:  # broker away: resend (an acked duplicate is fine)
                        self.note(f"produce failed ({type(exc).__name__}); resending {len(batch)}")
                        await producer.stop()
                        await asyncio.sleep(1.0)
                        producer = await _producer(self.broker.bootstrap)
                await asyncio.sleep(pause)
        finally:
            await producer.stop()
        self.note(f"stream done: {len(self.events)} events")


async def _producer(bootstrap: str) -> AIOKafkaProducer:
    while True:
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, acks="all", request_timeout_ms=10_000
        )
        try:
            await producer.start()
            return producer
        except KafkaError:
            await producer.stop()
            await asyncio.sleep(1.0)


Scenario = Callable[[Rig], Awaitable[None]]


@dataclass
class RunResult:
    scenario: str
    seed: int
    verdict: Verdict
    notes: list[str]
    seconds: float
    log_dir: Path

    def line(self) -> str:
        return f"scenario={self.scenario} seed={self.seed} {self.verdict.summary()}"

    def failure(self) -> str:
        replay = f"PROMPT_DLP_FAULT_SEED={self.seed}"
        return (
            f"oracle scenario {self.scenario} failed (seed {self.seed}; replay with {replay}; "
            f"worker logs in {self.log_dir})\n{self.verdict.details()}\nfaults:\n  "
            + "\n  ".join(self.notes)
        )


def _dispatch_config(mock_url: str) -> str:
    return json.dumps({
        "destinations": {"default": {"base_url": f"{mock_url}/v1", "timeout_seconds": 10}},
        "concurrency": CONCURRENCY,
        "batch_size": 32,
        "backoff_base_seconds": 0.1,
        "backoff_cap_seconds": 1.0,
    })


async def run_scenario(
    name: str,
    scenario: Scenario,
    broker: LocalBroker,
    work: Path,
    seed: int,
    events: int = 300,
) -> RunResult:
    """Run one scenario end to end and judge it; never raises for a pipeline violation."""
    started = time.monotonic()
    rng = random.Random(seed)
    print(f"oracle: scenario={name} seed={seed}", flush=True)
    topics = unique_topics()
    tag = uuid.uuid4().hex[:8]
    await ensure_topics(Settings(broker=broker.faust_url, topics=topics, partitions=PARTITIONS))
    stream = mixed_stream(events, seed, f"{name}-{tag}")
    keys = KeyRing.generate_spec("oracle")
    mock = MockLLM(mock_port(), work / "mock.log", latency_ms=0)
    mock.config(latency_ms=0, jitter_ms=MAX_LATENCY_MS)
    common = {
        "PROMPT_DLP_SESSION_TIMEOUT_SECONDS": str(SESSION_TIMEOUT),
        "PROMPT_DLP_BATCH_SIZE": "8",
        "PROMPT_DLP_LOG_LEVEL": "INFO",
    }
    # One app id; each role's consumer group is "<app id>-<role>" (pipeline.worker.group_id).
    c_env = classify_env(broker.faust_url, topics, f"oracle-{tag}", work / "c-data",
                         keys, partitions=PARTITIONS, **common)
    d_env = classify_env(broker.faust_url, topics, f"oracle-{tag}", work / "d-data",
                         keys, partitions=PARTITIONS, **common,
                         PROMPT_DLP_DISPATCH=_dispatch_config(mock.url))
    sampler = Sampler(
        broker.bootstrap,
        {f"oracle-{tag}-classify": topics.inbound, f"oracle-{tag}-dispatch": topics.approved},
        [topics.approved, topics.quarantine, topics.dlq, topics.responses],
        PARTITIONS,
    )
    try:
        with WorkerGroup(c_env, work, "classify") as cg, WorkerGroup(d_env, work, "dispatch") as dg:
            rig = Rig(broker, topics, cg, dg, mock, rng, stream, sampler)
            sampler.start()
            await scenario(rig)
            rig.faults_done.set()
            await rig.stream_done()
            await _settle(rig)
            await sampler.stop()
            calls = await asyncio.to_thread(mock.calls)
            crashed = [  # a worker must ride out every fault it was not the victim of
                f"{w.name} (exit {w.proc.returncode})"
                for w in [*cg.workers, *dg.workers] if not w.alive() and w not in rig.killed
            ]
            rig.note(f"settled; {len(sampler.samples)} samples ({sampler.errors} failed)")
        obs, seen = await read_observation(
            broker.bootstrap, topics, {e.ident for e in stream}, sampler.samples, calls
        )
    finally:
        mock.stop()
    verdict = judge(obs)
    verdict.crashed = crashed + rig.hung
    if not (verdict.lost or verdict.conflicting):
        # The content half of the existing fault ledger: routes as expected, no secret approved,
        # every decision audited. It asserts; its message becomes a violation like ours.
        try:
            Ledger(topics).check(stream, seen)
        except AssertionError as exc:
            verdict.stray.append(f"ledger: {exc}")
    result = RunResult(name, seed, verdict, rig.notes, time.monotonic() - started, work)
    print(f"oracle: {result.line()} in {result.seconds:.0f}s", flush=True)
    return result


async def _settle(rig: Rig) -> None:
    """Until every id has its outcome and every approved id its response — or lag 0 and quiet."""
    wanted = {e.ident for e in rig.events}
    deadline = time.monotonic() + SETTLE_TIMEOUT
    last_change, last_state = time.monotonic(), None
    while time.monotonic() < deadline:
        obs, _ = await read_observation(rig.broker.bootstrap, rig.topics, wanted, [], {})
        outcome_ids = {r.ident for r in obs.outcomes}
        approved = {r.ident for r in obs.outcomes if r.kind == "approved"}
        answered = {r.ident for r in obs.responses}
        if wanted <= outcome_ids and approved <= answered:
            return
        last = rig.sampler.samples[-1] if rig.sampler.samples else None
        commits = tuple(sorted(last.committed.items())) if last else ()
        state = (len(outcome_ids), len(answered), commits)
        if state != last_state:
            last_state, last_change = state, time.monotonic()
        elif time.monotonic() - last_change > QUIET_SECONDS and _lag_zero(rig, obs):
            rig.note(f"lag 0 and quiet for {QUIET_SECONDS:.0f}s with ids missing: giving up")
            return
        await asyncio.sleep(1.0)
    rig.note(f"settle timeout ({SETTLE_TIMEOUT:.0f}s)")


def _lag_zero(rig: Rig, obs: Observation) -> bool:
    """Both groups committed to the end of their source topics (nothing left to redeliver)."""
    if not rig.sampler.samples:
        return False
    committed = rig.sampler.samples[-1].committed
    ends: dict[tuple[str, int], int] = {}
    for r in [*obs.inputs, *obs.approved]:
        ends[r.tp] = max(ends.get(r.tp, 0), r.offset + 1)
    return all(committed.get(tp, 0) >= end for tp, end in ends.items())


def pick(rng: random.Random, workers: Sequence[Worker]) -> Worker:
    alive = [w for w in workers if w.alive()]
    return rng.choice(alive)


def until(check: Callable[[], bool], timeout: float, what: str) -> Awaitable[None]:
    return asyncio.to_thread(wait_until, check, timeout, what)
