"""The CLI group over the in-memory store: every command, its output and its records."""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from pipeline.config import Settings
from pipeline.crypto import KeyRing
from pipeline.quarantine import commands
from pipeline.quarantine.model import ReviewState

from .conftest import AWS_SECRET


@pytest.fixture
def cli(seeded, key_spec, monkeypatch):  # type: ignore[no-untyped-def]
    svc, sink = seeded
    monkeypatch.setattr(commands, "open_store", lambda settings: svc.store)
    settings = Settings(vault_keys=SecretStr(key_spec))

    def run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(commands.quarantine, list(args), obj=settings, env=env)

    return run, svc, sink


def test_list_filters_and_json(cli):
    """list prints a table, filters by tenant, and emits JSON without envelopes."""
    run, _, _ = cli
    out = run("list")
    assert out.exit_code == 0, out.output
    assert "p-secret" in out.output and "p-email" in out.output
    out = run("list", "--tenant", "globex", "--json")
    data = orjson.loads(out.output)
    assert [d["id"] for d in data] == ["p-email"]
    assert "original" not in data[0]


def test_show_masks_the_secret(cli):
    """show prints findings and the masked prompt, never the value."""
    run, _, sink = cli
    out = run("show", "p-secret")
    assert out.exit_code == 0, out.output
    assert "AWS_SECRET_ACCESS_KEY" in out.output and AWS_SECRET not in out.output
    assert sink.records[-1].value["event"] == "viewed"


def test_reveal_prints_original_and_audits_the_user(cli):
    """reveal prints the original; the audit names --as-user."""
    run, _, sink = cli
    out = run("--as-user", "carol", "reveal", "p-secret")
    assert out.exit_code == 0 and AWS_SECRET in out.output
    audit = sink.records[-1].value
    assert (audit["event"], audit["actor"], audit["detail"]["via"]) == ("revealed", "carol", "cli")


def test_reviewer_from_environment(cli):
    """PROMPT_DLP_REVIEWER names the reviewer when --as-user is absent."""
    run, svc, _ = cli
    out = run("release", "p-secret", env={"PROMPT_DLP_REVIEWER": "dave"})
    assert out.exit_code == 0, out.output
    assert svc.store.get("p-secret").history[-1].actor == "dave"


def test_release_original_needs_justification(cli):
    """--as original without --justification fails with a message and changes nothing."""
    run, svc, _ = cli
    out = run("release", "p-secret", "--as", "original")
    assert out.exit_code == 1 and "justification is required" in out.output
    assert svc.store.get("p-secret").state is ReviewState.PENDING
    out = run("release", "p-secret", "--as", "original", "--justification", "sample key")
    assert out.exit_code == 0 and svc.store.get("p-secret").state is ReviewState.RELEASED


def test_reject_needs_reason(cli):
    """reject requires --reason and sends it to the requester."""
    run, _svc, sink = cli
    assert run("reject", "p-email").exit_code == 2
    out = run("reject", "p-email", "--reason", "no customer data")
    assert out.exit_code == 0
    assert sink.on("prompts.responses")[-1].value["reason"] == "no customer data"


def test_purge_by_age_and_id(cli):
    """purge tombstones old items and named ids; without options it refuses."""
    run, svc, sink = cli
    assert run("purge").exit_code == 2
    out = run("purge", "--older-than", "30", "--id", "p-secret")
    assert out.exit_code == 0 and "purged 2" in out.output
    assert svc.store.get("p-old") is None and svc.store.get("p-secret") is None
    assert [r.value for r in sink.on("dlp.quarantine.state")] == [None, None]


def test_unknown_id_is_an_error(cli):
    """A missing id exits 1 with a message naming it."""
    run, _, _ = cli
    out = run("show", "nope")
    assert out.exit_code == 1 and "nope" in out.output


def test_keyring_from_settings():
    """Vault keys come from the inline setting."""
    spec = KeyRing.generate_spec("k9")
    assert commands.keyring_for(Settings(vault_keys=SecretStr(spec))).active_kid == "k9"
