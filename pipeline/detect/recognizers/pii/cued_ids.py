"""National identity and tax numbers named by the word before them, checked by python-stdnum.

Most countries' personal numbers are bare digit runs that only their name tells apart from an
order number ("o meu NIF é 123456789", "PESEL 44051401359", "BSN: 111222333"). The cue word says
which scheme to try, and python-stdnum's own validators (check digits, dates, ranges; maintained
for ~200 schemes) decide: a number that fails its scheme's check is left alone. Passports have
no public check digit, so the cue alone makes them one, with a digit-shaped value.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from functools import cache
from types import ModuleType
from typing import ClassVar

import regex

from pipeline.detect.base import Candidate, Deadline, RegexRecognizer
from pipeline.events import Category

__all__ = [
    "CuedNationalIdRecognizer", "HealthPlanIdRecognizer", "IdentityCardRecognizer",
    "MedicalRecordNumberRecognizer", "PassportNumberRecognizer",
]

# cue (a regex, case-insensitive) -> the python-stdnum modules whose scheme it names. Acronyms
# that are also words ("sin", "pan", "run", "nie") count only in capitals.
_SCHEMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"nif|nipc|contribuinte", ("pt.nif", "es.nif")),
    (r"dni", ("es.dni", "ar.dni")),
    (r"(?-i:NIE)", ("es.nie",)),
    (r"cpf", ("br.cpf",)),
    (r"pesel", ("pl.pesel",)),
    (r"(?-i:NIP)", ("pl.nip",)),
    (r"bsn|burgerservicenummer|sofi-?nummer", ("nl.bsn",)),
    (r"(?-i:SIN)|social insurance", ("ca.sin",)),
    (r"(?-i:TFN)|tax file", ("au.tfn",)),
    (r"steuer-?id|steuer-?identifikationsnummer|idnr", ("de.idnr",)),
    (r"codice fiscale|cod\.\s?fisc\.?", ("it.codicefiscale",)),
    (r"personnummer|personnr|fødselsnummer|fodselsnummer", ("se.personnummer",
                                                           "no.fodselsnummer")),
    (r"(?-i:CPR)", ("dk.cpr",)),
    (r"henkilötunnus|(?-i:HETU)", ("fi.hetu",)),
    (r"(?-i:AHV|AVS)", ("ch.ssn",)),
    (r"(?-i:PPSN?)", ("ie.pps",)),
    (r"aadhaa?r", ("in_.aadhaar",)),
    (r"(?-i:PAN)", ("in_.pan",)),
    (r"nhs", ("gb.nhs",)),
    (r"(?-i:RUT|RUN)", ("cl.rut",)),
    (r"curp", ("mx.curp",)),
    (r"(?-i:RFC)", ("mx.rfc",)),
    (r"cuil|cuit", ("ar.cuit",)),
    (r"t\.?\s?c\.?\s?kimlik|tckn|kimlik", ("tr.tckimlik",)),
    (r"(?-i:CNP)", ("ro.cnp",)),
    (r"(?-i:EGN|ЕГН)", ("bg.egn",)),
    (r"(?-i:OIB)", ("hr.oib",)),
    (r"rodné číslo|rodne cislo", ("cz.rc",)),
    (r"rijksregisternummer|numéro national|national number", ("be.nn",)),
    # Generic words: only schemes with a strong check (date + Luhn, ISO 7064) can match them.
    (r"identity number|identity no|id number|id no", ("za.idnr", "cn.ric")),
)
# Words that may sit between the cue and the value: "NIF n.º", "PESEL number:", "BSN is" (the
# engine scans NFKC-normalised text, where "º" is "o").
_FILLER = (
    r"(?:[\s:#=.,()-]{0,3}(?:number|num|n\.[ºo]|no|nr|n[°º.]+|número|numero|numéro|nummer|card|"
    r"code|is|é|es|est|ist|es el|is het|to|jest|är|er|è|são|:))*"
)
# Starts with a digit or a capital (codice fiscale, PAN), so a filler word is never the value.
_VALUE = r"((?-i:[A-Z0-9])(?:[A-Za-z0-9]|[ .\-/](?=[A-Za-z0-9])){4,24})"
_CUE = regex.compile(
    r"(?i)(?<![\p{L}\d])(?:" + "|".join(f"(?P<s{i}>{cue})" for i, (cue, _) in enumerate(_SCHEMES))
    + r")(?![\p{L}])" + _FILLER + r"[\s:#=.]{0,3}[\"']?" + _VALUE + r"(?![A-Za-z0-9])"
)
_SEPARATOR = regex.compile(r"[ .\-/]")


@cache
def _module(name: str) -> ModuleType:
    return importlib.import_module(f"stdnum.{name}")


def _valid_prefix(value: str, modules: tuple[str, ...]) -> int:
    """Length of the longest separator-bounded prefix of ``value`` some scheme accepts, or 0.

    The value pattern runs on over spaces ("NIF 123456789 e moro"), so shorter cuts are tried.
    """
    cuts = [m.start() for m in _SEPARATOR.finditer(value)] + [len(value)]
    for cut in reversed(cuts):
        if any(_valid(name, value[:cut]) for name in modules):
            return cut
    return 0


def _valid(module: str, piece: str) -> bool:
    """The scheme's own check; a validator that breaks on odd input counts the number as one.

    Fail closed: after its cue, a number we cannot check is redacted, not sent.
    """
    try:
        return bool(_module(module).is_valid(piece))
    except Exception:
        return True


class CuedNationalIdRecognizer(RegexRecognizer):
    """A number right after a national-ID or tax-number cue that passes that scheme's check."""

    entity_type = "NATIONAL_ID"
    category = Category.PII
    needs_digit = True
    # Each cue's shortest literal: "person" or "national" alone would run the regex on most prose.
    keywords = tuple(sorted({
        "nif", "nipc", "contribuinte", "dni", "nie", "cpf", "pesel", "nip", "bsn", "burger",
        "sofi", "sin", "social insurance", "tfn", "tax file", "steuer", "idnr", "fisc", "personn",
        "fødsel", "fodsel", "cpr", "henkilö", "hetu", "ahv", "avs", "pps", "aadha", "pan", "nhs",
        "rut", "run", "curp", "rfc", "cuil", "cuit", "kimlik", "tckn", "cnp", "egn", "егн",
        "oib", "rodn", "rijksregister", "numéro national", "national number", "identity",
        "id number", "id no",
    }))
    pattern: ClassVar[regex.Pattern[str]] = _CUE
    score = 0.85

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        for match in self.pattern.finditer(text, timeout=deadline.remaining()):
            scheme = next(int(k[1:]) for k, v in match.groupdict().items() if v is not None)
            start = match.start(len(_SCHEMES) + 1)
            length = _valid_prefix(match.group(len(_SCHEMES) + 1), _SCHEMES[scheme][1])
            if length:
                yield self.candidate(start, start + length, self.score)


