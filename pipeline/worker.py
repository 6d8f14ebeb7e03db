"""``prompt-dlp worker``: build the app for the chosen roles and run it until stopped.

Start-up order matters for fail-closed behaviour: topics exist, the policy
and detectors load (a bad policy stops the process here, before any event
is consumed), then faust starts consuming. Metrics, health and readiness
are served on ``PROMPT_DLP_METRICS_PORT``; ready means the output producer
is connected and faust has partitions assigned.

Each role is its own faust app and consumer group, ``<app_id>-<role>``, whatever the split:
``--role all`` runs the two single-role workers as child processes (dispatch serves metrics on
``PROMPT_DLP_METRICS_PORT`` + 1), so switching from ``all`` to separate workers keeps every
group's committed offsets and the dedup table's changelog (no prompt is dispatched twice).
faust expects every member of a group to run the same agents, so roles never share a group.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import faust

from pipeline.app import WorkerContext, create_app, new_context
from pipeline.bus import client_options, ensure_topics
from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.faustcompat import on_stop_signal

__all__ = ["ROLES", "group_id", "run_all_roles", "run_worker", "source_topics"]

ROLES = ("classify", "dispatch")

log = logging.getLogger(__name__)
_CONNECT_TIMEOUT = 60.0
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _connect_problem(settings: Settings, exc: BaseException) -> str:
    """One line saying why the bus is unreachable: wrong address, credentials or certificate."""
    cause = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    if isinstance(exc, TimeoutError):
        cause = f"no answer within {_CONNECT_TIMEOUT:.0f}s"
    return (
        f"cannot reach Kafka at {settings.bootstrap_servers} "
        f"({settings.security.protocol}): {cause}; check the address, credentials and CA file"
    )


def _wait_for_broker(loop: asyncio.AbstractEventLoop, settings: Settings) -> None:
    """Check (and create) the topics, retrying while the broker is unreachable, up to 60 s.

    A worker may start while the broker restarts (a rolling upgrade, a node drain): it waits,
    as the agents wait for sends, instead of exiting. Credentials or certificates the broker
    rejects are not waited on; an address that never answers is a clear error after the wait.
    """
    from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, NodeNotReadyError

    deadline, delay = time.monotonic() + _CONNECT_TIMEOUT, 0.5
    while True:
        remaining = max(1.0, deadline - time.monotonic())
        try:
            loop.run_until_complete(asyncio.wait_for(ensure_topics(settings), remaining))
            return
        except Exception as exc:
            transient = isinstance(exc, KafkaConnectionError | KafkaTimeoutError
                                   | NodeNotReadyError | TimeoutError | ConnectionError)
            # aiokafka reports a rejected certificate or password as a connection error too:
            # if the broker's port answers, it is there and refusing us, so say so at once.
            if isinstance(exc, KafkaConnectionError) and _port_answers(settings.bootstrap_servers):
                transient = False
            if not transient or time.monotonic() + delay >= deadline:
                raise ConfigError("PROMPT_DLP_BROKER", _connect_problem(settings, exc)) from None
            log.warning("broker %s not reachable yet (%s); retrying in %.1fs",
                        settings.bootstrap_servers, type(exc).__name__, delay)
            time.sleep(delay)
            delay = min(5.0, delay * 2)


def _port_answers(bootstrap: str) -> bool:
    """Whether any bootstrap address accepts a TCP connection (the broker process is up)."""
    for address in bootstrap.split(","):
        host, _, port = address.strip().rpartition(":")
        try:
            with socket.create_connection((host.strip("[]") or "localhost", int(port)), 2.0):
                return True
        except (OSError, ValueError):
            continue
    return False


def group_id(settings: Settings, role: str) -> str:
    """The consumer group (= faust app id) of a role: the same however roles are split."""
    return f"{settings.app_id}-{role}"


def source_topics(settings: Settings, role: str) -> set[str]:
    """The topics whose offsets this role's worker commits."""
    t = settings.topics
    return {t.inbound, t.control} if role == "classify" else {t.approved}


