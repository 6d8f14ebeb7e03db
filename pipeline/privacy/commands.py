"""``prompt-dlp erase`` (right to erasure) and ``prompt-dlp keys generate``."""

from __future__ import annotations

import asyncio
import getpass
import uuid

import click
from aiokafka import AIOKafkaProducer

from pipeline import records
from pipeline.bus import client_options, encode, ensure_topics
from pipeline.config import Settings
from pipeline.crypto import KeyRing

__all__ = ["erase", "keys"]


async def request_erasure(
    settings: Settings, user: str, tenant: str | None, actor: str
) -> tuple[str, int]:
    """Send an erase command to every control partition; returns (request id, partitions)."""
    await ensure_topics(settings)
    request_id = uuid.uuid4().hex
    command = {
        "schema_version": "v1",
        "op": "erase_user",
        "request_id": request_id,
        "user": user,
        "tenant": tenant,
        "requested_by": actor,
        "requested_at": records.now_iso(),
    }
    audit = records.audit(
        event="erase_requested",
        actor=actor,
        ident={"id": None, "tenant": tenant, "user": user},
        detail={"request_id": request_id},
    )
    producer = AIOKafkaProducer(**client_options(settings), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        partitions = sorted(await producer.partitions_for(settings.topics.control))
        sends = [
            await producer.send(settings.topics.control, encode(command), partition=p)
            for p in partitions
        ]
        sends.append(await producer.send(settings.topics.audit, encode(audit), key=user.encode()))
        await asyncio.gather(*sends)
    finally:
        await producer.stop()
    return request_id, len(partitions)


@click.command()
@click.option("--user", required=True, help="The user id whose data is erased.")
@click.option("--tenant", default=None, help="Limit erasure to one tenant.")
@click.option(
    "--as-user", "actor", default=None, help="Who requests it (audited); default: OS user."
)
@click.pass_obj
def erase(settings: Settings, user: str, tenant: str | None, actor: str | None) -> None:
    """Erase a user's pseudonym vault entries and quarantined originals (audited)."""
    actor = actor or getpass.getuser()
    request_id, parts = asyncio.run(request_erasure(settings, user, tenant, actor))
    click.echo(f"erasure {request_id}: vault command sent to {parts} partitions")
    from pipeline.quarantine.erase import erase_user_quarantine
    from pipeline.quarantine.stores import open_kafka_store

    removed = asyncio.run(
        erase_user_quarantine(settings, user, tenant, actor, open_store=open_kafka_store)
    )
    click.echo(f"erasure {request_id}: {removed} quarantined originals destroyed")


@click.group()
def keys() -> None:
    """Encryption key helpers."""


@keys.command("generate")
@click.option("--kid", default="k1", show_default=True, help="Key id recorded with every envelope.")
def generate(kid: str) -> None:
    """Print a new vault key spec for PROMPT_DLP_VAULT_KEYS (prepend it to rotate)."""
    click.echo(KeyRing.generate_spec(kid))
