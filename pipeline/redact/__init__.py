"""Redact: operators by name, consistent pseudonyms, the encrypted vault, re-identification."""

from pipeline.redact.engine import redact, redaction_spans
from pipeline.redact.operators import OPERATORS, get_operator
from pipeline.redact.pseudonyms import PseudonymBook
from pipeline.redact.reidentify import reidentify
from pipeline.redact.vault import (
    MappingVaultStore,
    VaultEntry,
    VaultStore,
    erase_user,
    load_book,
    open_book,
    purge_expired,
    save_book,
    seal_book,
)

__all__ = [
    "OPERATORS",
    "MappingVaultStore",
    "PseudonymBook",
    "VaultEntry",
    "VaultStore",
    "erase_user",
    "get_operator",
    "load_book",
    "open_book",
    "purge_expired",
    "redact",
    "redaction_spans",
    "reidentify",
    "save_book",
    "seal_book",
]
