"""Personal data named by its field: CSV/TSV/Markdown columns, SQL INSERTs, keys and form fields.

Why not presidio-structured (0.0.10): it analyses already-parsed pandas DataFrames or dicts and
picks one entity per column by running the analyzer over sampled *values*; our input is a chat
prompt in which a CSV export, a SQL dump or a log line is embedded in prose, and the signal we
need is the *header* ("full_name" makes "Okafor, Chidi" a name even though no value recogniser
would say so). It would also pull pandas into every worker's start-up. So the text is split here
with small bounded regexes that keep offsets (the stdlib ``csv`` module does not report them),
and ``fields`` maps the field names.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import ClassVar

import regex
from wordfreq import zipf_frequency

from pipeline.detect.base import Candidate, Deadline, Recognizer
from pipeline.detect.names_index import names_index
from pipeline.detect.recognizers.pii.fields import (
    AMBIGUOUS_NAME,
    FIELD_ROOTS,
    field_kind,
    paired_kinds,
    value_fits,
)
from pipeline.events import Category

__all__ = [
    "DelimitedTableRecognizer", "FieldRecognizer", "KeyValueRecognizer", "SqlInsertRecognizer",
    "SqlValuesNamePairRecognizer", "emit_fields",
]

_SCORE = 0.8
_ENTITIES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "DATE_OF_BIRTH", "US_SSN", "IBAN_CODE",
             "CREDIT_CARD", "US_BANK_NUMBER", "LOCATION")
_PERSONAL = frozenset({"PERSON", *_ENTITIES})
_MAX_ROWS = 20_000


class FieldRecognizer:
    """Shared class attributes (not a recognizer itself: the registry lists only real ones)."""

    entity_type: ClassVar[str] = "PERSON"
    extra_entities: ClassVar[tuple[str, ...]] = _ENTITIES
    category: ClassVar[Category] = Category.PII

    def applies(self, lowered: str) -> bool:
        return any(root in lowered for root in FIELD_ROOTS)


def emit_fields(recognizer: Recognizer, text: str, fields: list[tuple[str | None, int, int]],
          siblings: set[str]) -> Iterator[Candidate]:
    """Candidates for fields whose value fits its kind; a bare "name" needs a personal sibling."""
    for kind, start, end in fields:
        if kind is None:
            continue
        start, end = _strip(text, start, end)
        if start >= end:
            continue
        ambiguous = kind == AMBIGUOUS_NAME
        if ambiguous and not siblings & _PERSONAL:
            continue
        entity = "PERSON" if ambiguous else kind
        if value_fits(entity, text[start:end], ambiguous=ambiguous):
            yield recognizer.candidate(start, end, _SCORE, entity)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop surrounding blanks and one pair of quotes or backticks from a value span."""
    while start < end and text[start] in " \t\r":
        start += 1
    while end > start and text[end - 1] in " \t\r":
        end -= 1
    if end - start >= 2 and text[start] == text[end - 1] and text[start] in "\"'`":
        start, end = start + 1, end - 1
    return start, end


# CSV (RFC 4180 quoting), TSV, semicolon and pipe (Markdown tables) separated lines.
_DELIMS = (",", "\t", ";", "|")
_FIELD = {d: regex.compile(rf'[ \t]*(?:"(?:[^"\n]|"")*"|[^{regex.escape(d)}\n]*)') for d in _DELIMS}
_HEADER_NAME = regex.compile(r"[ \t]*[\"'`]?[\p{L}_][\p{L}\p{N} _.#()/-]{0,40}[\"'`]?[ \t]*")
_MD_RULE = regex.compile(r"[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*")


def _split(line: str, offset: int, delim: str, deadline: Deadline) -> list[tuple[int, int]]:
    """Field spans (text offsets) of one delimited line; Markdown's outer pipes are dropped."""
    spans: list[tuple[int, int]] = []
    pos, pattern = 0, _FIELD[delim]
    while pos <= len(line):
        m = pattern.match(line, pos, timeout=deadline.remaining())
        end = m.end() if m else pos
        spans.append((offset + pos, offset + end))
        if end >= len(line) or line[end] != delim:
            break
        pos = end + 1
    if delim == "|" and line.strip().startswith("|"):
        spans = spans[1:]
        if spans and not line[spans[-1][0] - offset : spans[-1][1] - offset].strip():
            spans = spans[:-1]
    return spans