class PassportNumberRecognizer(RegexRecognizer):
    """A passport number after the word passport, in several languages.

    6-9 digits, optionally led by up to three letters, or any 6-9 capitals and digits with at
    least four digits: ICAO 9303 lets a document number mix both (German "C01X00T47").
    """

    entity_type = "PASSPORT"
    category = Category.PII
    keywords = ("passport", "passeport", "pasaporte", "reisepass", "passaporto", "paszport",
                "paspoort", "passaporte", "pass-nr", "passnummer")
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?i)\b(?:passport|passeport|pasaporte|reisepass|passaporto|paszport|paspoort|"
        r"passaporte|pass-?nr\.?|passnummer)" + _FILLER + r"[\s:#=.]{0,3}[\"']?"
        r"((?-i:[A-Z]{1,3})?\d{6,9}|(?-i:[A-Z]{1,2})\d{2}[ ]?\d{5}"
        r"|(?-i:(?=(?:[A-Z]*\d){4})[A-Z0-9]{6,9}))(?![A-Za-z0-9])"
    )
    group = 1
    score = 0.8


class _SixDigits:
    """Cue-only numbers: at least six digits in the value, so "member no. 3" is none."""

    score: ClassVar[float]

    def validate(self, match: regex.Match[str], text: str, lowered: str) -> float | None:
        return self.score if sum(c.isdigit() for c in match.group(1)) >= 6 else None


