"""``PseudonymBook``: one conversation's placeholder ↔ original mapping.

A value gets one placeholder for the whole conversation (``<PERSON_1>``,
``<EMAIL_ADDRESS_1>``, numbered per entity type in order of first sight), so
the model sees a consistent text and its answer can be re-identified exactly.
The book serialises to bytes for the encrypted vault (``vault.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from pipeline.errors import DecryptionError

__all__ = ["PLACEHOLDER_RE", "PseudonymBook", "placeholder_token"]

PLACEHOLDER_RE = re.compile(r"<([A-Z0-9_]+)_([1-9][0-9]*)>")
_FORMAT = 1


def placeholder_token(entity_type: str, number: int) -> str:
    return f"<{entity_type}_{number}>"


def _never_taken(token: str) -> bool:
    return False


class PseudonymBook:
    """Placeholders of one conversation; mutable, grows as turns are redacted."""

    def __init__(self, entries: tuple[tuple[str, str, str], ...] = ()) -> None:
        self._by_value: dict[str, str] = {}
        self._by_token: dict[str, tuple[str, str]] = {}
        self._counters: dict[str, int] = {}
        for token, entity_type, original in entries:
            self._add(token, entity_type, original)

    def _add(self, token: str, entity_type: str, original: str) -> None:
        match = PLACEHOLDER_RE.fullmatch(token)
        if match is None or match[1] != entity_type or token in self._by_token:
            raise ValueError("malformed pseudonym book entry")
        self._by_value[original] = token
        self._by_token[token] = (entity_type, original)
        number = int(match[2])
        self._counters[entity_type] = max(self._counters.get(entity_type, 0), number)

    def placeholder_for(
        self, value: str, entity_type: str, taken: Callable[[str], bool] = _never_taken
    ) -> str:
        """Return the value's placeholder, minting the next free number of its type if new.

        ``taken(token)`` says a token already occurs literally in the text, so a
        placeholder never collides with text the user typed.
        """
        known = self._by_value.get(value)
        if known is not None:
            return known
        number = self._counters.get(entity_type, 0) + 1
        while taken(placeholder_token(entity_type, number)):
            number += 1
        token = placeholder_token(entity_type, number)
        self._add(token, entity_type, value)
        return token

    def original(self, token: str) -> str | None:
        entry = self._by_token.get(token)
        return None if entry is None else entry[1]

    def kind(self, token: str) -> str | None:
        entry = self._by_token.get(token)
        return None if entry is None else entry[0]

    def entries(self) -> Iterator[tuple[str, str, str]]:
        """Yield ``(placeholder, entity_type, original)`` in the order they were minted."""
        for token, (entity_type, original) in self._by_token.items():
            yield token, entity_type, original

    def __len__(self) -> int:
        return len(self._by_token)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PseudonymBook) and list(self.entries()) == list(other.entries())

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:  # never the originals
        return f"PseudonymBook({len(self)} placeholders)"

    def to_bytes(self) -> bytes:
        payload = {"format": _FORMAT, "entries": [list(e) for e in self.entries()]}
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> PseudonymBook:
        try:
            payload = json.loads(data.decode("utf-8"))
            if payload.get("format") != _FORMAT:
                raise ValueError("unknown pseudonym book format")
            return cls(tuple((str(t), str(k), str(o)) for t, k, o in payload["entries"]))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise DecryptionError("pseudonym book does not parse") from exc
