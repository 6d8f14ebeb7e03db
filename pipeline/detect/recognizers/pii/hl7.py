"""HL7 v2 segments (PID, NK1, PV1, IN1): the fields that hold a person's identifiers.

Clinical integrations paste raw HL7 ("PID|1||553201^^^HOSP^MR||NWOSU^CHIAMAKA^E||19870412|F…")
and no other rule reads it: names are upper case and joined by "^", the date of birth is a bare
"YYYYMMDD". The field positions are fixed by the standard (HL7 v2.x chapter 3), so a segment is
split on its separators and the listed fields are taken whole; a parsing library (python-hl7)
would add a dependency for what is a split on "|" here.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

from pipeline.detect.base import Candidate, Deadline, Recognizer
from pipeline.events import Category

__all__ = ["Hl7PatientRecognizer"]

# A segment starts a line (or follows "\r", HL7's own separator, or a blank in a pasted line)
# and has at least five more fields: "| PID | USER |" in a process table is no segment.
_SEGMENT = regex.compile(
    r"(?<![^\s])(?P<type>PID|NK1|PV1|IN1)\|(?P<body>(?:[^|\r\n]*\|){5}[^\r\n]*)"
)
# Field number (1-based, after the segment name) -> kind, per segment (HL7 v2.5).
_FIELDS: dict[str, dict[int, str]] = {
    "PID": {2: "MEDICAL_RECORD_NUMBER", 3: "MEDICAL_RECORD_NUMBER", 5: "PERSON", 6: "PERSON",
            7: "DATE_OF_BIRTH", 9: "PERSON", 11: "LOCATION", 13: "PHONE_NUMBER",
            14: "PHONE_NUMBER", 19: "US_SSN"},
    "NK1": {2: "PERSON", 4: "LOCATION", 5: "PHONE_NUMBER", 6: "PHONE_NUMBER"},
    "PV1": {7: "PERSON", 8: "PERSON", 9: "PERSON", 17: "PERSON"},  # attending, referring, …
    "IN1": {16: "PERSON", 19: "LOCATION", 36: "HEALTH_PLAN_ID"},
}


class Hl7PatientRecognizer(Recognizer):
    """The personal fields of HL7 v2 PID, NK1, PV1 and IN1 segments."""

    entity_type = "PERSON"
    category = Category.PII

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        if "|" not in text:
            return
        for match in _SEGMENT.finditer(text, timeout=deadline.remaining()):
            fields = _FIELDS[match.group("type")]
            position = match.start("body")
            for number, value in enumerate(match.group("body").split("|"), start=1):
                kind = fields.get(number)
                if kind is not None and value.strip("^~ "):
                    yield self.candidate(position, position + len(value), 0.8, kind)
                position += len(value) + 1
