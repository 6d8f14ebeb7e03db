from collections.abc import Callable

import pytest

from pipeline.detect.recognizers.secrets.aws import (
    AwsAccessKeyIdRecognizer,
    AwsSecretAccessKeyRecognizer,
)

Spans = Callable[..., list[str]]
KEY_ID = "AKIA" + "Z7QW4RT2YPLM3NXK"
SECRET = "q8Vd/3kLm+Pz0rTy7uWx2bNc4eFg6hJi9oKaSlZd"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"export AWS_ACCESS_KEY_ID={KEY_ID}", [KEY_ID]),
        (f'"AccessKeyId": "ASIA{KEY_ID[4:]}"', ["ASIA" + KEY_ID[4:]]),
        ("aws_access_key_id = AKIAIOSFODNN7EXAMPLE", []),  # AWS documentation example
        (f"X{KEY_ID}", []),  # embedded in a longer token
        ("AKIA1234", []),  # too short
    ],
)
def test_access_key_id(text: str, expected: list[str], spans: Spans) -> None:
    """Key ids are found by prefix and length; the documented example is not a secret."""
    assert spans(AwsAccessKeyIdRecognizer(), text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"aws_secret_access_key={SECRET}", [SECRET]),
        (f'  "SecretAccessKey": "{SECRET}",', [SECRET]),
        (f"AWS_SECRET_ACCESS_KEY: '{SECRET}'", [SECRET]),
        ("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", []),
        (f"checksum {SECRET}", []),  # 40 base64 characters without a key name
        ("aws_secret_access_key=" + "A" * 40, []),  # no entropy
    ],
)
def test_secret_access_key(text: str, expected: list[str], spans: Spans) -> None:
    """Secret keys need an AWS secret key name before them and real entropy."""
    assert spans(AwsSecretAccessKeyRecognizer(), text) == expected