class DelimitedTableRecognizer(FieldRecognizer, Recognizer):
    """A header line naming a personal column makes that column's cells that kind."""

    def applies(self, lowered: str) -> bool:
        return "\n" in lowered and super().applies(lowered)  # a header needs rows under it

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        lines = _lines(text)
        i = 0
        while i < len(lines):
            start, line = lines[i]
            header = _header(line, start, text, deadline)
            if header is None:
                columns = _aligned_header(line)
                if columns is not None:
                    i = yield from self._aligned_rows(text, lines, i + 1, columns)
                    continue
                i += 1
                continue
            delim, kinds = header
            siblings = {k for k in kinds if k is not None}
            rows = 0
            i += 1
            while i < len(lines) and rows < _MAX_ROWS:
                row_start, row = lines[i]
                if not row.strip():
                    break
                if delim == "|" and _MD_RULE.fullmatch(row):
                    i += 1
                    continue
                cells = _split(row, row_start, delim, deadline)
                if abs(len(cells) - len(kinds)) > 1 or len(cells) < 2:
                    break
                fields = [(kinds[c], s, e) for c, (s, e) in enumerate(cells) if c < len(kinds)]
                yield from emit_fields(self, text, fields, siblings)
                rows += 1
                i += 1

    def _aligned_rows(self, text: str, lines: list[tuple[int, str]], i: int,
                      kinds: list[str | None]) -> Generator[Candidate, None, int]:
        """Rows under a blank-separated header (a pandas/psql/``column -t`` print), to a blank line.

        A row counts only with one token per column, or one more when its first is a pandas row
        index; other rows (a cell with a space) are skipped, as their columns cannot be told.
        """
        siblings = {k for k in kinds if k is not None}
        rows = 0
        while i < len(lines) and rows < _MAX_ROWS and lines[i][1].strip():
            row_start, row = lines[i]
            cells = [(row_start + m.start(), row_start + m.end()) for m in _TOKEN.finditer(row)]
            if len(cells) == len(kinds) + 1 and text[cells[0][0]:cells[0][1]].isdigit():
                cells = cells[1:]
            if len(cells) == len(kinds):
                fields = [(kind, s, e) for kind, (s, e) in zip(kinds, cells, strict=True)]
                yield from emit_fields(self, text, fields, siblings)
            rows += 1
            i += 1
        return i


# A header of a blank-aligned table: identifiers only, two or more, laid out in columns (a run of
# two blanks, or snake_case names) — prose never is.
_TOKEN = regex.compile(r"\S+")
_IDENTIFIER = regex.compile(r"[\p{L}_][\p{L}\p{N}_]{0,40}")


def _aligned_header(line: str) -> list[str | None] | None:
    names = line.split()
    if not 2 <= len(names) <= 40 or not all(_IDENTIFIER.fullmatch(n) for n in names):
        return None
    if "  " not in line.strip() and not all("_" in n for n in names):
        return None
    kinds = paired_kinds(names, [field_kind(n) for n in names])
    if any(k is not None and k != AMBIGUOUS_NAME for k in kinds):
        return kinds
    return None


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def _header(line: str, offset: int, text: str, deadline: Deadline
            ) -> tuple[str, list[str | None]] | None:
    """(delimiter, kind per column) if ``line`` is a header with at least one personal column."""
    if len(line) > 2000:
        return None
    for delim in _DELIMS:
        if line.count(delim) < 1:
            continue
        cells = _split(line, offset, delim, deadline)
        names = [text[s:e] for s, e in cells]
        if len(names) < 2 or not all(_HEADER_NAME.fullmatch(n) for n in names):
            continue
        bare = [n.strip(" \t\"'`") for n in names]
        # "id,first,last,city": the pair names a person
        kinds = paired_kinds(bare, [field_kind(n) for n in bare])
        if any(k is not None and k != AMBIGUOUS_NAME for k in kinds):
            return delim, kinds
    return None


# INSERT INTO t (a, b) VALUES (…), (…); column names may be quoted with ` " or [ ].
_INSERT = regex.compile(
    r"(?i)\binsert\s+(?:ignore\s+|or\s+\w+\s+)?into\s+[\w.`\"\[\]]{1,128}\s*\((?P<cols>[^()]{1,4000})\)"
    r"\s*values\s*"
)
_SQL_VALUE = regex.compile(r"\s*(?:'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[^,()'\"]*)\s*")
_SQL_GAP = regex.compile(r"\s*,?\s*\(")


class SqlInsertRecognizer(FieldRecognizer, Recognizer):
    """Values of ``INSERT … (columns) VALUES (…), (…)`` take the kind of their column."""

    def applies(self, lowered: str) -> bool:
        return ("insert" in lowered and "values" in lowered
                and any(r in lowered for r in FIELD_ROOTS))

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        for m in _INSERT.finditer(text, timeout=deadline.remaining()):
            kinds = [field_kind(c.strip(" \t\n`\"[]")) for c in m.group("cols").split(",")]
            if not any(kinds):
                continue
            siblings = {k for k in kinds if k is not None}
            for cells in _sql_rows(text, m.end(), deadline, len(kinds)):
                fields = [(kind, s, e) for kind, (s, e) in zip(kinds, cells, strict=False)]
                yield from emit_fields(self, text, fields, siblings)


