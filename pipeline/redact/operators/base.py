"""The operator contract: ``(value, entity_type, params, context) -> replacement``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pipeline.redact.pseudonyms import PseudonymBook

__all__ = ["Operator", "OperatorContext"]


@dataclass(frozen=True, slots=True)
class OperatorContext:
    """What an operator may need beyond the span: conversation state and keys."""

    book: PseudonymBook
    hmac_key: bytes | None = None
    taken: Callable[[str], bool] = lambda token: False


class Operator(Protocol):
    """Replace one sensitive value; the result must not contain the value."""

    def __call__(
        self, value: str, entity_type: str, params: Mapping[str, Any], ctx: OperatorContext
    ) -> str: ...
