"""The one list of values that look like credentials but are documentation or placeholders.

Every secret recognizer asks ``is_placeholder`` before reporting, so a new example key is added
here once instead of in each class.
"""

from __future__ import annotations

import re

__all__ = ["DOC_EXAMPLES", "is_placeholder", "is_reference"]

# Published documentation credentials (AWS IAM user guide, Stripe docs, jwt.io, GitHub docs).
DOC_EXAMPLES = frozenset(
    {
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        "AKIAI44QH8DHBEXAMPLE",
        "ASIAIOSFODNN7EXAMPLE",
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    }
)

_WORDS = (
    "example|sample|dummy|placeholder|your|my[-_]?(?:api[-_]?)?(?:key|token|secret|pass)|"
    "changeme|change[-_]me|replace|redacted|insert|enter|fake|test[-_]?(?:key|token|secret)|"
    "\\*\\*\\*|\\.\\.\\.|…|todo|fixme|secret[-_]?here|key[-_]?here|token[-_]?here|"
    "password[-_]?here|here|not[-_]?a[-_]?real|foobar|lorem"
)
_PLACEHOLDER_WORD = re.compile(rf"(?i)(?:{_WORDS})")
_MASKED = re.compile(r"(?i)^(?:[x*#•._-]+|(.)\1{5,})$|[x*•#]{4,}|12345678|abcdefgh")
_ANGLE = re.compile(r"^\s*(?:<[^<>]*>|\[[^\[\]]*\]|\{[^{}]*\}|%[sd]|%\([^)]*\)s|\?)\s*$")
# References to the environment or a template instead of a literal value.
_REFERENCE = re.compile(
    r"^\s*(?:\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_]+%|\{\{.*\}\}|"
    r"(?:process\.env|os\.environ|os\.getenv|getenv|env|ENV|secrets|vars|System\.getenv)\b.*|"
    r"!Ref\b.*|\$\{\{.*)\s*$"
)
_WELL_KNOWN = frozenset(
    {"password", "passwd", "secret", "token", "apikey", "api_key", "changeme", "none", "null",
     "nil", "undefined", "true", "false", "string", "hunter2", "admin", "root", "pass", "test",
     "default", "empty", "required", "optional", "value", "xxxxxx", "letmein", "mypassword"}
)


def is_reference(value: str) -> bool:
    """Tell whether the value is an env/template reference (``${VAR}``, ``{{ secrets.X }}``)."""
    return bool(_REFERENCE.match(value))


def is_placeholder(value: str) -> bool:
    """Tell whether the value is a documentation key, placeholder, mask or reference."""
    stripped = value.strip().strip("\"'`")
    if not stripped or stripped in DOC_EXAMPLES or stripped.lower() in _WELL_KNOWN:
        return True
    if stripped.endswith("EXAMPLE") or stripped.endswith("EXAMPLEKEY"):
        return True
    if _ANGLE.match(stripped) or is_reference(stripped):
        return True
    return bool(_PLACEHOLDER_WORD.search(stripped) or _MASKED.search(stripped))