class MedicalRecordNumberRecognizer(RegexRecognizer):
    """A medical record number after its cue (MRN, medical record no., patient ID).

    HIPAA lists it as an identifier; it has no public check digit, so the cue alone makes it one.
    """

    entity_type = "MEDICAL_RECORD_NUMBER"
    category = Category.PII
    keywords = ("mrn", "medical record", "patient id", "patient number", "patient no")
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?i)\b(?:(?-i:MRN)|medical record|patient[ -]?(?:id|number|no\.?))" + _FILLER
        + r"[\s:#=.]{0,3}[\"']?((?-i:[A-Z]{0,3})\d{5,12})(?![A-Za-z0-9])"
    )
    group = 1
    score = 0.8


class HealthPlanIdRecognizer(_SixDigits, RegexRecognizer):
    """A health-plan or insurance member number after its cue ("member ID is 884421907").

    HIPAA lists health plan beneficiary numbers beside record numbers; insurers print them with
    a letter prefix and hyphens ("HX-2291-774"). No public check digit: the cue makes it one,
    with at least six digits so "member no. 3" or "policy v2" are not.
    """

    entity_type = "HEALTH_PLAN_ID"
    category = Category.PII
    needs_digit = True
    keywords = ("member", "subscriber", "policy", "insurance", "health plan", "versicherten",
                "adhérent", "afiliado", "póliza", "polizza", "polis")
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?i)\b(?:member(?:ship)?[ -]?(?:id|number|no\.?|#)|subscriber[ -]?(?:id|number|no\.?)|"
        r"(?:insurance|policy)[ -]?(?:id|number|no\.?|#)|health[ -]plan[ -]?(?:id|number)|"
        r"(?:kranken)?versichertennummer|numéro d'adhérent|número de (?:afiliado|póliza)|"
        r"numero (?:di )?polizza|polisnummer)" + _FILLER + r"[\s:#=.]{0,3}[\"']?"
        r"((?-i:[A-Z]{0,4})[-]?\d[\d-]{4,16}\d)(?![A-Za-z0-9])"
    )
    group = 1
    score = 0.75


class IdentityCardRecognizer(_SixDigits, RegexRecognizer):
    """An identity-card number after its cue where the scheme has no public check digit.

    Brazil's RG ("RG 12.345.678-9"), national identity cards ("carte d'identité n° …",
    "Personalausweis …", "cédula …", "ID card …") are numbered per issuer: the cue alone makes
    a number one, with at least six digits so "ID card 2" or "RG 4" are not.
    """

    entity_type = "NATIONAL_ID"
    category = Category.PII
    needs_digit = True
    keywords = ("rg", "identity card", "id card", "identidade", "identité", "identite",
                "personalausweis", "cédula", "cedula", "carta d'identità", "dowód")
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?i)\b(?:(?-i:RG)|carteira de identidade|identity card|id card|carte d'identit[ée]|"
        r"personalausweis(?:nummer)?|c[ée]dula(?: de identidad| de ciudadan[íi]a)?|"
        r"carta d'identit[àa]|dowód osobisty)" + _FILLER + r"[\s:#=.]{0,3}[\"']?"
        r"((?-i:[A-Z]{0,3})\d[\d .\-/]{4,14}(?-i:[\dX]))(?![A-Za-z0-9])"
    )
    group = 1
    score = 0.75
