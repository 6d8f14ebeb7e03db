"""The review console: aiohttp, server-rendered pages, a JSON API, one small script."""

from pipeline.quarantine.web.server import create_app, serve

__all__ = ["create_app", "serve"]
