"""AES-256-GCM envelopes with a key ring, for everything stored encrypted at rest.

Quarantined originals, DLQ payloads and the pseudonym vault never hit a topic
in clear. Keys come from ``PROMPT_DLP_VAULT_KEYS`` (or ``..._FILE``) as
``kid:base64key[,kid:base64key...]``; the first key encrypts, all decrypt,
so keys rotate by prepending a new one. The key id travels with each
envelope. The associated data binds a ciphertext to its prompt id, so an
envelope copied onto another record does not decrypt.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pipeline.errors import ConfigError, DecryptionError

if TYPE_CHECKING:
    from pipeline.config import Settings

__all__ = ["Envelope", "KeyRing", "configured_key_ring"]

_NONCE_BYTES = 12
_KEY_BYTES = 32


@dataclass(frozen=True, slots=True)
class Envelope:
    """An encrypted value as carried in events: key id, nonce, ciphertext (base64)."""

    kid: str
    nonce: str
    ciphertext: str

    def to_dict(self) -> dict[str, str]:
        return {"kid": self.kid, "nonce": self.nonce, "ciphertext": self.ciphertext}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Envelope:
        try:
            return cls(str(data["kid"]), str(data["nonce"]), str(data["ciphertext"]))
        except (KeyError, TypeError) as exc:
            raise DecryptionError("malformed envelope") from exc


class KeyRing:
    """Named AES-GCM keys; the first one is active for encryption."""

    def __init__(self, keys: dict[str, bytes]) -> None:
        if not keys:
            raise ConfigError("vault_keys", "at least one encryption key is required")
        for kid, key in keys.items():
            if len(key) != _KEY_BYTES:
                raise ConfigError(
                    "vault_keys", f"key {kid!r} must be 32 bytes (base64 of 32 bytes)"
                )
        self._keys = {kid: AESGCM(key) for kid, key in keys.items()}
        self.active_kid = next(iter(keys))

    @classmethod
    def parse(cls, spec: str) -> KeyRing:
        """Build from ``kid:base64[,kid:base64...]`` without echoing key material in errors."""
        keys: dict[str, bytes] = {}
        for part in (p.strip() for p in spec.replace("\n", ",").split(",")):
            if not part:
                continue
            kid, sep, b64 = part.partition(":")
            if not sep or not kid:
                raise ConfigError("vault_keys", "each key must be written kid:base64key")
            try:
                keys[kid] = base64.b64decode(b64, validate=True)
            except ValueError as exc:
                raise ConfigError("vault_keys", f"key {kid!r} is not valid base64") from exc
        return cls(keys)

    @staticmethod
    def generate_spec(kid: str = "k1") -> str:
        """A fresh single-key spec, for demos and tests."""
        return f"{kid}:{base64.b64encode(os.urandom(_KEY_BYTES)).decode()}"

    def encrypt(self, plaintext: bytes, aad: bytes) -> Envelope:
        nonce = os.urandom(_NONCE_BYTES)
        ct = self._keys[self.active_kid].encrypt(nonce, plaintext, aad)
        return Envelope(
            self.active_kid,
            base64.b64encode(nonce).decode(),
            base64.b64encode(ct).decode(),
        )

    def decrypt(self, envelope: Envelope, aad: bytes) -> bytes:
        aead = self._keys.get(envelope.kid)
        if aead is None:
            raise DecryptionError(f"unknown key id {envelope.kid!r}")
        try:
            return aead.decrypt(
                base64.b64decode(envelope.nonce), base64.b64decode(envelope.ciphertext), aad
            )
        except Exception as exc:  # InvalidTag, binascii.Error
            raise DecryptionError("envelope does not decrypt with this key ring") from exc


def configured_key_ring(settings: Settings) -> KeyRing | None:
    """The vault key ring from ``PROMPT_DLP_VAULT_KEYS`` (or ``_FILE``); None if unset."""
    if settings.vault_keys is not None:
        return KeyRing.parse(settings.vault_keys.get_secret_value())
    if settings.vault_keys_file is not None:
        return KeyRing.parse(settings.vault_keys_file.read_text(encoding="utf-8"))
    return None
