r"""Rows of a PostgreSQL ``COPY t (columns) FROM stdin;`` block take the kind of their column.

``pg_dump`` writes tables this way: the column list once, then one tab-separated line per row
up to a line ``\.``. No CSV header is there for ``DelimitedTableRecognizer`` and no ``VALUES``
for ``SqlInsertRecognizer``, so without this every name and date of a dump passes by field.
Only the text format is read (tabs, ``\N`` for NULL); ``WITH (FORMAT csv)`` blocks are left to
the other recognizers.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

from pipeline.detect.base import Candidate, Deadline, Recognizer
from pipeline.detect.recognizers.pii.fields import FIELD_ROOTS, field_kind
from pipeline.detect.recognizers.pii.structured import FieldRecognizer, emit_fields

__all__ = ["SqlCopyRecognizer"]

_COPY = regex.compile(
    r"(?im)^[ \t]*copy\s+[\w.\"]{1,128}\s*\((?P<cols>[^()]{1,4000})\)\s*from\s+stdin\b[^\n;]*;"
    r"[ \t]*\n"
)
_END = regex.compile(r"(?m)^\\\.[ \t]*$")
_MAX_ROWS = 20_000


class SqlCopyRecognizer(FieldRecognizer, Recognizer):
    r"""Tab-separated rows after ``COPY … (columns) FROM stdin;``, up to ``\.``."""

    def applies(self, lowered: str) -> bool:
        return ("copy" in lowered and "stdin" in lowered
                and any(r in lowered for r in FIELD_ROOTS))

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        for m in _COPY.finditer(text, timeout=deadline.remaining()):
            kinds = [field_kind(c.strip(" \t\n\"")) for c in m.group("cols").split(",")]
            if not any(kinds):
                continue
            siblings = {k for k in kinds if k is not None}
            end = _END.search(text, m.end(), timeout=deadline.remaining())
            block_end = end.start() if end is not None else len(text)
            pos = m.end()
            for _ in range(_MAX_ROWS):
                if pos >= block_end:
                    break
                line_end = text.find("\n", pos, block_end)
                line_end = block_end if line_end < 0 else line_end
                fields = []
                start = pos
                for kind in kinds:
                    tab = text.find("\t", start, line_end)
                    stop = line_end if tab < 0 else tab
                    if text[start:stop] != "\\N":
                        fields.append((kind, start, stop))
                    if tab < 0:
                        break
                    start = tab + 1
                yield from emit_fields(self, text, fields, siblings)
                pos = line_end + 1
