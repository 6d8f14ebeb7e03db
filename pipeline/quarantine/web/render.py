"""Jinja2 rendering with autoescaping on; templates live next to this module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from pipeline.config.review import Role
from pipeline.quarantine.views import age_text
from pipeline.quarantine.web.auth import PRINCIPAL

__all__ = ["STATIC", "TEMPLATES", "render"]

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.globals["Role"] = Role


_ENV.filters["age"] = age_text


def render(
    request: web.Request, template: str, context: dict[str, Any], *, status: int = 200
) -> web.Response:
    """Render with the signed-in principal (if any) available as ``me``."""
    page = _ENV.get_template(template).render(me=request.get(PRINCIPAL), **context)
    return web.Response(text=page, status=status, content_type="text/html", charset="utf-8")
