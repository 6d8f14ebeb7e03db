"""docker-compose stack and Dockerfile, validated statically (no container engine here)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.support import COMPOSE, DEPLOY, REPO, run

SERVICES = {
    "kafka", "kafka-init", "classify", "dispatch", "review", "mock-llm", "prometheus", "grafana",
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())  # type: ignore[no-any-return]


def test_stack_has_every_service(compose: dict[str, Any]) -> None:
    """Kafka, topic init, both workers, console, mock LLM, Prometheus and Grafana."""
    assert set(compose["services"]) >= SERVICES


def test_kafka_runs_kraft_and_topics_are_created_first(compose: dict[str, Any]) -> None:
    """apache/kafka in KRaft mode; workers wait for the topic init to finish."""
    kafka = compose["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert "controller" in kafka["environment"]["KAFKA_PROCESS_ROLES"]
    init = " ".join(compose["services"]["kafka-init"]["command"])
    for topic in ("prompts.inbound", "prompts.approved", "prompts.dlq", "dlp.vault"):
        assert topic in init
    for name in ("classify", "dispatch", "review"):
        depends = compose["services"][name]["depends_on"]
        assert depends["kafka-init"]["condition"] == "service_completed_successfully"


def test_pipeline_services_run_the_prompt_dlp_commands(compose: dict[str, Any]) -> None:
    """Each pipeline service is the one image with a prompt-dlp subcommand."""
    commands = {name: compose["services"][name]["command"] for name in
                ("classify", "dispatch", "review", "mock-llm")}
    assert commands["classify"] == ["worker", "--role", "classify"]
    assert commands["dispatch"] == ["worker", "--role", "dispatch"]
    assert commands["review"][:2] == ["quarantine", "serve"]
    assert commands["mock-llm"][0] == "mock-llm"
    for name in commands:
        assert compose["services"][name]["build"]["context"] == ".."


def test_each_worker_has_its_own_consumer_group(compose: dict[str, Any]) -> None:
    """Distinct groups (app id + role), so lag and scaling are per role."""
    from pipeline.config import Settings
    from pipeline.worker import group_id

    services = compose["services"]
    groups = {
        group_id(Settings(app_id=services[n]["environment"]["PROMPT_DLP_APP_ID"]), n)
        for n in ("classify", "dispatch")
    }
    assert groups == {"prompt-dlp-classify", "prompt-dlp-dispatch"}


def test_mounted_config_files_exist(compose: dict[str, Any]) -> None:
    """Every bind mount of deploy/ files points at something in the repo."""
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), f"{name}: {source}"


def test_prometheus_targets_are_compose_services(compose: dict[str, Any]) -> None:
    """Scrape targets name services of this stack on their metrics ports."""
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    for job in config["scrape_configs"]:
        for static in job["static_configs"]:
            for target in static["targets"]:
                host, port = target.split(":")
                assert host == "localhost" or host in compose["services"], target
                if host in ("classify", "dispatch"):
                    env = compose["services"][host]["environment"]
                    assert port == env["PROMPT_DLP_METRICS_PORT"]
                if host == "review":
                    env = compose["services"]["review"]["environment"]
                    assert port == env["PROMPT_DLP_REVIEW__PORT"]


def test_docker_compose_config_is_valid(tmp_path: Path) -> None:
    """`docker compose config -q` accepts the file (only where the compose plugin exists)."""
    docker = shutil.which("docker")
    if docker is None or run(docker, "compose", "version").returncode != 0:
        pytest.skip("docker compose plugin not installed; YAML checked statically above")
    secrets = DEPLOY / "secrets"
    created = not secrets.exists()
    if created:
        secrets.mkdir()
        for name in ("vault_keys", "hmac_key", "review_tokens"):
            (secrets / name).write_text("placeholder\n")
    try:
        result = run(docker, "compose", "-f", str(COMPOSE), "config", "-q")
        assert result.returncode == 0, result.stderr
    finally:
        if created:
            shutil.rmtree(secrets)


DOCKERFILE = (REPO / "Dockerfile").read_text()


def test_dockerfile_base_user_and_entrypoint() -> None:
    """python:3.11-slim, a numeric non-root user, prompt-dlp as the entrypoint."""
    bases = re.findall(r"^FROM (\S+)", DOCKERFILE, re.M)
    assert bases and all(base == "python:3.11-slim" for base in bases)
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert users and not users[-1].startswith(("root", "0"))
    assert re.search(r'^ENTRYPOINT \["prompt-dlp"\]', DOCKERFILE, re.M)


def test_dockerfile_installs_the_model_by_hash() -> None:
    """The spaCy model comes from requirements/model.txt with --require-hashes, no deps."""
    assert "--require-hashes -r requirements/model.txt" in DOCKERFILE
    assert "--no-deps" in DOCKERFILE
    assert "--hash=sha256:" in (REPO / "requirements" / "model.txt").read_text()


def test_dockerignore_keeps_state_and_secrets_out() -> None:
    """Local venvs, data dirs, git and key files never enter the build context."""
    ignored = set((REPO / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".data", "*.pem", "*.key"} <= ignored