class ShutdownWatchdog:
    """Ends the process if a requested stop has not finished within ``timeout`` seconds.

    faust stops its consumer by leaving the group; after a broker restart the soak saw a
    dispatch worker's group coordinator stay unavailable and the stop wait on it for over 60 s
    (heartbeats failing every 100 ms) until the supervisor's SIGKILL. Nothing is lost by
    ending then: offsets are committed only past records whose outputs the broker acked
    (``offsets.py``), so whatever was not committed is processed again, and the dispatch dedup
    table keeps the LLM from being billed twice. Exit status 0: the stop was requested.
    """

    def __init__(self, timeout: float, exit: Callable[[int], object] = os._exit) -> None:
        self._timeout = timeout
        self._exit = exit
        self._timer: threading.Timer | None = None

    def arm(self) -> None:
        """Start the countdown (once; a second stop signal changes nothing)."""
        if self._timer is None:
            self._timer = threading.Timer(self._timeout, self._expire)
            self._timer.daemon = True
            self._timer.start()

    def _expire(self) -> None:
        log.error("stop did not finish within %.0fs of the signal; exiting, uncommitted records "
                  "will be processed again", self._timeout)
        logging.shutdown()
        self._exit(0)


def _freeze_startup_heap() -> None:
    """Keep the loaded models out of every later full garbage collection.

    With the English, French and Spanish pipelines and the names index loaded, one full
    collection walks the whole start-up heap (~0.3 s measured here on a loaded machine, 0 ms
    after freezing): a pause every partition of the worker waits through. What start-up left
    is collected once, then moved to the permanent generation (``gc.freeze``, CPython docs).
    """
    import gc

    gc.collect()
    gc.freeze()


def run_worker(settings: Settings, role: str) -> None:
    """Blocks until SIGTERM/SIGINT; in-flight records finish (bounded) and are committed."""
    from pipeline.logs import logging_config

    settings = settings.model_copy(update={"app_id": group_id(settings, role)})
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    _wait_for_broker(loop, settings)
    app = create_app(settings)
    ctx = new_context(settings, app, source_topics(settings, role))
    _register_role(app, ctx, role)
    _register_services(app, ctx, role)
    _prime_metrics(ctx)
    _freeze_startup_heap()
    # Loading the models takes seconds: the broker may have gone away (a restart) meanwhile, and
    # faust exits at once if it cannot bootstrap. Wait for it again right before faust starts.
    _wait_for_broker(loop, settings)
    worker = faust.Worker(
        app,
        loop=loop,
        loglevel=settings.log_level,
        logging_config=logging_config(settings.log_level),
        quiet=True,
        redirect_stdouts=False,
    )
    on_stop_signal(worker, ShutdownWatchdog(settings.shutdown_timeout_seconds).arm)
    worker.execute_from_commandline()


def _register_role(app: faust.App, ctx: WorkerContext, role: str) -> None:
    from pipeline.engine import build_dlp_engine

    # Every language's model now: a lazy load would stall a partition mid-batch for seconds.
    engine = build_dlp_engine(ctx.settings)
    engine.preload()
    if role == "classify":
        from pipeline.privacy.agent import register as register_control
        from pipeline.route.agent import register as register_classify
        from pipeline.route.vault_table import StrKeyed, register_vault_purge, vault_table
        from pipeline.wiring import build_classifier

        vault = StrKeyed(vault_table(app, ctx.settings))
        register_classify(app, ctx, build_classifier(ctx.settings, engine=engine, vault=vault))
        register_control(app, ctx, vault)
        register_vault_purge(app, ctx, vault)
    else:
        from pipeline.dispatch.agent import register as register_dispatch
        from pipeline.wiring import build_response_guard

        register_dispatch(app, ctx, build_response_guard(ctx.settings, engine))


def _prime_metrics(ctx: WorkerContext) -> None:
    """Zero series for every known label value, so dashboards and alerts read 0, not no-data."""
    from pipeline.detect.registry import known_labels
    from pipeline.quarantine.settings import Role

    entity_types, detectors = known_labels()
    ctx.metrics.prime(
        destinations=ctx.settings.dispatch.destinations,
        entity_types=entity_types,
        detectors=detectors,
        review_roles=[role.value for role in Role],
        source_topics=ctx.offsets.topics,
    )


