"""API keys: hashed at rest, mapped to tenant, app and default user, reloaded on change.

Only SHA-256 digests are stored. A slow password hash (bcrypt, argon2) is for
low-entropy secrets chosen by people; gateway keys are 256-bit random tokens
(``prompt-dlp gateway --new-key``), for which a fast digest is preimage-proof and
lets every request be checked with one dict lookup. Rotation without restart:
the file is re-read when its mtime/size/inode changes (a Kubernetes Secret
update swaps a symlink, which changes all three). A file that fails to parse
keeps the previous set and counts a failure, which alerts.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["ApiKey", "KeyStore", "KeysFileError", "hash_key", "new_key"]

_PREFIX = "sha256:"
_log = logging.getLogger(__name__)


class KeysFileError(ValueError):
    """The keys file or inline keys could not be parsed (the message names no key)."""


class ApiKey(BaseModel):
    """One caller: who they are on the bus and how fast they may go."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: str = Field(pattern=r"^(sha256:)?[0-9a-f]{64}$")
    name: str = Field(default="", max_length=128)
    tenant: str = Field(min_length=1, max_length=128)
    app: str = Field(min_length=1, max_length=128)
    user: str = Field(default="anonymous", min_length=1, max_length=256)
    requests_per_minute: float | None = Field(default=None, gt=0)

    @property
    def digest(self) -> str:
        return self.sha256.removeprefix(_PREFIX)

    @property
    def label(self) -> str:
        """A printable handle (for logs and limits): the name, or a digest prefix."""
        return self.name or self.digest[:12]


def hash_key(key: str) -> str:
    """The stored form of a key."""
    return _PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    """A fresh random key (256 bits); give it to the caller, store only its hash."""
    return "pdlp-" + secrets.token_urlsafe(32)


def parse_keys(text: str) -> dict[str, ApiKey]:
    """Parse a JSON or YAML list of keys (or ``{"keys": [...]}``) into digest → key."""
    try:
        data: Any = yaml.safe_load(text) if text.strip() else []
    except yaml.YAMLError as exc:
        raise KeysFileError(f"not YAML/JSON: {type(exc).__name__}") from None
    if isinstance(data, Mapping):
        data = data.get("keys", [])
    if not isinstance(data, list):
        raise KeysFileError("expected a list of keys")
    out: dict[str, ApiKey] = {}
    for index, entry in enumerate(data):
        try:
            key = ApiKey.model_validate(entry)
        except ValidationError as exc:
            fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
            raise KeysFileError(f"key #{index}: invalid {', '.join(fields)}") from None
        out[key.digest] = key
    return out


@dataclass(frozen=True, slots=True)
class _Stamp:
    mtime_ns: int
    size: int
    inode: int


class KeyStore:
    """The current key set; ``lookup`` is O(1), ``maybe_reload`` is called periodically."""

    def __init__(
        self,
        path: Path | None = None,
        inline: str | None = None,
        on_reload: Callable[[str], None] = lambda _result: None,
    ) -> None:
        self._path = path
        self._inline = parse_keys(inline) if inline else {}
        self._file: dict[str, ApiKey] = {}
        self._stamp: _Stamp | None = None
        self._on_reload = on_reload
        if path is not None:
            self._file = parse_keys(path.read_text(encoding="utf-8"))
            self._stamp = self._stat()

    def __len__(self) -> int:
        return len(self._inline.keys() | self._file.keys())

    def lookup(self, presented: str) -> ApiKey | None:
        digest = hash_key(presented).removeprefix(_PREFIX)
        return self._file.get(digest) or self._inline.get(digest)

    def _stat(self) -> _Stamp | None:
        assert self._path is not None
        try:
            st = os.stat(self._path)
        except OSError:
            return None
        return _Stamp(st.st_mtime_ns, st.st_size, st.st_ino)

    def maybe_reload(self) -> bool:
        """Re-read the file if it changed; True when a new set was loaded."""
        if self._path is None:
            return False
        stamp = self._stat()
        if stamp is None or stamp == self._stamp:
            return False
        try:
            keys = parse_keys(self._path.read_text(encoding="utf-8"))
        except (OSError, KeysFileError) as exc:
            _log.error("keys reload failed; keeping the old keys", extra={"error": str(exc)})
            self._stamp = stamp  # do not retry the same broken file every tick
            self._on_reload("error")
            return False
        self._file, self._stamp = keys, stamp
        _log.info("keys reloaded", extra={"keys": len(self)})
        self._on_reload("ok")
        return True


def dumps_entry(key: str, tenant: str, app: str, user: str) -> str:
    """A keys-file entry for ``key`` (as JSON), for ``prompt-dlp gateway --new-key``."""
    return json.dumps({"sha256": hash_key(key), "tenant": tenant, "app": app, "user": user})
