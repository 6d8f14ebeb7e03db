"""Every PROMPT_DLP_* variable in compose, k8s and the Dockerfile is a real Settings field.

Settings ignores unknown variables (extra="ignore"), so a typo would silently
fall back to a default; this test is what catches it.
"""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import Any, Union

import pytest
import yaml
from pydantic import BaseModel

from pipeline.config import Settings
from tests.deploy.support import COMPOSE, K8S, REPO

PREFIX = "PROMPT_DLP_"


def compose_env() -> dict[str, str]:
    doc = yaml.safe_load(COMPOSE.read_text())
    env: dict[str, str] = {}
    for service in doc["services"].values():
        for name, value in (service.get("environment") or {}).items():
            env[name] = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))
    return env


def k8s_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for line in (K8S / "settings.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    for path in K8S.glob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text()):
            if not isinstance(doc, dict) or doc.get("kind") != "Deployment":
                continue
            for container in doc["spec"]["template"]["spec"]["containers"]:
                for var in container.get("env", []):
                    env[var["name"]] = var.get("value", "secret-from-k8s")
    return env


def dockerfile_env() -> dict[str, str]:
    text = (REPO / "Dockerfile").read_text()
    return dict(re.findall(r"(PROMPT_DLP_[A-Z0-9_]+)=(\S+)", text))


SOURCES = {"compose": compose_env, "k8s": k8s_env, "Dockerfile": dockerfile_env}


def _unwrap(annotation: Any) -> Any:
    """Strip Optional/Union-with-None."""
    if typing.get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def field_exists(env_name: str) -> bool:
    """Walk Settings by the env name's __-separated parts (dict fields take any key)."""
    parts = env_name.removeprefix(PREFIX).lower().split("__")
    current: Any = Settings
    expect_key = False
    for part in parts:
        current = _unwrap(current)
        if expect_key:
            expect_key = False
            continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            if field is None:
                return False
            current = field.annotation
            if typing.get_origin(_unwrap(current)) is dict:
                current = typing.get_args(_unwrap(current))[1]
                expect_key = True
            continue
        return False
    return not expect_key


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_env_names_are_settings_fields(source: str) -> None:
    """Each PROMPT_DLP_* name maps onto a Settings field path."""
    names = [n for n in SOURCES[source]() if n.startswith(PREFIX)]
    assert names
    unknown = [n for n in names if not field_exists(n)]
    assert not unknown, f"{source}: not Settings fields: {unknown}"


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_env_values_build_valid_settings(
    source: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Settings built from exactly these variables validate and take the values."""
    for name in list(__import__("os").environ):
        if name.startswith(PREFIX):
            monkeypatch.delenv(name)
    env = {n: v for n, v in SOURCES[source]().items() if n.startswith(PREFIX)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    if "PROMPT_DLP_METRICS_PORT" in env:
        assert settings.metrics_port == int(env["PROMPT_DLP_METRICS_PORT"])
    if "PROMPT_DLP_PARTITIONS" in env:
        assert settings.partitions == int(env["PROMPT_DLP_PARTITIONS"])


def test_field_walker_rejects_typos() -> None:
    """The checker itself: real paths pass, near-misses fail."""
    assert field_exists("PROMPT_DLP_METRICS_PORT")
    assert field_exists("PROMPT_DLP_TOPICS__INBOUND")
    assert field_exists("PROMPT_DLP_DISPATCH__DESTINATIONS__DEFAULT__BASE_URL")
    assert not field_exists("PROMPT_DLP_METRIC_PORT")
    assert not field_exists("PROMPT_DLP_TOPICS__INBOUNDS")
    assert not field_exists("PROMPT_DLP_DISPATCH__DESTINATIONS__DEFAULT__BASEURL")
    assert not field_exists("PROMPT_DLP_DISPATCH__DESTINATIONS")
