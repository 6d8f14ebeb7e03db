"""Telephone numbers, validated by ``phonenumbers`` (libphonenumber metadata)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import phonenumbers
import regex

from pipeline.detect.base import Candidate, Deadline, Recognizer, has_context
from pipeline.events import Category

_CONTEXT = (
    "phone", "tel", "call", "mobile", "cell", "text me", "text ", "sms", "whatsapp", "fax",
    "contact", "reach", "dial", "ring", "téléphone", "portable", "appel", "numéro", "telefon",
    "handy", "anruf", "rufen", "móvil", "movil", "teléfono", "llám", "número",
)
# Regions tried for national numbers written with a leading trunk "0", most likely first.
_TRUNK_REGIONS = ("GB", "FR", "DE", "NL", "IT", "BE", "CH", "AT", "AU", "IN")
# NANP numbers are written 3-3-4 (optionally with a leading 1); other groupings are references.
_NANP_GROUPS = ([3, 3, 4], [1, 3, 3, 4])
_DIGIT_RUNS = regex.compile(r"\d+")
# Reference numbers (purchase orders, invoices, tickets) are written like phone numbers too.
_REFERENCE = (
    "po ", "po#", "order", "invoice", "factura", "facture", "rechnung", "ref", "ticket", "sku",
    "no.", "nr.", "n°", "#", "case", "tracking", "pedido", "commande", "bestell",
)
# "(555) 123-4567", "555-123-4567": the NANP 3-3-4 layout is how phone numbers are written, so
# it counts even in unallocated or fictional ranges (555, 555-01xx) that test data uses for people.
_NANP_LAYOUT = regex.compile(
    r"(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?\d{3}[ .-]|\d{3}-\d{3}-|\d{3}\.\d{3}\.)\d{4}"
)
_DATE_LIKE = regex.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")


class PhoneNumberRecognizer(Recognizer):
    """A cheap shape prefilter finds candidates; only those reach libphonenumber.

    presidio's PhoneRecognizer runs ``PhoneNumberMatcher`` over the whole text per region, which
    is the slowest part of a vanilla analyzer; here the regex does the scanning.
    """

    entity_type = "PHONE_NUMBER"
    category = Category.PII
    context_words = _CONTEXT
    # ITU-T E.123/E.164 written forms: optional +CC or 00CC, groups split by space . - / and an
    # optional (area) code; 7 to 15 digits in total.
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![\w+./-])(?:(?:\+|00)\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?"
        r"\d{1,5}(?:[ .\-/]\d{1,8}){0,5}(?![\w]|[.\-/]\d)"
    )

    def applies(self, lowered: str) -> bool:
        return any(c.isdigit() for c in lowered)

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        for match in self.pattern.finditer(text, timeout=deadline.remaining()):
            raw = match.group()
            digits = sum(c.isdigit() for c in raw)
            if not 7 <= digits <= 15 or _DATE_LIKE.fullmatch(raw):
                continue
            context = has_context(lowered, match.start(), _CONTEXT, 40)
            if not context and has_context(lowered, match.start(), _REFERENCE, 16):
                continue
            score = self._score(raw, digits, context)
            if score is not None:
                yield self.candidate(*match.span(), score)

    @staticmethod
    def _score(raw: str, digits: int, context: bool) -> float | None:
        international = raw.startswith(("+", "00"))
        grouped = not raw.isdigit()
        if not (international or grouped or context):
            return None  # a bare run of digits is an id far more often than a phone number
        regions = _regions(raw, international, context)
        # "+49 (0)89 …": the bracketed trunk zero is dropped when dialling from abroad.
        cleaned = raw.replace("(0)", "") if international else raw
        if cleaned.startswith("00"):  # ITU international call prefix written instead of "+"
            cleaned = "+" + cleaned[2:]
        for region in regions:
            try:
                number = phonenumbers.parse(cleaned, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return 0.85 if context or international else 0.6
            # Unallocated ranges still identify a person when the number is written as a phone
            # number: an explicit +country code, a national number next to a phone word, or the
            # NANP 3-3-4 layout.
            if not phonenumbers.is_possible_number(number):
                continue
            if international or context:
                return 0.7
            if _NANP_LAYOUT.fullmatch(raw):
                return 0.6
        return None


def _regions(raw: str, international: bool, context: bool) -> tuple[str | None, ...]:
    """Which numbering plans a candidate may belong to, given how it is written."""
    if international:
        return (None,)
    if raw.lstrip("(").startswith("0"):
        return _TRUNK_REGIONS
    groups = [len(g) for g in _DIGIT_RUNS.findall(raw)]
    regions: tuple[str | None, ...] = ()
    if groups in _NANP_GROUPS or (context and groups == [10]):
        regions += ("US",)
    if context:  # Spanish/Italian numbers have no trunk prefix; accept them only when named
        regions += ("ES", "IT")
    return regions
