"""Prefix-based provider tokens: GitHub, GitLab, Slack, Stripe, OpenAI, Anthropic, Google, ..."""

import zlib
from collections.abc import Callable

import pytest

from pipeline.detect.base import Deadline, Recognizer
from pipeline.detect.recognizers.secrets.azure import AzureStorageKeyRecognizer
from pipeline.detect.recognizers.secrets.github import GithubTokenRecognizer
from pipeline.detect.recognizers.secrets.gitlab import GitlabTokenRecognizer
from pipeline.detect.recognizers.secrets.google import GoogleApiKeyRecognizer
from pipeline.detect.recognizers.secrets.openai import AnthropicKeyRecognizer, OpenAiKeyRecognizer
from pipeline.detect.recognizers.secrets.packages import NpmTokenRecognizer, PypiTokenRecognizer
from pipeline.detect.recognizers.secrets.sendgrid import SendgridKeyRecognizer
from pipeline.detect.recognizers.secrets.slack import SlackTokenRecognizer, SlackWebhookRecognizer
from pipeline.detect.recognizers.secrets.stripe import StripeSecretKeyRecognizer

Spans = Callable[..., list[str]]
R62 = "Xk9fQ2mLp7RtZv4sWb8NcYe3Jh6GaDu5oKiE1TyVnMqPrS0lBwCxHgFjUz"
SLACK = "xoxb-2851937406-7391846025-Xk9fQ2mLp7RtZv4sWb8NcYe3"
LEGACY = "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"
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def github_token(body30: str) -> str:
    """A ghp_ token with a correct CRC32 checksum."""
    value, digits = zlib.crc32(body30.encode()), ""
    while value:
        value, rem = divmod(value, 62)
        digits = _B62[rem] + digits
    return "ghp_" + body30 + digits.rjust(6, "0")


CASES: list[tuple[Recognizer, str, list[str]]] = [
    (GithubTokenRecognizer(), f"auth: '{github_token(R62[:30])}'", [github_token(R62[:30])]),
    (GithubTokenRecognizer(), f"ghp_{R62[:36]}", [f"ghp_{R62[:36]}"]),  # bad CRC: still found
    (GithubTokenRecognizer(), f"github_pat_{R62[:22]}_{R62[:59]}",
     [f"github_pat_{R62[:22]}_{R62[:59]}"]),
    (GithubTokenRecognizer(), "ghp_short", []),
    (GitlabTokenRecognizer(), f"PRIVATE-TOKEN: glpat-{R62[:20]}", [f"glpat-{R62[:20]}"]),
    (SlackTokenRecognizer(), SLACK, [SLACK]),
    (SlackTokenRecognizer(), "token: xoxb-your-bot-token", []),
    (SlackWebhookRecognizer(), "https://hooks.slack.com/services/T0AB12CD/B0XY98ZW/" + R62[:24],
     ["https://hooks.slack.com/services/T0AB12CD/B0XY98ZW/" + R62[:24]]),
    (StripeSecretKeyRecognizer(), f"api_key = 'sk_live_{R62[:24]}'", [f"sk_live_{R62[:24]}"]),
    (StripeSecretKeyRecognizer(), f"rk_test_{R62[:24]}", [f"rk_test_{R62[:24]}"]),
    (StripeSecretKeyRecognizer(), "sk_live_xxxxxxxxxxxxxxxxxxxx", []),
    (StripeSecretKeyRecognizer(), f"pk_live_{R62[:24]}", []),  # publishable keys are public
    (OpenAiKeyRecognizer(), f"sk-proj-{R62[:40]}", [f"sk-proj-{R62[:40]}"]),
    (OpenAiKeyRecognizer(), f"key: {LEGACY}", [LEGACY]),
    (OpenAiKeyRecognizer(), "OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", []),
    (AnthropicKeyRecognizer(), f"sk-ant-api03-{R62[:50]}", [f"sk-ant-api03-{R62[:50]}"]),
    (GoogleApiKeyRecognizer(), f"key=AIza{R62[:35]}&q=1", [f"AIza{R62[:35]}"]),
    (GoogleApiKeyRecognizer(), f"AIza{R62[:20]}", []),
    (SendgridKeyRecognizer(), f"SG.{R62[:22]}.{R62[:43]}", [f"SG.{R62[:22]}.{R62[:43]}"]),
    (NpmTokenRecognizer(), f"//registry.npmjs.org/:_authToken=npm_{R62[:36]}",
     [f"npm_{R62[:36]}"]),
    (PypiTokenRecognizer(), f"password = pypi-AgEIcHlwaS5vcmc{R62[:50]}",
     [f"pypi-AgEIcHlwaS5vcmc{R62[:50]}"]),
    (AzureStorageKeyRecognizer(), f"AccountName=acme;AccountKey={R62[:50]}{R62[:36]}==;Endpoint",
     [f"{R62[:50]}{R62[:36]}=="]),
]


@pytest.mark.parametrize(("recognizer", "text", "expected"), CASES)
def test_provider_tokens(
    recognizer: Recognizer, text: str, expected: list[str], spans: Spans
) -> None:
    """Each provider's token shape is found exactly; placeholders and public keys are not."""
    assert spans(recognizer, text) == expected


def test_github_checksum_raises_confidence() -> None:
    """A valid CRC32 gives a higher score than a random body, which is still reported."""
    rec = GithubTokenRecognizer()
    good = list(rec.scan(github_token(R62[:30]), "", _deadline()))
    bad = list(rec.scan("ghp_" + R62[:36], "", _deadline()))
    assert good[0].score > bad[0].score > 0.5


def _deadline() -> Deadline:
    return Deadline(5.0)
