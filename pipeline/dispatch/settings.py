"""Moved to ``pipeline.config.dispatch`` (all settings classes live in ``pipeline.config``).

Kept as an import path for code written against the old location.
"""

from pipeline.config.dispatch import Destination, DispatchSettings, Provider

__all__ = ["Destination", "DispatchSettings", "Provider"]
