"""Detection failures. Detection fails closed: callers must treat any of these as "block".

    DetectionError                 detection could not complete; never return partial findings
    ├── DetectionTimeout           the per-prompt (or per-KB) time budget ran out
    └── RecognizerFailed           a recognizer raised; the message names the class, not the value

Messages never contain prompt text, so they are safe to log and to put on the quarantine topic.
"""

from __future__ import annotations

__all__ = ["DetectionError", "DetectionTimeout", "RecognizerFailed"]


class DetectionError(Exception):
    """Detection could not complete; the prompt must not be forwarded as if clean."""


class DetectionTimeout(DetectionError):
    """The time budget for a prompt was exceeded."""


class RecognizerFailed(DetectionError):
    """A recognizer raised an unexpected exception."""
