"""The commands that live with their areas, attached to ``prompt-dlp`` in one place."""

from __future__ import annotations

import click

__all__ = ["area_commands"]


def area_commands() -> list[click.Command]:
    from pipeline.mockllm.commands import mock_llm
    from pipeline.ops.commands import produce, trace
    from pipeline.privacy.commands import erase, keys
    from pipeline.quarantine.commands import quarantine, rescan

    return [erase, keys, mock_llm, produce, quarantine, rescan, trace]