def _sql_rows(text: str, pos: int, deadline: Deadline, width: int | None = None
              ) -> Iterator[list[tuple[int, int]]]:
    """The value spans of each ``(…), (…)`` row from ``pos``; at most ``width`` per row."""
    for _ in range(_MAX_ROWS):
        gap = _SQL_GAP.match(text, pos, timeout=deadline.remaining())
        if gap is None:
            return
        pos = gap.end()
        cells: list[tuple[int, int]] = []
        while width is None or len(cells) < width:
            value = _SQL_VALUE.match(text, pos, timeout=deadline.remaining())
            if value is None:
                break
            cells.append((value.start(), value.end()))
            pos = value.end()
            if pos >= len(text) or text[pos] != ",":
                break
            pos += 1
        yield cells
        if pos >= len(text) or text[pos] != ")":
            return
        pos += 1


# INSERT INTO t VALUES (…): no column list, so no field names to go by.
_INSERT_BARE = regex.compile(
    r"(?i)\binsert\s+(?:ignore\s+|or\s+\w+\s+)?into\s+[\w.`\"\[\]]{1,128}\s+values\s*"
)
_ROW_DATE = regex.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{4}")
_QUOTED_NAME = regex.compile(r"'(\p{Lu}\p{Ll}+(?:[-'\u2019]\p{Lu}?\p{Ll}+)?)'")


def _name_cell(value: str) -> bool:
    """A quoted one-word value the names index knows and that is not an everyday word."""
    return names_index().is_name(value) and max(
        zipf_frequency(value.lower(), lang, wordlist="small") for lang in ("en", "de", "fr", "es")
    ) < 4.5


class SqlValuesNamePairRecognizer(Recognizer):
    """Two adjacent one-word names in a column-less ``INSERT … VALUES`` row (and its dates).

    ``VALUES ('MRN-448812', 'Okafor', 'Chiamaka', …)`` has no header to say "first, last", and
    spaCy sees no sentence; a given/family pair side by side in one row is the same evidence the
    CSV ``first,last`` columns give. Both must be in the names index (one of them established)
    and not common words, so ``('London', 'Paris')`` or ``('Active', 'Pending')`` stay clean.
    """

    entity_type = "PERSON"
    extra_entities = ("DATE_OF_BIRTH",)
    category = Category.PII

    def applies(self, lowered: str) -> bool:
        return "insert" in lowered and "values" in lowered

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        for m in _INSERT_BARE.finditer(text, timeout=deadline.remaining()):
            for cells in _sql_rows(text, m.end(), deadline):
                yield from self._pairs(text, [_strip(text, s, e) for s, e in cells])

    def _pairs(self, text: str, cells: list[tuple[int, int]]) -> Iterator[Candidate]:
        names = [text[s - 1 : e + 1] for s, e in cells]
        flags = [bool(_QUOTED_NAME.fullmatch(n)) and _name_cell(n[1:-1]) for n in names]
        emitted: set[int] = set()
        for i in range(len(cells) - 1):
            if not (flags[i] and flags[i + 1]):
                continue
            pair = [names[i][1:-1], names[i + 1][1:-1]]
            if not any(names_index().is_established(w) for w in pair):
                continue
            for j in (i, i + 1):
                if j not in emitted:
                    emitted.add(j)
                    yield self.candidate(*cells[j], 0.7)
        if emitted:
            # A full date in that person's row: with no column to tell birth from admission,
            # it is taken as the date of birth (HIPAA counts every date tied to a person).
            for start, end in cells:
                if _ROW_DATE.fullmatch(text, start, end):
                    yield self.candidate(start, end, 0.6, "DATE_OF_BIRTH")


