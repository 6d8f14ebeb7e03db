"""Kubernetes manifests, validated statically (no cluster here)."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
import yaml

from pipeline.config import Settings
from pipeline.metrics.server import PATHS
from pipeline.worker import group_id
from tests.deploy.support import K8S, run
from tests.deploy.test_settings_env import k8s_env

WORKERS = {"prompt-dlp-classify": "inbound", "prompt-dlp-dispatch": "approved"}
role_of = {"inbound": "classify", "approved": "dispatch"}
# Settings fields holding credentials inline (their *_FILE twins are fine anywhere).
SECRET_FIELDS = ("_API_KEY", "_VAULT_KEYS", "_HMAC_KEY", "_PASSWORD", "_TOKENS")


def raw_objects() -> list[dict[str, Any]]:
    resources = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    docs: list[dict[str, Any]] = []
    for name in resources:
        docs += [d for d in yaml.safe_load_all((K8S / name).read_text()) if d]
    return docs


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    """The rendered kustomization if kubectl is here, else the listed resources."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return raw_objects()
    result = run(kubectl, "kustomize", str(K8S))
    assert result.returncode == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def of_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def settings() -> Settings:
    env = k8s_env()
    return Settings(partitions=int(env["PROMPT_DLP_PARTITIONS"]), broker=env["PROMPT_DLP_BROKER"])


def test_every_object_has_the_required_fields(objects: list[dict[str, Any]]) -> None:
    """apiVersion, kind, metadata.name, and a spec where the kind has one."""
    assert objects
    for obj in objects:
        assert obj.get("apiVersion") and obj.get("kind"), obj
        assert obj["metadata"].get("name"), obj
        if obj["kind"] in {"Deployment", "Service", "ScaledObject"}:
            assert obj.get("spec"), obj["metadata"]["name"]


