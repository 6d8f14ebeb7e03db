"""Detection failures. Detection fails closed: callers must treat any of these as "block".

    pipeline.errors.DetectionError   detection could not complete; never return partial findings
    ├── DetectionTimeout             the per-prompt (or per-KB) time budget ran out
    └── RecognizerFailed             a recognizer raised; the message names the class, not the value

``DetectionError`` is the package-wide class from ``pipeline.errors`` (re-exported here), so a
caller catching ``PromptDlpError`` or ``pipeline.errors.DetectionError`` sees these too. Messages
never contain prompt text, so they are safe to log and to put on the quarantine topic.
"""

from __future__ import annotations

from pipeline.errors import DetectionError

__all__ = ["DetectionError", "DetectionTimeout", "RecognizerFailed"]


class DetectionTimeout(DetectionError):
    """The time budget for a prompt was exceeded."""


class RecognizerFailed(DetectionError):
    """A recognizer raised an unexpected exception."""
