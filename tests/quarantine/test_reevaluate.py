"""The real reevaluator: today's detectors and default policy re-judge held prompts."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from pipeline.config import Settings
from pipeline.quarantine.rescan import rescan
from pipeline.quarantine.testing import memory_service, quarantine_record

LIVE_LOOKING_KEY = "h3Kq9Zr/T8vLw2Xy7PmN4bQs1Df6Gj0Ae5Rc+UoI"  # not AWS's documented sample


async def test_rescan_with_current_policy(keyring, key_spec):
    """A clean prompt held by a detection timeout is released; a live secret stays blocked."""
    try:
        from pipeline.quarantine.reevaluate import PolicyReevaluator

        judge = PolicyReevaluator(Settings(vault_keys=SecretStr(key_spec)))
    except (ImportError, OSError) as exc:  # detectors or the spaCy model not installed here
        pytest.skip(f"detection stack unavailable: {exc}")
    svc, sink, _ = memory_service(keyring)
    clean = [("user", "Summarise the plot of Hamlet in two sentences.")]
    secret = [("user", f"aws_secret_access_key = {LIVE_LOOKING_KEY}")]
    svc.store.apply_quarantined(quarantine_record(keyring, "clean", clean, [],
                                                  reasons=("detection timed out",)))
    svc.store.apply_quarantined(quarantine_record(keyring, "secret", secret, []))
    report = await rescan(svc, judge)
    assert report.released == ["clean"] and report.still_blocked == ["secret"]
    [approved] = sink.on("prompts.approved")
    assert approved.value["released_by"] == "rescan"


async def test_rescan_reads_the_hmac_key_from_its_file(keyring, key_spec, tmp_path):
    """PROMPT_DLP_HMAC_KEY_FILE (compose/k8s) works for rescan: fingerprints match, not crash."""
    import yaml

    from pipeline.config import DEFAULT_POLICY
    from pipeline.detect.custom import fingerprint

    key, org_secret = b"hmac-key-for-this-test-only", "corp-dep10y-9f3k2m7q4w8z"
    policy = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    policy.setdefault("lists", {})["fingerprints"] = [fingerprint(org_secret, key)]
    (tmp_path / "policy.yaml").write_text(yaml.safe_dump(policy), encoding="utf-8")
    (tmp_path / "hmac").write_bytes(key + b"\n")
    settings = Settings(vault_keys=SecretStr(key_spec), hmac_key_file=tmp_path / "hmac",
                        policy_file=tmp_path / "policy.yaml")
    from pipeline.quarantine.reevaluate import PolicyReevaluator

    judge = PolicyReevaluator(settings)
    svc, _, _ = memory_service(keyring)
    held = [("user", f"deploy with token {org_secret} tonight")]
    clean = [("user", "Summarise the plot of Hamlet in two sentences.")]
    svc.store.apply_quarantined(quarantine_record(keyring, "org", held, []))
    svc.store.apply_quarantined(quarantine_record(keyring, "clean", clean, []))
    report = await rescan(svc, judge, dry_run=True)
    assert report.still_blocked == ["org"] and report.released == ["clean"]
