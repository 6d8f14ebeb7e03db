"""AWS access key ids and secret access keys."""

from __future__ import annotations

from typing import ClassVar

import regex

from pipeline.detect.base import RegexRecognizer, entropy
from pipeline.detect.placeholders import is_placeholder
from pipeline.events import Category


class AwsAccessKeyIdRecognizer(RegexRecognizer):
    """Key ids are 20 characters: a 4-letter type prefix and 16 upper-case alphanumerics."""

    entity_type = "AWS_ACCESS_KEY_ID"
    category = Category.SECRET
    keywords = ("akia", "asia", "abia", "acca", "a3t")
    # IAM "Unique identifiers" docs: AKIA (long-term), ASIA (STS), ABIA/ACCA (legacy), A3T*.
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])"
    )
    score = 0.95

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        return None if is_placeholder(match.group()) else self.score


class AwsSecretAccessKeyRecognizer(RegexRecognizer):
    """Secret keys are 40 base64 characters with no prefix, so they need a key name nearby."""

    entity_type = "AWS_SECRET_ACCESS_KEY"
    category = Category.SECRET
    keywords = ("secret", "aws")
    # AWS CLI config/credentials files, env vars, SDK dicts, `aws iam create-access-key` JSON:
    # aws_secret_access_key / AWS_SECRET_ACCESS_KEY / SecretAccessKey / aws_secret.
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?i)(?:secret[_ .-]?access[_ .-]?key|aws[_ .-]?secret(?:[_ .-]?key)?|aws_sk)"
        r"[\"'`]?\s{0,3}(?:=>|:=|=|:|,)?\s{0,3}[\"'`]?"
        r"(?<![A-Za-z0-9/+])([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
    )
    group = 1
    score = 0.9

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        value = match.group(1)
        if is_placeholder(value) or entropy(value) < 3.5:
            return None
        return self.score
