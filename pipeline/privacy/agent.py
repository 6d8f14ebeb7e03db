"""Applies operator commands from ``dlp.control`` to the worker's own vault partitions.

``prompt-dlp erase`` writes the command to *every* partition of the control
topic, which is co-partitioned with the vault table, so each classify
worker erases exactly the conversations it owns and the deletions reach
the compacted changelog as tombstones.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

import faust
import orjson

from pipeline import records
from pipeline.app import WorkerContext, raw_topic
from pipeline.bus import Record, send_until_acked
from pipeline.logs import bound_trace
from pipeline.offsets import Ticket
from pipeline.redact.vault import MappingVaultStore, erase_user

__all__ = ["register"]

log = logging.getLogger(__name__)


def register(app: faust.App, ctx: WorkerContext, vault: MutableMapping[str, Any]) -> None:
    control = raw_topic(app, ctx.settings, ctx.settings.topics.control)
    store = MappingVaultStore(vault)

    @app.agent(control, name="control")
    async def apply(stream: Any) -> None:
        async for event in stream.events():
            message = event.message
            ticket = await ctx.offsets.admit(message.topic, message.partition, message.offset)
            if ticket is None:
                continue
            with bound_trace(message.headers, stage="control"):
                await _apply(ctx, store, event, ticket)


async def _apply(ctx: WorkerContext, store: MappingVaultStore, event: Any, ticket: Ticket) -> None:
    """Erase what the command names; audited; done once the audit record is acknowledged."""
    try:
        command = orjson.loads(event.value)
        if command.get("op") != "erase_user":
            ctx.offsets.done(ticket)
            return
        erased = erase_user(store, command["user"], command.get("tenant"))
    except Exception:  # a bad command must not stop the control loop
        log.exception("control command ignored")
        ctx.offsets.done(ticket)
        return
    audit = records.audit(
        event="erased",
        actor="classify-worker",
        ident={"id": None, "tenant": command.get("tenant"), "user": command["user"]},
        detail={
            "request_id": command.get("request_id"),
            "vault_entries": erased,
            "partition": event.message.partition,
        },
    )
    outputs = [Record(ctx.settings.topics.audit, command["user"], audit)]
    await send_until_acked(ctx.sink, outputs, ctx.metrics, "control")
    ctx.offsets.done(ticket)
