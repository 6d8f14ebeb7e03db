"""The ``prompt-dlp`` command: one entry point for everything a user runs.

Settings are built once here (env ``PROMPT_DLP_*``) and handed down through
click's context object. Heavy imports (spaCy, faust) happen inside the
commands that need them, so ``prompt-dlp --help`` stays instant.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from typing import IO

import click

from pipeline.config import Settings
from pipeline.errors import ConfigError

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="prompt-dlp")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Data-loss prevention for LLM prompts on a Kafka bus."""
    from pipeline.logs import configure_logging

    ctx.obj = Settings()
    # Every command logs through the content guard (JSON on stderr); the worker
    # re-installs the same setup when faust takes over logging.
    configure_logging(ctx.obj.log_level)


def _settings() -> Settings:
    obj = click.get_current_context().obj
    assert isinstance(obj, Settings)
    return obj


@cli.command()
@click.option(
    "--role",
    type=click.Choice(["classify", "dispatch", "all"]),
    default="all",
    show_default=True,
    help="Which stream processors this process runs.",
)
def worker(role: str) -> None:
    """Run the stream processors (classify, dispatch, or both) until stopped.

    Each role consumes in its own group, ``<PROMPT_DLP_APP_ID>-<role>``; ``all`` runs one
    child process per role (dispatch's metrics on the metrics port + 1).
    """
    _exit_on_early_stop()
    from pipeline.worker import run_all_roles, run_worker

    settings = _settings()
    if role == "all":
        sys.exit(run_all_roles(settings))
    run_worker(settings, role)


def _exit_on_early_stop() -> None:
    """SIGTERM/SIGINT while starting (imports, model load, topic checks) exit 0 at once.

    Nothing has been consumed before faust installs its own handlers (which replace this one
    and drain in-flight work), so there is nothing to finish; without this a pod scaled down
    while still starting dies of the signal (exit 143) instead of stopping.
    """

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(0)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)


@cli.command()
@click.option(
    "--policy", "policy_file", type=click.Path(exists=True, path_type=Path), help="Policy YAML."
)
@click.argument("source", type=click.File("rb"), default="-")
@click.option("-o", "--output", type=click.File("wb"), default="-", help="Where to write results.")
def scan(policy_file: Path | None, source: IO[bytes], output: IO[bytes]) -> None:
    """Run the classify engine offline over JSONL (one inbound event per line)."""
    from pipeline.scan import scan_stream
    from pipeline.wiring import build_classifier

    settings = _settings()
    if policy_file is not None:
        settings = settings.model_copy(update={"policy_file": policy_file})
    written, errors = scan_stream(build_classifier(settings, ephemeral_keys=True), source, output)
    click.echo(f"scanned {written} events, {errors} invalid", err=True)


@cli.command("eval")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--scorer",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A corpus scorer (score.py) to run besides our own [default: one beside the corpus].",
)
@click.option(
    "--outputs",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep the per-event outputs here.",
)
@click.option(
    "--json",
    "json_report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the full report as JSON.",
)
def evaluate(
    corpus: Path, scorer: Path | None, outputs: Path | None, json_report: Path | None
) -> None:
    """Score the engine on a labelled corpus (own scorer; a corpus score.py too if present)."""
    from pipeline.evaluate import evaluate_corpus
    from pipeline.wiring import build_classifier

    classifier = build_classifier(_settings(), ephemeral_keys=True)
    click.echo(evaluate_corpus(classifier, corpus, scorer, outputs, json_report))


@cli.group()
def topics() -> None:
    """Manage the pipeline's Kafka topics."""


@topics.command("create")
def topics_create() -> None:
    """Create every missing topic with explicit partitions and replication."""
    from pipeline.bus import ensure_topics

    created = asyncio.run(ensure_topics(_settings()))
    click.echo("created: " + (", ".join(created) if created else "nothing (all exist)"))


@cli.group()
def policy() -> None:
    """Check and explain policy files."""


@policy.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def policy_check(file: Path) -> None:
    """Validate a policy file; exit 1 with the key and line of the first problem."""
    from pipeline.decide.build import check_policy_file

    loaded = check_policy_file(file)
    click.echo(
        f"{file}: ok (version {loaded.version}, {len(loaded.rules)} rules, "
        f"{len(loaded.overrides)} overrides)"
    )


@policy.command("explain")
@click.argument("event", type=click.File("rb"))
@click.option("--policy", "policy_file", type=click.Path(exists=True, path_type=Path))
def policy_explain(event: IO[bytes], policy_file: Path | None) -> None:
    """Show which rules fired on which findings of EVENT.json, and why."""
    from pipeline.wiring import explain_raw_event

    settings = _settings()
    if policy_file is not None:
        settings = settings.model_copy(update={"policy_file": policy_file})
    click.echo(explain_raw_event(settings, event.read()))


def main() -> None:
    """Console-script entry point; turns configuration errors into a clean exit."""
    if sys.argv[1:2] == ["worker"]:  # before the imports below: a stop while starting exits 0
        _exit_on_early_stop()
    _register_area_commands()
    try:
        cli.main(standalone_mode=True)
    except ConfigError as exc:
        click.echo(f"configuration error: {exc}", err=True)
        sys.exit(2)


def _register_area_commands() -> None:
    """Attach the commands that live with their areas (dispatch, quarantine, privacy)."""
    from pipeline.commands import area_commands

    for command in area_commands():
        cli.add_command(command)

    from pipeline.gateway.commands import gateway

    cli.add_command(gateway)