def _register_services(app: faust.App, ctx: WorkerContext, role: str) -> None:
    """Metrics/health server, consumer-lag collector and the sink's lifecycle."""
    from pipeline.faustcompat import RecoveryWatch, rejoin_group
    from pipeline.metrics.lag import KafkaOffsets, LagCollector
    from pipeline.metrics.server import start_metrics_server, stop_metrics_server

    settings = ctx.settings
    consumed = [settings.topics.inbound if role == "classify" else settings.topics.approved]
    state: dict[str, Any] = {}

    def ready() -> bool:
        # A standby member with no partitions is healthy and ready; a rebalance is not.
        return ctx.sink.started and state.get("started", False) and not app.rebalancing

    @app.task  # type: ignore[untyped-decorator]
    async def _start_services() -> None:
        await ctx.sink.start()
        ctx.offsets.start()
        state["started"] = True
        state["metrics"] = await start_metrics_server(ctx.metrics, settings.metrics_port, ready)
        collector = LagCollector(
            ctx.metrics, KafkaOffsets(client_options(settings)), settings.app_id, consumed
        )
        collector.start()
        state["lag"] = collector

    async def _stop_services(_app: Any, **_kwargs: Any) -> None:
        # First let in-flight records finish and commit them, while the sink still sends.
        await ctx.offsets.close()
        if "lag" in state:
            await state["lag"].stop()
        if "metrics" in state:
            await stop_metrics_server(state["metrics"])
        await ctx.sink.stop()

    app.on_before_shutdown.connect(_stop_services)  # type: ignore[arg-type]

    watch = RecoveryWatch(app, settings.recovery_stall_seconds)

    @app.timer(interval=5.0)  # type: ignore[untyped-decorator]
    async def _watch_recovery() -> None:
        if watch.stalled():
            ctx.metrics.recovery_rejoins.inc()
            await rejoin_group(app)


def _stop_with(parent: int) -> Callable[[], None]:
    """A child's pre-exec hook: the kernel sends it SIGTERM when the supervisor dies.

    A supervisor killed with SIGKILL cannot forward anything; without this its children keep
    consuming as orphans (and a restarted supervisor starts a second pair). Linux's
    ``PR_SET_PDEATHSIG`` via libc: no maintained package wraps this one call. Elsewhere the
    hook does nothing. The signal reaches a child that is still starting too (it exits 0).
    """

    def arm() -> None:
        if not sys.platform.startswith("linux"):
            return
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the supervisor died before the hook ran
            os.kill(os.getpid(), signal.SIGTERM)

    return arm


def run_all_roles(settings: Settings) -> int:
    """``--role all``: one child worker per role; stop both when either stops or on a signal."""
    env = dict(os.environ)
    children: dict[str, subprocess.Popen[bytes]] = {}
    for offset, role in enumerate(ROLES):
        port = settings.metrics_port + offset if settings.metrics_port else 0  # 0: any free port
        child_env = env | {"PROMPT_DLP_METRICS_PORT": str(port)}
        argv = [sys.executable, "-m", "pipeline", "worker", "--role", role]
        # Own sessions: a terminal's Ctrl-C reaches the children once, through us.
        children[role] = subprocess.Popen(
            argv, env=child_env, start_new_session=True, preexec_fn=_stop_with(os.getpid())
        )
    stopping: list[int] = []

    def forward(signum: int, _frame: Any) -> None:
        stopping.append(signum)
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, forward)
    try:
        while all(child.poll() is None for child in children.values()):
            time.sleep(0.2)
    finally:
        if not stopping:  # a child died on its own: stop the other, report failure
            forward(signal.SIGTERM, None)
        deadline = time.monotonic() + 60
        for child in children.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    codes = {role: child.returncode for role, child in children.items()}
    if not stopping:
        log.error("worker stopped: %s", ", ".join(f"{r} exited {c}" for r, c in codes.items()))
        return 1
    return max((abs(c) for c in codes.values()), default=0)
