"""The shipped default and the example policies load; lists become the engine's CustomTerms."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.decide import check_policy_file, parse_policy
from pipeline.detect.custom import CustomMatcher, CustomTerms, fingerprint
from pipeline.errors import ConfigError
from pipeline.events import Action, Category

ROOT = Path(__file__).resolve().parents[2]
KEY = b"k" * 32


def test_settings_point_at_the_shipped_default() -> None:
    """Settings.policy_file is the default policy, and it passes policy check."""
    policy = check_policy_file(Settings().policy_file)
    by_category = {r.category: r.action for r in policy.rules}
    assert by_category == {
        Category.SECRET: Action.BLOCK,
        Category.PII: Action.REDACT,
        Category.CUSTOM: Action.BLOCK,
    }
    assert policy.vault_ttl_seconds == 24 * 3600 and policy.quarantine_retention_days == 30
    assert policy.version


@pytest.mark.parametrize(
    "path", sorted((ROOT / "deploy" / "policies").glob("*.yaml")), ids=lambda p: p.name
)
def test_example_policies_are_valid(path: Path) -> None:
    """Every example under deploy/policies passes policy check."""
    assert check_policy_file(path).version


def test_custom_terms_carry_the_lists() -> None:
    """Policy lists become a CustomTerms the detection engine compiles and matches with."""
    secret = "corp-token-0000000000"
    policy = parse_policy(f"""\
version: "1"
rules: []
lists:
  deny_terms: [Project Bluebird]
  deny_patterns: ['\\bACME-\\d{{4}}\\b']
  allow_values: [help@example.com]
  allow_patterns: ['^x+$']
  fingerprints: ['{fingerprint(secret, KEY)}']
""")
    terms = policy.custom_terms(fingerprint_key=KEY)
    assert isinstance(terms, CustomTerms)
    assert terms.deny_terms == {"Project Bluebird"} and terms.allow_values == {"help@example.com"}
    matcher = CustomMatcher(terms)
    assert matcher.allowed("help@example.com") and matcher.allowed("xxx")
    assert terms.fingerprints == {fingerprint(secret, KEY)} and terms.fingerprint_key == KEY


def test_fingerprints_without_key_are_a_config_error() -> None:
    """A policy with fingerprints needs the HMAC key; without it the process stops."""
    policy = parse_policy(f'version: "1"\nrules: []\nlists: {{fingerprints: ["{"0" * 64}"]}}\n')
    with pytest.raises(ConfigError) as info:
        policy.custom_terms()
    assert info.value.key == "hmac_key"


def test_empty_lists_need_no_key() -> None:
    """The default policy's empty lists build without a key."""
    assert check_policy_file(Settings().policy_file).custom_terms() == CustomTerms()
