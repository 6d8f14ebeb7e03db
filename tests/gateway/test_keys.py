"""API keys: hashed storage, lookup, and rotation by editing the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.gateway.keys import KeysFileError, KeyStore, hash_key, new_key, parse_keys


def entry(key: str, tenant: str = "acme") -> dict[str, str]:
    return {"sha256": hash_key(key), "tenant": tenant, "app": "a", "user": "u"}


def write(path: Path, *entries: dict[str, str]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(list(entries)))
    tmp.replace(path)


def test_lookup_by_hash_only(tmp_path: Path) -> None:
    key = new_key()
    path = tmp_path / "keys.json"
    write(path, entry(key))
    store = KeyStore(path)
    assert key not in path.read_text()
    found = store.lookup(key)
    assert found is not None and found.tenant == "acme"
    assert store.lookup(key + "x") is None


def test_rotation_without_restart(tmp_path: Path) -> None:
    old, new = new_key(), new_key()
    path = tmp_path / "keys.yaml"
    write(path, entry(old))
    results: list[str] = []
    store = KeyStore(path, on_reload=results.append)
    assert not store.maybe_reload()  # unchanged file: nothing to do
    write(path, entry(new, "globex"))
    assert store.maybe_reload()
    assert store.lookup(old) is None
    found = store.lookup(new)
    assert found is not None and found.tenant == "globex"
    assert results == ["ok"]


def test_broken_file_keeps_previous_keys_and_reports(tmp_path: Path) -> None:
    key = new_key()
    path = tmp_path / "keys.json"
    write(path, entry(key))
    results: list[str] = []
    store = KeyStore(path, on_reload=results.append)
    path.write_text('[{"sha256": "nothex", "tenant": "t", "app": "a"}]')
    assert not store.maybe_reload()
    assert store.lookup(key) is not None
    assert results == ["error"]


def test_inline_keys_and_yaml_mapping_form() -> None:
    key = new_key()
    inline = f"keys:\n  - sha256: {hash_key(key)}\n    tenant: t\n    app: a\n"
    store = KeyStore(inline=inline)
    assert store.lookup(key) is not None and len(store) == 1


@pytest.mark.parametrize(
    "text",
    [
        "{not yaml",
        '"a string"',
        '[{"tenant": "t", "app": "a"}]',
        '[{"sha256": "s3cr3t-typed-here", "tenant": "t", "app": "a"}]',
    ],
)
def test_invalid_keys_are_refused_without_echoing_them(text: str) -> None:
    with pytest.raises(KeysFileError) as caught:
        parse_keys(text)
    assert "s3cr3t" not in str(caught.value)
    assert caught.value.__cause__ is None  # no chained error carrying the input either
