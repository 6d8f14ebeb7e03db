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
    r"diciembre|janv\.?"
)
_DATE = (
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"  # ISO 8601 and 1990/05/17
    r"|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})"  # 05/17/1990, 17.05.1990, 17-05-90
    rf"|\d{{1,2}}[-/ ](?:{_MONTHS})[-/ ]\d{{4}}"  # 12-Mar-1979 (Oracle/SAP DD-MON-YYYY)
    rf"|(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"  # May 17, 1990
    # 17 mai 1990, 3rd of February 1979, 5 de mayo de 1990
    rf"|\d{{1,2}}(?:st|nd|rd|th|er|\.)?\s+(?:de\s+|of\s+)?(?:{_MONTHS})(?:\s+de)?,?\s+\d{{4}})"
)
# Any date shape above, for fields whose name says they hold a date of birth.
DATE = _DATE
# Birth words: EN born/DOB/birthday, FR né(e)/naissance, DE geboren/Geburtsdatum/geb.,
# ES nacido/a, nació, fecha de nacimiento, F. Nac.
_CONTEXT = (
    r"born|birth|\bdob\b|d\.o\.b|\bb\.?\s?d\.|\bné(?:e)?\b|\bnee\b|naissance|geboren|geburt|"
    r"\bgeb\.|nacid[oa]|naci[oó]|nacimiento|f\.\s?nac|cumpleaños|anniversaire"
)


class DateOfBirthRecognizer(RegexRecognizer):
    """A birth word, then at most ~40 characters without another date, then the date."""

    entity_type = "DATE_OF_BIRTH"
    category = Category.PII
    keywords = ("born", "birth", "dob", "d.o.b", "né", "nee", "naissance", "geb", "naci", "nac",
                "cumpleaños", "anniversaire", "b.d")
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        rf"(?i)(?:{_CONTEXT})[^\n\d]{{0,40}}?({_DATE})(?![\d])"
    )
    group = 1
    score = 0.85
