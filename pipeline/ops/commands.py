"""``prompt-dlp produce`` and ``prompt-dlp trace``.

``produce`` publishes JSONL lines to the inbound topic as-is (invalid lines
too: that is how you test the DLQ). ``trace`` reads the outcome topics and
prints, per prompt id, where it went — approved (with the text as sent),
quarantined (with reasons), dead-lettered, answered — without ever printing
a quarantined original.
"""

from __future__ import annotations

import asyncio
import time
from typing import IO, Any

import click
import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from pipeline.bus import client_options
from pipeline.config import Settings

__all__ = ["produce", "trace"]


async def _produce(settings: Settings, lines: list[bytes]) -> int:
    producer = AIOKafkaProducer(
        **client_options(settings),
        acks="all",
        enable_idempotence=True,
        max_request_size=8 * 1024 * 1024,
    )
    await producer.start()
    try:
        sends = []
        for line in lines:
            key = _key_of(line)
            sends.append(await producer.send(settings.topics.inbound, line, key=key))
        await asyncio.gather(*sends)
    finally:
        await producer.stop()
    return len(lines)


def _key_of(line: bytes) -> bytes | None:
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    key = data.get("conversation_id") or data.get("id")
    return key.encode() if isinstance(key, str) else None


@click.command()
@click.argument("source", type=click.File("rb"), default="-")
@click.pass_obj
def produce(settings: Settings, source: IO[bytes]) -> None:
    """Publish JSONL events (one per line) to the inbound topic."""
    lines = [line.rstrip(b"\r\n") for line in source if line.strip()]
    count = asyncio.run(_produce(settings, lines))
    click.echo(f"published {count} events to {settings.topics.inbound}")


def _describe(topic_role: str, value: dict[str, Any]) -> str:
    if topic_role == "approved":
        action = value["decision"]["action"]
        messages = (value.get("request") or value)["messages"]  # v2, or a v1 record
        text = " | ".join(_text(m.get("content")) for m in messages if m["role"] == "user")
        label = "approved as-is" if action == "allow" else "approved REDACTED"
        return f"{label}: {text[:160]!r}"
    if topic_role == "quarantine":
        return "QUARANTINED: " + "; ".join(value["decision"]["reasons"])
    if topic_role == "dlq":
        return f"DEAD-LETTERED ({value['reason']}): {value['error']}"
    answer = (value.get("answer") or value.get("reason") or "")[:120]
    return f"response {value['status']}: {answer!r}"


def _text(content: Any) -> str:
    """A message's text: the string, or its text parts joined."""
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content if isinstance(content, str) else ""


_FINAL = {"quarantine", "dlq", "response"}
_ORDER = ("approved", "quarantine", "dlq", "response")


async def _trace(
    settings: Settings,
    ids: list[str] | None,
    timeout: float,
    expect: int | None,
    only: str | None = None,
    since: float = 0.0,
) -> int:
    """Echo outcomes until every wanted id reached a final one; returns how many did.

    With ids, lines are printed grouped per id in the order given (a prompt's
    approval, then its answer); without, they stream as they arrive.
    """
    roles = {
        settings.topics.approved: "approved",
        settings.topics.quarantine: "quarantine",
        settings.topics.dlq: "dlq",
        settings.topics.responses: "response",
    }
    roles = {topic: role for topic, role in roles.items() if only in (None, role)}
    consumer = AIOKafkaConsumer(
        *roles,
        **client_options(settings),
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    final: set[str] = set()
    lines: dict[str, list[tuple[int, str]]] = {}
    wanted = len(ids) if ids is not None else expect
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and (wanted is None or len(final) < wanted):
            for tp, batch in (await consumer.getmany(timeout_ms=500)).items():
                for record in batch:
                    if record.timestamp < since * 1000:
                        continue
                    value = orjson.loads(record.value)
                    ident = value.get("id") or f"{tp.topic}@{record.offset}"
                    if ids is not None and ident not in ids:
                        continue
                    role = roles[tp.topic]
                    if role in _FINAL:
                        final.add(ident)
                    line = f"{ident:>14}  {_describe(role, value)}"
                    if ids is None:
                        click.echo(line)
                    lines.setdefault(ident, []).append((_ORDER.index(role), line))
    finally:
        await consumer.stop()
    for ident in ids or ():
        for _, line in sorted(lines.get(ident, [])):
            click.echo(line)
    return len(final)


@click.command()
@click.argument("ids", nargs=-1)
@click.option("--timeout", default=60.0, show_default=True, help="Seconds to wait for outcomes.")
@click.option("--expect", type=int, default=None, help="Stop after this many distinct outcomes.")
@click.option(
    "--only",
    type=click.Choice(["approved", "quarantine", "dlq", "response"]),
    help="Read one outcome topic only.",
)
@click.option("--since", type=float, default=0.0, help="Ignore records older than this Unix time.")
@click.pass_obj
def trace(
    settings: Settings,
    ids: tuple[str, ...],
    timeout: float,
    expect: int | None,
    only: str | None,
    since: float,
) -> None:
    """Print what happened to prompt IDS (or to everything) on the outcome topics."""
    done = asyncio.run(_trace(settings, list(ids) or None, timeout, expect, only, since))
    if ids and done < len(ids):
        raise click.ClickException(
            f"only {done} of {len(ids)} prompts reached an outcome in {timeout:.0f}s"
        )
