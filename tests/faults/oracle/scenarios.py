"""The fault scenarios: a steady stream while workers are killed, frozen, scaled, broker bounced.

Each scenario starts its workers, starts the stream and injects its faults; the harness then
settles and judges. Moments and victims come from ``rig.rng`` (the run's seed). The issue #16
reproducer is kept exactly as reported: two classify workers, A SIGKILLed and restarted twice
while B is SIGSTOPped past its session timeout and resumed, 400 events over a minute.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tests.faults.oracle.harness import CONCURRENCY, SESSION_TIMEOUT, Rig, pick
from tests.integration.workers import Worker

KILLS = (signal.SIGKILL, signal.SIGTERM)


@dataclass(frozen=True)
class Spec:
    run: Callable[[Rig], Awaitable[None]]
    events: int
    what: str


async def _boot(rig: Rig, classify: int, dispatch: int) -> tuple[list[Worker], list[Worker]]:
    c = [rig.start("classify", f"c{i}") for i in range(1, classify + 1)]
    d = [rig.start("dispatch", f"d{i}") for i in range(1, dispatch + 1)]
    await rig.ready(*c, *d)
    return c, d


async def _replace(rig: Rig, pool: list[Worker], victim: Worker, sig: signal.Signals) -> Worker:
    """Kill ``victim`` with ``sig`` and start its successor (a pod restarted by its Deployment)."""
    role = "classify" if victim in rig.classify.workers else "dispatch"
    await rig.kill(victim, sig)
    pool.remove(victim)
    successor = rig.start(role, f"{victim.name.split('.')[0]}.{len(rig.notes)}")
    pool.append(successor)
    await rig.ready(successor, serving_only=True)
    return successor


def _past_session_timeout(rig: Rig) -> float:
    return SESSION_TIMEOUT + rig.rng.uniform(2.0, 5.0)


async def kill_classify(rig: Rig) -> None:
    c, _ = await _boot(rig, 2, 1)
    rig.stream(40)
    for sig in (signal.SIGKILL, signal.SIGTERM, rig.rng.choice(KILLS)):
        await asyncio.sleep(rig.rng.uniform(3.0, 8.0))
        await _replace(rig, c, pick(rig.rng, c), sig)


async def kill_dispatch(rig: Rig) -> None:
    """One dispatch worker, killed with >= CONCURRENCY calls in flight (bursts pile them up)."""
    _, d = await _boot(rig, 1, 1)
    rig.stream(40, chunk=30)
    for sig in (signal.SIGKILL, rig.rng.choice(KILLS), signal.SIGKILL):
        await rig.wait_in_flight(CONCURRENCY, timeout=30)
        await asyncio.sleep(rig.rng.uniform(0.0, 0.5))
        await _replace(rig, d, d[0], sig)
        await rig.ready(d[0])


async def sigstop(rig: Rig) -> None:
    """Freeze a classify and a dispatch worker past the session timeout, then resume them."""
    c, d = await _boot(rig, 2, 2)
    rig.stream(40, chunk=10)
    await rig.wait_progress(rig.rng.uniform(0.1, 0.3))
    await rig.wait_in_flight(4, timeout=20)

    async def later(delay: float, worker: Worker) -> None:
        await asyncio.sleep(delay)
        await rig.pause(worker, _past_session_timeout(rig))

    await asyncio.gather(
        later(rig.rng.uniform(0.0, 4.0), pick(rig.rng, c)),
        later(rig.rng.uniform(0.0, 4.0), pick(rig.rng, d)),
    )


async def scale(rig: Rig) -> None:
    """KEDA-like: 1 -> 3 workers per role under the stream, then back to 1 (SIGTERM)."""
    c, d = await _boot(rig, 1, 1)
    rig.stream(45)
    for n in (2, 3):
        await asyncio.sleep(rig.rng.uniform(2.0, 5.0))
        joining = [rig.start("classify", f"c{n}"), rig.start("dispatch", f"d{n}")]
        c.append(joining[0])
        d.append(joining[1])
        await rig.ready(*joining, serving_only=True)
    for pool in (c, d):
        rig.rng.shuffle(pool)
    for _ in range(2):
        await asyncio.sleep(rig.rng.uniform(2.0, 5.0))
        leaving = [c.pop(), d.pop()]
        await asyncio.gather(*(rig.kill(w, signal.SIGTERM) for w in leaving))


async def broker_restart(rig: Rig) -> None:
    await _boot(rig, 1, 1)
    rig.stream(40)
    await rig.wait_progress(rig.rng.uniform(0.2, 0.5))
    rig.note("broker restart")
    await asyncio.to_thread(rig.broker.restart)
    rig.note("broker back")


async def combined(rig: Rig) -> None:
    """Everything at once: kills with calls in flight, freezes, scaling, one broker restart."""
    c, d = await _boot(rig, 2, 2)
    rig.stream(55, chunk=10)
    bounced = False
    for _ in range(5):
        await asyncio.sleep(rig.rng.uniform(2.0, 6.0))
        fault = rig.rng.choice(["kill-c", "kill-d", "pause", "scale-up", "scale-down", "broker"])
        if fault == "kill-c":
            await _replace(rig, c, pick(rig.rng, c), rig.rng.choice(KILLS))
        elif fault == "kill-d":
            await rig.wait_in_flight(CONCURRENCY // 2, timeout=15)
            await _replace(rig, d, pick(rig.rng, d), rig.rng.choice(KILLS))
        elif fault == "pause":
            await rig.pause(pick(rig.rng, [*c, *d]), _past_session_timeout(rig))
        elif fault == "scale-up" and len(c) + len(d) < 6:
            role, pool = rig.rng.choice([("classify", c), ("dispatch", d)])
            pool.append(rig.start(role, f"{role[0]}{len(rig.notes)}"))
        elif fault == "scale-down" and max(len(c), len(d)) > 1:
            pool = c if len(c) > 1 else d
            victim = pick(rig.rng, pool)
            pool.remove(victim)
            await rig.kill(victim, signal.SIGTERM)
        elif fault == "broker" and not bounced:
            bounced = True
            rig.note("broker restart")
            await asyncio.to_thread(rig.broker.restart)
            rig.note("broker back")


async def issue16(rig: Rig) -> None:
    """Issue #16's reproducer, as reported: A SIGKILLed twice, B frozen past its session."""
    a = rig.start("classify", "A1")
    b = rig.start("classify", "B")
    d = rig.start("dispatch", "d1")
    await rig.ready(a, b, d)
    rig.stream(60)
    await asyncio.sleep(rig.rng.uniform(5.0, 10.0))
    frozen = asyncio.create_task(rig.pause(b, _past_session_timeout(rig)))
    await asyncio.sleep(rig.rng.uniform(0.5, 3.0))
    await rig.kill(a, signal.SIGKILL)
    a = rig.start("classify", "A2")
    await frozen
    await rig.ready(a, serving_only=True)
    await asyncio.sleep(rig.rng.uniform(3.0, 10.0))
    await rig.kill(a, signal.SIGKILL)
    a = rig.start("classify", "A3")
    await rig.ready(a, serving_only=True)


SCENARIOS: dict[str, Spec] = {
    "kill-classify": Spec(kill_classify, 300, "SIGKILL/SIGTERM classify workers x3"),
    "kill-dispatch": Spec(kill_dispatch, 300, "SIGKILL/SIGTERM dispatch with 16 calls in flight"),
    "sigstop": Spec(sigstop, 300, "SIGSTOP classify + dispatch past the session timeout"),
    "scale": Spec(scale, 300, "1 -> 3 -> 1 workers per role under the stream"),
    "broker-restart": Spec(broker_restart, 250, "broker restart mid-stream"),
    "combined": Spec(combined, 350, "random mix of all faults"),
    "issue16": Spec(issue16, 400, "issue #16: A SIGKILLed twice while B is SIGSTOPped"),
}
