"""``prompt-dlp mock-llm``: the local OpenAI-compatible server for the demo and tests."""

from __future__ import annotations

import click

__all__ = ["mock_llm"]


@click.command(
    "mock-llm",
    context_settings={
        "ignore_unknown_options": True,
        "allow_extra_args": True,
        "help_option_names": [],
    },
)
@click.pass_context
def mock_llm(ctx: click.Context) -> None:
    """Run the mock LLM server (all options as `python -m pipeline.mockllm --help`)."""
    from pipeline.mockllm.server import main

    main(ctx.args)
