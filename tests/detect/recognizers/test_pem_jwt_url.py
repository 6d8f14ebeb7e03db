import base64
import json
from collections.abc import Callable

import pytest

from pipeline.detect.recognizers.secrets.jwt import JwtRecognizer
from pipeline.detect.recognizers.secrets.pem import PrivateKeyRecognizer
from pipeline.detect.recognizers.secrets.url_password import UrlPasswordRecognizer

Spans = Callable[..., list[str]]
BODY = "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC7" * 3


def _b64(obj: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


JWT = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64({'sub': 'u1', 'iat': 1})}.c2lnbmF0dXJlX2J5dGVz"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"-----BEGIN RSA PRIVATE KEY-----\n{BODY}\n-----END RSA PRIVATE KEY-----\n",
         [f"-----BEGIN RSA PRIVATE KEY-----\n{BODY}\n-----END RSA PRIVATE KEY-----"]),
        (f'"private_key": "-----BEGIN PRIVATE KEY-----\\n{BODY}\\n-----END PRIVATE KEY-----\\n"',
         [f"-----BEGIN PRIVATE KEY-----\\n{BODY}\\n-----END PRIVATE KEY-----"]),
        (f"-----BEGIN OPENSSH PRIVATE KEY-----\n{BODY}\n\nthanks",  # pasted without END
         [f"-----BEGIN OPENSSH PRIVATE KEY-----\n{BODY}"]),
        (f"-----BEGIN CERTIFICATE-----\n{BODY}\n-----END CERTIFICATE-----", []),
        (f"-----BEGIN PUBLIC KEY-----\n{BODY}\n-----END PUBLIC KEY-----", []),
    ],
)
def test_private_key_blocks(text: str, expected: list[str], spans: Spans) -> None:
    """Private key blocks are reported whole; certificates and public keys are not."""
    assert spans(PrivateKeyRecognizer(), text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Authorization: Bearer {JWT}", [JWT]),
        (f"{_b64({'typ': 'JWT'})}.{_b64({'sub': 'x'})}.sig", []),  # header without alg
        ("eyJub3QganNvbg.eyJ4IjoxfQ.abc", []),  # header is not JSON
    ],
)
def test_jwt(text: str, expected: list[str], spans: Spans) -> None:
    """JWTs need a base64url JSON header with an alg field."""
    assert spans(JwtRecognizer(), text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DATABASE_URL=postgres://app:S3cr3t-Pw@db.internal:5432/app", ["S3cr3t-Pw"]),
        ("amqp://admin:p@ss:w0rd!@rabbit:5672", ["p@ss:w0rd!"]),
        ("redis://:r3d1sPass@cache:6379/0", ["r3d1sPass"]),
        ("postgres://app:${DB_PASSWORD}@db/app", []),
        ("https://ci-bot:<password>@git.example.org/x.git", []),
        ("mysql://user:password@localhost/db", []),
        ("https://git.example.org/org/repo.git", []),
    ],
)
def test_password_in_url(text: str, expected: list[str], spans: Spans) -> None:
    """Only the literal password span of a URL is reported; references and placeholders are not."""
    assert spans(UrlPasswordRecognizer(), text) == expected
