"""Dates of birth: any date, but only in a birth context (English, French, German, Spanish)."""

from __future__ import annotations

from typing import ClassVar

import regex

from pipeline.detect.base import RegexRecognizer
from pipeline.events import Category

_MONTHS = (
    r"jan(?:uary|vier|uar|\.)?|feb(?:ruary|ruar|\.)?|févr(?:ier|\.)?|fevr(?:ier)?|mar(?:ch|s|\.)?|"
    r"märz|apr(?:il|\.)?|avr(?:il|\.)?|may|mai|jun(?:e|i|\.)?|juin|jul(?:y|i|\.)?|juil(?:let|\.)?|"
    r"aug(?:ust|\.)?|août|sep(?:tember|tembre|t\.?|\.)?|oct(?:ober|obre|\.)?|okt(?:ober|\.)?|"
    r"nov(?:ember|embre|\.)?|dec(?:ember|\.)?|déc(?:embre|\.)?|dez(?:ember|\.)?|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|"
    r"diciembre|janv\.?|"
    # Portuguese and Italian month names.
    r"janeiro|fevereiro|março|marco|maio|junho|julho|setembro|outubro|novembro|dezembro|"
    r"gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre"
)
_UNIT = r"one|two|three|four|five|six|seven|eight|nine"
_TEEN = r"ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS = r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_ORDINAL = (
    r"(?:twenty|thirty)[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|"
    r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"(?:thir|four|fif|six|seven|eigh|nine)teenth|twentieth|thirtieth"
)
_SPOKEN_YEAR = (
    rf"(?:nineteen|twenty)[- ](?:(?:{_TENS})(?:[- ](?:{_UNIT}))?|{_TEEN}|oh[- ](?:{_UNIT}))|"
    rf"two thousand(?:[- ](?:and[- ])?(?:(?:{_TENS})(?:[- ](?:{_UNIT}))?|{_TEEN}|{_UNIT}))?"
)
_YEAR = rf"(?:\d{{4}}|{_SPOKEN_YEAR})(?![\w-])"
_DATE = (
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"  # ISO 8601 and 1990/05/17
    r"|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})"  # 05/17/1990, 17.05.1990, 17-05-90
    rf"|\d{{1,2}}[-/ ](?:{_MONTHS})[-/ ]\d{{4}}"  # 12-Mar-1979 (Oracle/SAP DD-MON-YYYY)
    rf"|(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"  # May 17, 1990
    # 17 mai 1990, 3rd of February 1979, 5 de mayo de 1990
    rf"|\d{{1,2}}(?:st|nd|rd|th|er|\.)?\s+(?:de\s+|of\s+)?(?:{_MONTHS})(?:\s+de)?,?\s+\d{{4}}"
    # Said aloud (call transcripts, dictation): "the fourth of July nineteen eighty-two",
    # "March twelfth, 1979", "2nd of May two thousand and one".
    rf"|(?:{_ORDINAL}|\d{{1,2}}(?:st|nd|rd|th))\s+of\s+(?:{_MONTHS}),?\s+{_YEAR}"
    rf"|(?:{_MONTHS})\s+(?:the\s+)?(?:{_ORDINAL}|\d{{1,2}}(?:st|nd|rd|th)?),?\s+{_YEAR})"
)
# Any date shape above, for fields whose name says they hold a date of birth.
DATE = _DATE
# Birth words: EN born/DOB/birthday, FR né(e)/naissance, DE geboren/Geburtsdatum/geb.,
# ES nacido/a, nací/nació, fecha de nacimiento, F. Nac.; PT nasci/nasceu/nascido/nascimento,
# IT nato/nata (lower case: "NATO" is the alliance)/nascita, PL urodzony/urodziłem, TR doğum.
_CONTEXT = (
    r"born|birth|\bdob\b|d\.o\.b|\bb\.?\s?d\.|\bné(?:e)?\b|\bnee\b|naissance|geboren|geburt|"
    r"\bgeb\.|nacid[oa]|naci[oó]|\bnac[ií]\b|nacieron|nacimiento|f\.\s?nac|cumpleaños|"
    r"anniversaire|\bnasc(?:i|eu|ido|ida|imento|ita)\b|(?-i:\bnat[oa]\b)|\burodzi|"
    r"\bur\.|doğum|doğdu"
)

# Birth words that end a clause after the date: DE/NL geboren, EN born, FR né(e), ES nacido/a.
_CONTEXT_AFTER = r"\bgeboren\b|\bborn\b|\bnée?\b|\bnacid[oa]\b"


class DateOfBirthRecognizer(RegexRecognizer):
    """A birth word, then at most ~40 characters without another date, then the date.

    At most one line break may sit in between (question on one line, answer on the next). Or
    the other way round within one clause: the date, then the birth word.
    """

    entity_type = "DATE_OF_BIRTH"
    category = Category.PII
    keywords = ("born", "birth", "dob", "d.o.b", "né", "nee", "naissance", "geb", "naci", "nac",
                "cumpleaños", "anniversaire", "b.d", "b.", "nasc", "nato", "nata", "urodz", "ur.",
                "doğ")
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        # The date may open the next line: the answer to "And your date of birth?" in a transcript.
        rf"(?i)(?:{_CONTEXT})[^\n\d]{{0,40}}?(?:\n[^\n\d]{{0,24}}?)?(?P<date>{_DATE})(?![\d])"
        # Or the birth word comes after the date, within the clause: German and Dutch put the
        # participle last ("wurde am 12.03.1985 in Graz geboren", "is op 4-5-1990 geboren").
        rf"|(?<![\d])(?P<date>{_DATE})(?![\d])[^\n\d.;!?]{{0,40}}?(?:{_CONTEXT_AFTER})"
        # "b." for born, as CVs and family trees write it, right before the date: "b. 14/07/1989".
        rf"|(?<![\w.])b\.[ ]?(?P<date>{_DATE})(?![\d])"
    )
    group = "date"
    score = 0.85
