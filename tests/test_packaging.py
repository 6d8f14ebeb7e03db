"""A fresh ``pip install`` works: the wheel carries its data, every import is declared.

The wheel test builds the package, installs it in a new venv in a temp dir (dependencies
from the package index through pip's cache, as the bootstrap does) and runs the installed
``prompt-dlp`` from a directory outside the repository, first without the spaCy model
(one-line error naming the install command) and then with it.
"""

from __future__ import annotations

import ast
import filecmp
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import orjson
import pytest

REPO = Path(__file__).resolve().parents[1]


def _tree(root: Path) -> dict[str, bytes]:
    files = sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


def test_shipped_schemas_are_the_published_ones() -> None:
    """``pipeline/schemas`` (in the wheel) and ``schemas/`` (published) hold the same files."""
    published, shipped = _tree(REPO / "schemas"), _tree(REPO / "pipeline" / "schemas")
    assert sorted(published) == sorted(shipped)
    assert [name for name in published if published[name] != shipped[name]] == []


def test_shipped_model_pins_are_the_repository_ones() -> None:
    assert filecmp.cmp(
        REPO / "requirements" / "model.txt", REPO / "pipeline" / "model-requirements.txt",
        shallow=False,
    )


def _imported_modules() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "pipeline").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"pipeline", "__future__"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_distribution_is_declared() -> None:
    """A package the code imports must be a declared dependency, not a transitive accident."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_canonical(re.split(r"[<>=!~\[; ]", dep, maxsplit=1)[0])
                for dep in project["dependencies"]}
    providers = importlib.metadata.packages_distributions()
    undeclared: dict[str, list[str]] = {}
    for module in sorted(_imported_modules()):
        dists = providers.get(module, [module])
        if not declared & {_canonical(d) for d in dists}:
            undeclared[module] = dists
    assert undeclared == {}


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
         stdin: bytes | None = None, timeout: float = 900) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, input=stdin,
                          capture_output=True, timeout=timeout, check=False)


def _ok(done: subprocess.CompletedProcess[bytes]) -> subprocess.CompletedProcess[bytes]:
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-4000:])
    return done


@pytest.mark.timeout(1500)
def test_wheel_installs_and_runs_in_a_clean_venv(tmp_path: Path) -> None:
    dist, venv, elsewhere = tmp_path / "dist", tmp_path / "venv", tmp_path / "cwd"
    elsewhere.mkdir()
    source = tmp_path / "src"  # setuptools builds in place: keep the checkout clean
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".data", "build", "target", "__pycache__", "*.egg-info", "tests"))
    _ok(_run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, source,
             cwd=tmp_path))
    [wheel] = dist.glob("prompt_dlp-*.whl")
    _ok(_run(sys.executable, "-m", "venv", venv, cwd=tmp_path))
    pip = [venv / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    _ok(_run(*pip, wheel, cwd=elsewhere))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROMPT_DLP_", "PYTHON"))}
    cli = venv / "bin" / "prompt-dlp"
    assert b"scan" in _ok(_run(cli, "--help", cwd=elsewhere, env=env)).stdout

    line = orjson.dumps({"id": "w1", "tenant": "t", "user": "u", "model": "m",
                         "messages": [{"role": "user", "content": "Email ana@example.org"}]})
    missing = _run(cli, "scan", "-", cwd=elsewhere, env=env, stdin=line + b"\n")
    assert missing.returncode != 0
    assert b"Traceback" not in missing.stderr
    [message] = missing.stderr.decode().strip().splitlines()
    assert "pip install --no-deps --require-hashes -r" in message, message

    _ok(_run(*pip, "--no-deps", "--require-hashes", "-r", REPO / "requirements" / "model.txt",
             cwd=elsewhere))
    done = _ok(_run(cli, "scan", "-", cwd=elsewhere, env=env, stdin=line + b"\n"))
    [result] = [orjson.loads(x) for x in done.stdout.splitlines()]
    assert result["id"] == "w1" and result["action"] == "redact"
    assert "ana@example.org" not in done.stdout.decode()
