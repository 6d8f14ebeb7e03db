"""The exception tree. Messages never contain prompt content or detected values.

PromptDlpError
├── ConfigError            bad settings or policy file; stops the process, names the key
├── InvalidEvent           an inbound event that cannot be processed → prompts.dlq
│   (carries a stable ``reason`` code: invalid_json, not_utf8, too_large, schema_violation)
├── DetectionError         detection failed or overran its budget → quarantine (fail closed)
├── DecryptionError        an envelope does not open with the configured keys
└── DispatchError          the LLM call failed
├── RetryableDispatchError   429/5xx/timeouts: back off and try again
└── PermanentDispatchError   4xx, malformed replies after retries → prompts.dlq
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ConfigError",
    "DecryptionError",
    "DetectionError",
    "DetectionFailure",
    "DispatchError",
    "InvalidEvent",
    "PermanentDispatchError",
    "PromptDlpError",
    "RetryableDispatchError",
]


class PromptDlpError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(PromptDlpError):
    """A setting or policy entry is wrong; ``key`` names it."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


class InvalidEvent(PromptDlpError):
    """An inbound event we cannot process; ``reason`` is a stable machine code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class DetectionError(PromptDlpError):
    """Detection raised or overran its time budget; the event must not be approved."""


class DetectionFailure(StrEnum):
    """Why detection failed: the one bounded label value set.

    The metric's ``kind``, its primed series, the alert rules and their tests all
    use these values (``tests/metrics/test_failure_kinds.py`` checks the rules).
    """

    TIMEOUT = "timeout"
    ERROR = "error"

    @classmethod
    def of(cls, exc: BaseException) -> DetectionFailure:
        """An overrun (the engine's budget or the runner's backstop) or anything else."""
        from pipeline.detect.errors import DetectionTimeout

        return cls.TIMEOUT if isinstance(exc, DetectionTimeout | TimeoutError) else cls.ERROR


class DecryptionError(PromptDlpError):
    """An encrypted envelope could not be opened."""


class DispatchError(PromptDlpError):
    """The LLM API call did not produce a usable answer."""


class RetryableDispatchError(DispatchError):
    """Transient failure; ``retry_after`` seconds is the server's hint, if any."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentDispatchError(DispatchError):
    """Retrying will not help (or the retry budget is spent); the prompt goes to the DLQ.

    ``retry_after`` is the upstream's last hint, kept so the requester hears it too.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
