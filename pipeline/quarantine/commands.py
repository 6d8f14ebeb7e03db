"""``prompt-dlp quarantine ...`` and ``prompt-dlp rescan``: the reviewer's command line.

Each command opens the store (rebuilding it from Kafka), acts through the
same ``ReviewService`` as the console, and closes it. The CLI acts with the
admin role: whoever can run it holds the broker credentials and the vault
keys, so the broker's ACLs are the access control here. The identity recorded
in the audit log is ``--as-user``, ``$PROMPT_DLP_REVIEWER`` or the OS user.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

import click
import orjson
from prometheus_client import CollectorRegistry

from pipeline.config import Settings
from pipeline.config.review import ReviewSettings, Role
from pipeline.crypto import KeyRing, configured_key_ring
from pipeline.errors import PromptDlpError
from pipeline.metrics import Metrics
from pipeline.quarantine import output
from pipeline.quarantine.stores import StoreFactory, open_kafka_store

if TYPE_CHECKING:
    # The service pulls in the policy and its detectors (seconds of imports): loaded when a
    # command runs, not when ``prompt-dlp --help`` lists the commands.
    from pipeline.quarantine.service import Reviewer, ReviewService

__all__ = ["keyring_for", "open_store", "quarantine", "rescan", "review_settings"]

T = TypeVar("T")
_IDENTITY = "quarantine.reviewer"
_TIME_FORMATS = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]


# The factory every command opens its store with (tests set an in-memory one here).
open_store: StoreFactory = open_kafka_store


def review_settings(settings: Settings) -> ReviewSettings:
    found = getattr(settings, "review", None)
    return found if isinstance(found, ReviewSettings) else ReviewSettings()


def keyring_for(settings: Settings) -> KeyRing | None:
    return configured_key_ring(settings)


def _settings() -> Settings:
    obj = click.get_current_context().find_root().obj
    if not isinstance(obj, Settings):
        raise click.UsageError("settings were not passed to the command")
    return obj


def _me() -> Reviewer:
    from pipeline.quarantine.service import Reviewer

    name = click.get_current_context().meta.get(_IDENTITY) or getpass.getuser()
    return Reviewer(str(name), Role.ADMIN, via="cli")


def _run(fn: Callable[[ReviewService], Awaitable[T]], metrics: Metrics | None = None) -> T:
    """Run ``fn`` with a started store and a service over it; our errors exit with status 1."""
    from pipeline.quarantine.service import ReviewService
    from pipeline.redact.release import PolicyRedactor

    settings = _settings()

    async def main() -> T:
        store = open_store(settings)
        await store.start()
        try:
            service = ReviewService(store, keyring_for(settings),
                                    metrics or Metrics(CollectorRegistry()),
                                    PolicyRedactor.from_settings(settings))
            return await fn(service)
        finally:
            await store.stop()

    try:
        return asyncio.run(main())
    except PromptDlpError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group("quarantine")
@click.option("--as-user", envvar="PROMPT_DLP_REVIEWER", default=None,
              help="Reviewer name for the audit log [default: the OS user].")
@click.pass_context
def quarantine(ctx: click.Context, as_user: str | None) -> None:
    """Review quarantined prompts: list, show, reveal, release, reject, purge, serve."""
    ctx.meta[_IDENTITY] = as_user or getpass.getuser()


@quarantine.command("list")
@click.option("--tenant")
@click.option("--reason", help="Substring of a decision reason.")
@click.option("--since", help="Quarantined at or after this ISO date/time.")
@click.option("--state", type=click.Choice(["pending", "released", "rejected", "expired"]))
@click.option("--json", "as_json", is_flag=True)
def list_cmd(tenant: str | None, reason: str | None, since: str | None, state: str | None,
             as_json: bool) -> None:
    """List quarantined prompts, oldest first (no decryption)."""
    params = {k: v for k, v in
              {"tenant": tenant, "reason": reason, "since": since, "state": state}.items() if v}

    async def act(svc: ReviewService) -> None:
        from pipeline.quarantine.web.forms import query_from

        items = svc.store.query(query_from(params))
        now = svc.store.clock()
        click.echo(output.items_json(items) if as_json else output.items_table(items, now))

    _run(act)


@quarantine.command("show")
@click.argument("prompt_id")
@click.option("--json", "as_json", is_flag=True)
def show(prompt_id: str, as_json: bool) -> None:
    """Show one prompt: findings, history and the masked prompt (audited as a view)."""
    async def act(svc: ReviewService) -> None:
        item = svc.item(prompt_id)
        masked = await svc.masked(_me(), prompt_id)
        click.echo(output.item_json(item, masked) if as_json else output.item_text(item, masked))

    _run(act)


@quarantine.command("reveal")
@click.argument("prompt_id")
def reveal(prompt_id: str) -> None:
    """Print the original prompt (decrypted; recorded in the audit log first)."""
    async def act(svc: ReviewService) -> None:
        for m in await svc.reveal(_me(), prompt_id):
            click.echo(f"--- {m.role}\n{m.content}")

    _run(act)


@quarantine.command("release")
@click.argument("prompt_id")
@click.option("--as", "mode", type=click.Choice(["redacted", "original"]), default="redacted",
              show_default=True, help="Send the redacted prompt or the original.")
@click.option("--justification", help="Why; required with --as original.")
def release(prompt_id: str, mode: str, justification: str | None) -> None:
    """Release a pending prompt to prompts.approved."""
    async def act(svc: ReviewService) -> None:
        item = await svc.release(_me(), prompt_id, mode, justification)
        click.echo(f"{item.id} released ({mode})")

    _run(act)


@quarantine.command("reject")
@click.argument("prompt_id")
@click.option("--reason", required=True, help="Sent to the requester.")
def reject(prompt_id: str, reason: str) -> None:
    """Reject a pending prompt; the requester receives the reason."""
    async def act(svc: ReviewService) -> None:
        item = await svc.reject(_me(), prompt_id, reason)
        click.echo(f"{item.id} rejected")

    _run(act)


@quarantine.command("purge")
@click.option("--older-than", "older_than", type=float, help="Days since quarantined.")
@click.option("--id", "ids", multiple=True, help="A prompt id (repeatable).")
def purge(older_than: float | None, ids: tuple[str, ...]) -> None:
    """Destroy items and their originals for good (tombstones on the state topic)."""
    if older_than is None and not ids:
        raise click.UsageError("give --older-than DAYS and/or --id ID")

    async def act(svc: ReviewService) -> None:
        from pipeline.quarantine.retention import purge_targets

        done = await svc.purge(_me(), purge_targets(svc, list(ids), older_than))
        click.echo(f"purged {len(done)} item(s)")

    _run(act)


@quarantine.command("serve")
@click.option("--host", help="Listen address [default: review.host].")
@click.option("--port", type=int, help="Listen port [default: review.port].")
def serve(host: str | None, port: int | None) -> None:
    """Run the review console (and its retention sweep) until interrupted."""
    from pipeline.detect.registry import known_labels
    from pipeline.quarantine.web import create_app
    from pipeline.quarantine.web import serve as serve_app

    review = review_settings(_settings())
    registry = CollectorRegistry()
    metrics = Metrics(registry)
    entity_types, detectors = known_labels()
    metrics.prime(entity_types=entity_types, detectors=detectors,
                  review_roles=[role.value for role in Role])

    async def act(svc: ReviewService) -> None:
        svc.store.bind_metrics(metrics)
        app = create_app(svc, review, registry)
        await serve_app(app, host or review.host, port if port is not None else review.port)

    with contextlib.suppress(KeyboardInterrupt):
        _run(act, metrics)


@click.command("rescan")
@click.option("--dry-run", is_flag=True, help="Report what would be released; change nothing.")
@click.option("--inbound-since", type=click.DateTime(formats=_TIME_FORMATS), default=None,
              help="Also re-evaluate inbound events from this time (UTC) on, as a dry run.")
@click.option("--inbound-until", type=click.DateTime(formats=_TIME_FORMATS), default=None,
              help="End of the inbound range (UTC) [default: now].")
def rescan(dry_run: bool, inbound_since: datetime | None, inbound_until: datetime | None) -> None:
    """Re-evaluate pending quarantined prompts; release those the current policy passes."""
    from pipeline.quarantine.reevaluate import PolicyReevaluator
    from pipeline.quarantine.rescan import rescan as run_rescan

    judge = PolicyReevaluator(_settings())

    async def act(svc: ReviewService) -> None:
        report = await run_rescan(svc, judge, dry_run=dry_run)
        click.echo(f"released {len(report.released)}, still blocked "
                   f"{len(report.still_blocked)}, skipped {len(report.skipped)}")
        for prompt_id in report.released:
            click.echo(f"  {'would release' if dry_run else 'released'} {prompt_id}")

    _run(act)
    if inbound_since is not None:
        _replay_inbound(inbound_since, inbound_until or datetime.now(UTC))


def _replay_inbound(since: datetime, until: datetime) -> None:
    """Print what the current policy decides for each inbound event in the range."""
    from collections import Counter

    from pipeline.ops.replay import read_inbound_range
    from pipeline.scan import scan_lines
    from pipeline.wiring import build_classifier

    settings = _settings()
    values = asyncio.run(read_inbound_range(settings, _utc(since), _utc(until)))
    actions: Counter[str] = Counter()
    for result in scan_lines(build_classifier(settings, ephemeral_keys=True), values):
        actions[result.get("action") or "invalid"] += 1
        click.echo(orjson.dumps(result).decode())
    summary = ", ".join(f"{n} {action}" for action, n in sorted(actions.items())) or "no events"
    click.echo(f"inbound {since.isoformat()} .. {until.isoformat()}: {summary}", err=True)


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at
