"""A compact index of real-world given and family names, derived from the names-dataset package.

names-dataset 3.3.1 ships its data as two gzipped pickles (727k given, 984k family names, with
per-country frequency ranks); loading them takes about 1 GB and half a minute, far too much for a
worker. So the index is derived once: names ranked within ``MAX_RANK`` in at least one country,
plus a tier of names ranked within ``TOP_RANK``, each stored as an 8-byte hash of its
casefolded form in a sorted numpy array (about 5 MB on disk
and in memory), looked up by binary search. It is built at install time (``scripts/bootstrap``
runs ``python -m pipeline.detect.names_index``); if the file is missing at first use, the build
runs in a child process, so the worker never holds the full dataset. No list is written by hand
or taken from any corpus: the package's own data is the only source.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import importlib.util
import os
import pickle
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["MAX_RANK", "TOP_RANK", "NamesIndex", "build", "default_path", "names_index"]

MAX_RANK = 5000
TOP_RANK = 1000  # the "well-established name" tier
_PACKAGE = "names-dataset"


def _key(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.casefold().encode(), digest_size=8).digest(), "big")


def default_path() -> Path:
    """Where the index lives: ``PROMPT_DLP_NAMES_INDEX`` or beside the venv's other data."""
    override = os.environ.get("PROMPT_DLP_NAMES_INDEX")
    if override:
        return Path(override)
    version = importlib.metadata.version(_PACKAGE)
    name = f"names-{version}-r{MAX_RANK}-t{TOP_RANK}.npz"
    return Path(sys.prefix) / "share" / "prompt-dlp" / name


def _data_dir() -> Path:
    spec = importlib.util.find_spec("names_dataset")
    if spec is None or spec.origin is None:
        raise RuntimeError("names-dataset is not installed")
    return Path(spec.origin).parent / "v3"


def _ranked(path: Path) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """(names ranked within MAX_RANK somewhere, names ranked within TOP_RANK somewhere)."""
    with gzip.open(path, "rb") as fh:
        data = pickle.load(fh)
    best = {name: min(info["rank"].values()) for name, info in data.items()
            if info.get("rank") and name.isalpha()}
    del data
    every = {_key(n) for n, r in best.items() if r <= MAX_RANK}
    top = {_key(n) for n, r in best.items() if r <= TOP_RANK}
    return np.array(sorted(every), dtype=np.uint64), np.array(sorted(top), dtype=np.uint64)


def build(out: Path, data: Path | None = None) -> None:
    """Derive the index from names-dataset's data files (``data``: their folder) into ``out``."""
    data = data or _data_dir()
    first, first_top = _ranked(data / "first_names.pkl.gz")
    last, last_top = _ranked(data / "last_names.pkl.gz")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, first=first, last=last,
                        top=np.union1d(first_top, last_top).astype(np.uint64))
    tmp.replace(out)


class NamesIndex:
    """Membership of a word among given names and family names (case-insensitive)."""

    def __init__(self, path: Path) -> None:
        with np.load(path) as data:
            self._first = data["first"]
            self._last = data["last"]
            self._top = data["top"]

    @staticmethod
    def _has(table: npt.NDArray[np.uint64], key: np.uint64) -> bool:
        i = int(np.searchsorted(table, key))
        return i < len(table) and table[i] == key

    @lru_cache(maxsize=131_072)  # noqa: B019 - one index per process, words repeat
    def _lookup(self, word: str) -> tuple[bool, bool, bool]:
        key = np.uint64(_key(word))
        return (self._has(self._first, key), self._has(self._last, key),
                self._has(self._top, key))

    def is_given(self, word: str) -> bool:
        return self._lookup(word)[0]

    def is_family(self, word: str) -> bool:
        return self._lookup(word)[1]

    def is_name(self, word: str) -> bool:
        given, family, _ = self._lookup(word)
        return given or family

    def is_established(self, word: str) -> bool:
        """Ranked within ``TOP_RANK`` as a given or family name in some country."""
        return self._lookup(word)[2]


@lru_cache(maxsize=1)
def names_index() -> NamesIndex:
    """The process's index; built in a child process first if the file is missing."""
    path = default_path()
    if not path.exists():
        subprocess.run([sys.executable, "-m", "pipeline.detect.names_index", str(path)],
                       check=True, timeout=600)
    return NamesIndex(path)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else default_path()
    build(out)
    print(f"names index written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