_KEY = r"[\p{L}_][\p{L}\p{N}_.-]{0,40}"
# "key": "value" / "key": 123 (JSON), key: value (YAML, "Phone: …" lines in mails and forms),
# key=value (logs, query strings, form bodies), <input name="k" value="v">, <key>value</key>.
_JSON = regex.compile(
    rf"\"(?P<key>{_KEY}(?: {_KEY}){{0,3}})\"\s*:\s*(?:\"(?P<v>(?:[^\"\\\n]|\\.){{0,300}})\""
    r"|(?P<n>[-+]?\d[\d.eE+-]{0,30}))"
)
_YAML = regex.compile(
    rf"(?m)^[ \t]*(?:-[ \t]+)?(?P<key>{_KEY}(?: {_KEY}){{0,3}})[ \t]*:[ \t]+(?P<v>[^\n]{{1,200}}?)"
    r"[ \t]*,?[ \t]*$"
)
_KV = regex.compile(
    rf"(?<![\p{{L}}\p{{N}}_.-])(?P<key>{_KEY})=(?:\"(?P<dq>[^\"\n]{{0,300}})\"|'(?P<sq>[^'\n]{{0,300}})'"
    r"|(?P<v>[^\s&;,\"'<>]{1,300}))"
)
# The same with blanks around "=" when the value is quoted: SQL "SET last_name = 'Adeyemi'",
# "WHERE email = '…'", code "phone = \"…\"" (an unquoted "x = 5" is arithmetic, not a field).
_SPACED_KV = regex.compile(
    rf"(?<![\p{{L}}\p{{N}}_.-])(?P<key>{_KEY})[ \t]+=[ \t]*(?:\"(?P<dq>[^\"\n]{{1,300}})\""
    r"|'(?P<sq>[^'\n]{1,300})')"
)
_INPUT = regex.compile(r"(?i)<input\b[^<>]{0,600}>")
_ATTR = regex.compile(r"(?i)\b(?P<a>name|id|value)\s*=\s*(?:\"(?P<v>[^\"]*)\"|'(?P<s>[^']*)')")
_ELEMENT = regex.compile(rf"<(?P<key>{_KEY})>(?P<v>[^<\n]{{1,200}})</(?P=key)>")


def _plausible_person(value: str) -> bool:
    """Some word of a code string is a name the index knows and no common English word.

    Code with blanks around "=" names service accounts as often as people (Terraform's
    ``username = "app"``), so there the value itself must read as a name.
    """
    index = names_index()
    return any(index.is_name(w) and zipf_frequency(w.lower(), "en", wordlist="small") < 4.0
               for w in regex.findall(r"\p{L}+", value))


class KeyValueRecognizer(FieldRecognizer, Recognizer):
    """JSON/YAML keys, key=value logs and forms, HTML inputs and XML elements."""

    def applies(self, lowered: str) -> bool:
        # Every shape ``scan`` reads has one of these between its key and its value.
        return ("=" in lowered or ":" in lowered or "</" in lowered) and super().applies(lowered)

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        keyed: list[tuple[str, int, int]] = []  # (key, value start, value end)
        timeout = deadline.remaining
        if ":" in text:
            for m in _JSON.finditer(text, timeout=timeout()):
                group = "v" if m.start("v") >= 0 else "n"
                keyed.append((m.group("key"), *m.span(group)))
            for m in _YAML.finditer(text, timeout=timeout()):
                if text[m.start("v")] not in "{[\"" or m.group("v").startswith('"'):
                    keyed.append((m.group("key"), *m.span("v")))
        if "=" in text:
            for m in _KV.finditer(text, timeout=timeout()):
                group = next(g for g in ("dq", "sq", "v") if m.start(g) >= 0)
                keyed.append((m.group("key"), *m.span(group)))
            for m in _SPACED_KV.finditer(text, timeout=timeout()):
                group = "dq" if m.start("dq") >= 0 else "sq"
                if _plausible_person(m.group(group)) or field_kind(m.group("key")) not in (
                        "PERSON", AMBIGUOUS_NAME):
                    keyed.append((m.group("key"), *m.span(group)))
        if "</" in text:
            for m in _ELEMENT.finditer(text, timeout=timeout()):
                keyed.append((m.group("key"), *m.span("v")))
        keys = [k for k, _, _ in keyed]
        kinds = paired_kinds(keys, [field_kind(k) for k in keys])
        fields = [(kind, s, e) for kind, (_, s, e) in zip(kinds, keyed, strict=True)]
        if "=" in text and "<input" in lowered:
            fields.extend(_inputs(text, deadline))
        siblings = {k for k, _, _ in fields if k is not None and k != AMBIGUOUS_NAME}
        yield from emit_fields(self, text, _dedupe(fields), siblings)


def _inputs(text: str, deadline: Deadline) -> Iterator[tuple[str | None, int, int]]:
    for tag in _INPUT.finditer(text, timeout=deadline.remaining()):
        kind: str | None = None
        span: tuple[int, int] | None = None
        for attr in _ATTR.finditer(text, tag.start(), tag.end(), timeout=deadline.remaining()):
            group = "v" if attr.start("v") >= 0 else "s"
            if attr.group("a").lower() == "value":
                span = attr.span(group)
            elif kind is None:
                kind = field_kind(attr.group(group))
        if kind is not None and span is not None:
            yield kind, *span


def _dedupe(fields: list[tuple[str | None, int, int]]) -> list[tuple[str | None, int, int]]:
    """One field per value span (a JSON line is also a YAML-looking line)."""
    seen: set[tuple[int, int]] = set()
    out: list[tuple[str | None, int, int]] = []
    for kind, start, end in fields:
        if kind is not None and (start, end) not in seen:
            seen.add((start, end))
            out.append((kind, start, end))
    return out

