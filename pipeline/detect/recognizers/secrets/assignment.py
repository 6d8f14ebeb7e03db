"""Literal values assigned to secret-like names in code, .env, YAML, JSON, shell and prose."""

from __future__ import annotations

from collections.abc import Iterator

import regex

from pipeline.detect.base import Candidate, Deadline, Recognizer, entropy
from pipeline.detect.placeholders import is_placeholder
from pipeline.events import Category

# Key names: the secret word may sit anywhere in a snake/camel/kebab/dotted name.
_SECRET_WORD = (
    r"(?:passw(?:or)?d|passwort|passphrase|pwd|(?<![a-z])pass(?![a-z])|secret|token|"
    r"api[_.-]?key|apikey|access[_.-]?key|auth[_.-]?key|private[_.-]?key|signing[_.-]?key|"
    r"encryption[_.-]?key|master[_.-]?key|credentials?|session[_.-]?key|webhook[_.-]?secret)"
)
# Names that carry the word but hold no credential (hash, length, file path, expiry, ...).
_NOT_SECRET_KEY = regex.compile(
    r"(?i)hash|digest|salt|length|len$|min|max|count|file|path|dir|url|uri|endpoint|type|name|"
    r"_id$|id$|expir|ttl|timeout|policy|field|header|prefix|regex|pattern|rotat|version|enabled|"
    r"required|placeholder|label|provider|store|manager|_ref|input|prompt|reset|valid|strength|"
    r"hint|format|mode|limit|usage|encoder|generator|method|param|tokeniz|bypass|compass|"
    r"passeng|passive|passport|passage|policy|_at$|date|time|scope|audience|issuer|algorithm"
)
_ASSIGN = regex.compile(
    r"(?i)(?<![A-Za-z0-9])(?P<key>[A-Za-z0-9_.-]{0,40}?" + _SECRET_WORD + r"[A-Za-z0-9_.-]{0,30})"
    r"[\"'`]?\]?\s{0,3}(?P<sep>=>|:=|==|=|:)\s{0,3}"
    r"(?:\"(?P<dq>[^\"\r\n]{1,300})\"|'(?P<sq>[^'\r\n]{1,300})'|`(?P<bq>[^`\r\n]{1,300})`"
    r"|(?P<bare>[^\s\"'`,;}{)(\]\[<>]{1,300}))"
)
# "the password is hunter2!" / "mot de passe : ..." / "Passwort ist ..." / "contraseña es ...".
_PROSE = regex.compile(
    r"(?i)\b(?:password|passcode|passwort|kennwort|mot de passe|contraseña|pwd|pin)"
    r"\s{1,3}(?:is|was|=|:|ist|lautet|est|es|sería|is now)\s{1,3}[\"'`«]?"
    r"(?P<bare>[^\s\"'`»]{4,64}?)[\"'`»]?(?=[\s.,;!?)]|$)"
)
# Passwords given on a command line: "mysql -u root -pS3cret", "--password S3cret",
# "sshpass -p S3cret ssh …", "curl -u admin:S3cret https://…" (``--password=`` is an assignment).
_CLI = regex.compile(
    r"(?:\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^\n|;&]{0,200}?\s-p[\"']?"
    r"(?P<mysql>[^\s\"'-][^\s\"']{3,127})"
    r"|(?<![\w-])--(?:password|passwd|pass|db-password)\s+[\"']?(?P<flag>[^\s\"'-][^\s\"']{3,127})"
    r"|\bsshpass\s+-p\s*[\"']?(?P<sshpass>[^\s\"']{4,128})"
    r"|\bcurl\b[^\n|;&]{0,200}?\s(?:-u|--user)\s+[\"']?[^\s:\"']{1,64}:"
    r"(?P<curl>[^\s@\"']{4,128}))"
)
_IDENTIFIER = regex.compile(r"[A-Za-z_$][A-Za-z0-9_$]*(?:(?:\.|->|::)[A-Za-z_$][A-Za-z0-9_$]*)*")
_NUMBERISH = regex.compile(r"[\d\s.,:/+-]+")


class SecretAssignmentRecognizer(Recognizer):
    """Flags the value only; references, placeholders and code expressions are skipped."""

    entity_type = "GENERIC_SECRET"
    category = Category.SECRET
    extra_entities = ("PASSWORD",)
    keywords = ("pass", "pwd", "secret", "token", "key", "credential", "contraseña", "mysql",
                "mariadb", "curl")
    version = "3"

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        for match in _ASSIGN.finditer(text, timeout=deadline.remaining()):
            group = next(g for g in ("dq", "sq", "bq", "bare") if match.group(g) is not None)
            found = self._judge(match.group("key"), match.group(group), group, match.group("sep"))
            if found is not None:
                yield self.candidate(*match.span(group), found[1], found[0])
        for match in _PROSE.finditer(text, timeout=deadline.remaining()):
            value = match.group("bare")
            if _IDENTIFIER.fullmatch(value) and any(s in value for s in (".", "->", "::")):
                continue  # "password = var.db_password": a reference in code, not a literal
            if _looks_random_enough(value, password=True) and not is_placeholder(value):
                yield self.candidate(*match.span("bare"), 0.7, "PASSWORD")
        for match in _CLI.finditer(text, timeout=deadline.remaining()):
            group = next(g for g in ("mysql", "flag", "sshpass", "curl") if match.group(g))
            value = match.group(group)
            if value.startswith("$") or is_placeholder(value):
                continue  # "-p$DB_PASS", "--password <your-password>": not a literal
            if _looks_random_enough(value, password=True):
                yield self.candidate(*match.span(group), 0.75, "PASSWORD")

    def _judge(self, key: str, value: str, kind: str, sep: str) -> tuple[str, float] | None:
        """Return (entity, score) for a literal secret, None for anything else."""
        lowered_key = key.lower()
        if sep == "==" or _NOT_SECRET_KEY.search(lowered_key.strip("._-")):
            return None
        value = value.strip()
        if is_placeholder(value) or "${" in value or "{{" in value or "://" in value:
            return None
        if _NUMBERISH.fullmatch(value) or value.lower() in {"true", "false", "null", "none"}:
            return None
        password = any(w in lowered_key for w in ("pass", "pwd"))
        if kind == "bare" and _IDENTIFIER.fullmatch(value):
            # Unquoted identifiers are variables in code (password=pwd, token=self.token) but
            # literals in .env / YAML (DB_PASSWORD=swordfish). Digits make a literal likely.
            env_style = key.isupper() or sep == ":"
            if "." in value or "->" in value or not (env_style or any(c.isdigit() for c in value)):
                return None
        if not _looks_random_enough(value, password):
            return None
        return ("PASSWORD", 0.75) if password else ("GENERIC_SECRET", 0.7)


def _looks_random_enough(value: str, password: bool) -> bool:
    """Passwords may be short words with a digit; tokens must be long and varied."""
    if " " in value.strip() and value.count(" ") > 1:
        return False
    if password:
        classes = sum(
            (any(c.islower() for c in value), any(c.isupper() for c in value),
             any(c.isdigit() for c in value), any(not c.isalnum() for c in value))
        )
        return len(value) >= 5 and (classes >= 2 or len(value) >= 12)
    return len(value) >= 10 and entropy(value) >= 3.0
