"""`make bench` runs a module that exists, and the benchmarks stand apart from the tests."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_make_bench_runs_an_existing_module() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    target = re.search(r"^bench:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert target is not None
    modules = re.findall(r"python -m ([\w.]+)", target.group(1))
    assert modules, target.group(1)
    for module in modules:
        assert importlib.util.find_spec(module) is not None, module


def test_bench_does_not_import_from_tests() -> None:
    offenders = []
    for path in sorted((REPO / "bench").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(REPO)}: {n}" for n in names
                          if n == "tests" or n.startswith("tests.")]
    assert offenders == []
