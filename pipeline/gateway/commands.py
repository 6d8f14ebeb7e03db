"""``prompt-dlp gateway``: serve the OpenAI-compatible gateway, or mint an API key."""

from __future__ import annotations

import click

__all__ = ["gateway"]


@click.command("gateway")
@click.option("--new-key", is_flag=True, help="Print a fresh API key and its keys-file entry.")
@click.option("--tenant", default="default", show_default=True, help="With --new-key.")
@click.option("--app", "app_name", default="default", show_default=True, help="With --new-key.")
@click.option("--user", default="anonymous", show_default=True, help="With --new-key.")
@click.pass_context
def gateway(ctx: click.Context, new_key: bool, tenant: str, app_name: str, user: str) -> None:
    """Serve POST /v1/chat/completions onto the bus (settings: PROMPT_DLP_GATEWAY__*)."""
    from pipeline.gateway import keys

    if new_key:
        key = keys.new_key()
        click.echo(f"key (give to the caller, store nowhere): {key}")
        click.echo(f"keys-file entry: {keys.dumps_entry(key, tenant, app_name, user)}")
        return
    from aiohttp import web

    from pipeline.config import Settings
    from pipeline.gateway.server import build_app
    from pipeline.gateway.service import Gateway
    from pipeline.logs import configure_logging

    root = ctx.find_root().obj
    settings = root if isinstance(root, Settings) else Settings()
    configure_logging(settings.log_level)
    config = settings.gateway
    app = build_app(Gateway(settings, config))
    web.run_app(app, host=config.host, port=config.port, access_log=None, print=None)