def test_deployments_exist_with_matching_selectors(objects: list[dict[str, Any]]) -> None:
    """classify, dispatch and review Deployments; selectors match their pod labels."""
    deployments = of_kind(objects, "Deployment")
    assert {"prompt-dlp-classify", "prompt-dlp-dispatch", "prompt-dlp-review"} <= set(deployments)
    for dep in deployments.values():
        labels = dep["spec"]["template"]["metadata"]["labels"]
        assert dep["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_containers_have_probes_on_real_paths_and_ports(objects: list[dict[str, Any]]) -> None:
    """Probes hit /healthz or /readyz on a declared container port; workers on the metrics port."""
    metrics_port = int(k8s_env()["PROMPT_DLP_METRICS_PORT"])
    for name, dep in of_kind(objects, "Deployment").items():
        for c in dep["spec"]["template"]["spec"]["containers"]:
            ports = {p["name"]: p["containerPort"] for p in c["ports"]}
            assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
            assert c["readinessProbe"]["httpGet"]["path"] in {"/readyz", "/healthz"}
            for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                if probe in c:
                    get = c[probe]["httpGet"]
                    assert get["path"] in PATHS
                    assert get["port"] in ports or get["port"] in ports.values(), (name, probe)
            if name in WORKERS:
                assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
                assert ports["metrics"] == metrics_port


def test_containers_have_resources_and_run_unprivileged(objects: list[dict[str, Any]]) -> None:
    """Requests and limits set; non-root, no privilege escalation, read-only root fs."""
    for name, dep in of_kind(objects, "Deployment").items():
        pod = dep["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for c in pod["containers"]:
            assert {"cpu", "memory"} <= set(c["resources"]["requests"]), name
            assert {"cpu", "memory"} <= set(c["resources"]["limits"]), name
            assert c["securityContext"]["allowPrivilegeEscalation"] is False
            assert c["securityContext"]["readOnlyRootFilesystem"] is True


def test_secrets_come_from_secret_refs_or_mounted_files(objects: list[dict[str, Any]]) -> None:
    """No credential value is inline: keys are secretKeyRefs or *_FILE paths of a mounted Secret."""
    example = yaml.safe_load((K8S / "secret.example.yaml").read_text())
    keys = set(example["stringData"])
    for dep in of_kind(objects, "Deployment").values():
        pod = dep["spec"]["template"]["spec"]
        for c in pod["containers"]:
            for var in c.get("env", []):
                if var["name"].endswith(SECRET_FIELDS):
                    ref = var["valueFrom"]["secretKeyRef"]
                    assert ref["name"] == example["metadata"]["name"] and ref["key"] in keys
        for vol in pod["volumes"]:
            if "secret" in vol:
                assert vol["secret"]["secretName"] == example["metadata"]["name"]
                assert {i["key"] for i in vol["secret"]["items"]} <= keys
    for cm in (o for o in objects if o["kind"] == "ConfigMap"):
        inline = [key for key in cm.get("data", {}) if key.endswith(SECRET_FIELDS)]
        assert not inline, f"credentials inline in ConfigMap {cm['metadata']['name']}: {inline}"


def test_mounted_secret_files_match_the_settings_paths(objects: list[dict[str, Any]]) -> None:
    """PROMPT_DLP_*_FILE paths point into the mounted secret volume."""
    env = k8s_env()
    for dep in of_kind(objects, "Deployment").values():
        pod = dep["spec"]["template"]["spec"]
        for c in pod["containers"]:
            mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
            vols = {v["name"]: v for v in pod["volumes"]}
            files = {
                f"{mounts[name]}/{item['path']}"
                for name, vol in vols.items() if "secret" in vol
                for item in vol["secret"]["items"]
            }
            wanted = {v for k, v in env.items()
                      if k.endswith(("_KEYS_FILE", "_KEY_FILE")) or k.endswith("TOKENS_FILE")}
            # A file named after a component (review_tokens, gateway_keys) is wanted in its pods.
            component = dep["metadata"]["name"].removeprefix("prompt-dlp-")
            own = ("review", "gateway")
            wanted = {w for w in wanted if not any(c in w for c in own) or component in w}
            assert wanted <= files
            assert env["PROMPT_DLP_POLICY_FILE"].startswith(mounts["policy"] + "/")


def test_keda_scaledobjects_match_workers_and_partitions(objects: list[dict[str, Any]]) -> None:
    """One Kafka ScaledObject per worker: its group is the app id, its topic the one consumed,
    and maxReplicaCount <= partitions (extra consumers would sit idle)."""
    s = settings()
    scaled = of_kind(objects, "ScaledObject")
    deployments = of_kind(objects, "Deployment")
    targets = {so["spec"]["scaleTargetRef"]["name"]: so for so in scaled.values()}
    assert set(WORKERS) == set(targets)
    for dep_name, role in WORKERS.items():
        so = targets[dep_name]
        (trigger,) = so["spec"]["triggers"]
        assert trigger["type"] == "kafka"
        meta = trigger["metadata"]
        env = {v["name"]: v.get("value") for v in
               deployments[dep_name]["spec"]["template"]["spec"]["containers"][0]["env"]}
        group = group_id(s.model_copy(update={"app_id": env["PROMPT_DLP_APP_ID"]}), role_of[role])
        assert meta["consumerGroup"] == group
        assert meta["topic"] == getattr(s.topics, role)
        assert meta["bootstrapServers"] == s.bootstrap_servers
        assert int(meta["lagThreshold"]) > 0
        assert 1 <= so["spec"]["minReplicaCount"] <= so["spec"]["maxReplicaCount"] <= s.partitions


def test_policy_configmap_is_a_valid_policy() -> None:
    """The policy shipped to the cluster loads (a bad one would stop every pod)."""
    from pipeline.decide.build import check_policy_file

    check_policy_file(K8S / "policy.yaml")


def test_kustomize_renders_configmaps(objects: list[dict[str, Any]]) -> None:
    """Settings and policy ConfigMaps are generated and referenced by name."""
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl not installed: kustomize rendering not checked")
    names = {o["metadata"]["name"] for o in objects if o["kind"] == "ConfigMap"}
    assert any(n.startswith("prompt-dlp-settings") for n in names)
    for dep in of_kind(objects, "Deployment").values():
        for c in dep["spec"]["template"]["spec"]["containers"]:
            assert c["envFrom"][0]["configMapRef"]["name"] in names
