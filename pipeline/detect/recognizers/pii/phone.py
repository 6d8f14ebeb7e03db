"""Telephone numbers, validated by ``phonenumbers`` (libphonenumber metadata)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import phonenumbers
import regex

from pipeline.detect.base import Candidate, Deadline, Recognizer, has_context
from pipeline.detect.recognizers.pii.regions import DEFAULT_REGIONS, hinted_regions
from pipeline.events import Category

_CONTEXT = (
    "phone", "tel", "call", "mobile", "cell", "text me", "text ", "texts", "texting", "sms",
    "whatsapp", "signal", "telegram", "viber", "fax", "contact", "reach", "dial", "ring me",
    "ring us", "a ring",
    "téléphone", "portable", "appel", "numéro", "telefon", "handy", "anruf", "rufen", "móvil",
    "movil", "teléfono", "llám", "número", "celular", "cellulare", "telefone", "telefono",
    "komórk", "komork", "numer", "puhelin", "gsm", "mob.", "mob:", "hotline", "landline",
    # Calling verbs of the other languages served ("ha chiamato dal …", "llamó desde el …",
    # "bel me op …", "ring mig på …", "zadzwoń pod …"): "call" and "anruf" have these siblings.
    "chiam", "llamar", "llamó", "llame", "llamad", "ligar", "ligou", "dzwo", "zadzwo",
    "bel me", "bel mij", "bellen", "gebeld", "ring mig", "ring meg", "ringde",
    # Someone's own number, as said on a call ("my number is oh seven nine one one, …").
    "my number", "your number", "his number", "her number", "their number", "our number",
    # The phone words of the scripts whose text sets a region hint (``regions._SCRIPTS``):
    # Arabic, Hindi, Hebrew, Russian, Greek, Thai, Chinese, Japanese, Korean; and Vietnamese.
    "هاتف", "الهاتف", "جوال", "الجوال", "موبايل", "اتصل", "फ़ोन", "फोन", "मोबाइल", "कॉल",
    "טלפון", "נייד", "телефон", "тел.", "моб.", "звоните", "позвоните", "τηλέφωνο", "τηλ.",
    "κινητό", "โทร", "电话", "手机", "電話", "手機", "携帯", "전화", "연락처", "휴대폰",
    "điện thoại", "sđt",
)
# Phone words that follow the number ("607 549 788 is my mobile").
_CONTEXT_AFTER = ("phone", "mobile", "cell", "whatsapp", "landline", "fax", "tel")
# Context words count only at the start of a word: "tel" is not in "tell", "ring" not in "string".
_CONTEXT_BEFORE_RE = regex.compile(
    "(?<![a-z\u00e0-\u024f])(?:" + "|".join(regex.escape(w) for w in _CONTEXT) + ")")
_CONTEXT_AFTER_RE = regex.compile(
    "(?<![a-z\u00e0-\u024f])(?:" + "|".join(regex.escape(w) for w in _CONTEXT_AFTER) + ")")
# ISBN-13 (ISO 2108) as printed: 978/979, then four hyphenated groups.
_ISBN = regex.compile(r"97[89]-\d{1,5}-\d{1,7}-\d{1,7}-\d")


# Counts and measurements: "1200000 times", "30000 ms", "1048576 bytes", "12 %".
_UNIT_AFTER = regex.compile(
    r"[ \t]?(?:ns|µs|us|ms|s|sec|secs|seconds|min|mins|minutes|hours|bytes?|b|kb|mb|gb|tb|kib|mib|"
    r"gib|times|rows|users|items|records|requests|req|errors|events|msgs|messages|tokens|%|x|px|"
    r"hz|khz|mhz|km|kg|m|eur|usd|gbp|sek|nok|dkk|chf|pln)\b"
)
_YYYYMMDD = regex.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")


def _not_a_phone(raw: str, lowered: str, end: int) -> bool:
    """Shapes of numbers that are not phone numbers whatever the words around them say."""
    groups = _DIGIT_RUNS.findall(raw)
    if raw.startswith(("+", "00")):
        return False
    if "." in raw and any(len(g) == 1 for g in groups):
        return True  # a version: 2.31.0.1234
    if len(groups) > 1 and groups[-1] == "000" and all(len(g) == 3 for g in groups[1:]):
        return True  # a round figure with thousands separators: 1 000 000
    if raw.isdigit() and _YYYYMMDD.fullmatch(raw):
        return True  # a compact date: 20240502
    return _UNIT_AFTER.match(lowered, end, min(len(lowered), end + 12), timeout=1.0) is not None


def _near_word(lowered: str, start: int, end: int) -> bool:
    """A phone word in the 40 characters before ``start`` or the 25 after ``end``.

    ``end == start`` looks only before.
    """
    before = _CONTEXT_BEFORE_RE.search(lowered, max(0, start - 40), start, timeout=1.0)
    return before is not None or (end > start and _CONTEXT_AFTER_RE.search(
        lowered, end, end + 25, timeout=1.0) is not None)
# Regions tried for national numbers written with a leading trunk "0", most likely first.
_TRUNK_REGIONS = ("GB", "FR", "DE", "NL", "IT", "BE", "CH", "AT", "AU", "IN")
# NANP numbers are written 3-3-4 (optionally with a leading 1); other groupings are references.
_NANP_GROUPS = ([3, 3, 4], [1, 3, 3, 4])
_DIGIT_RUNS = regex.compile(r"\d+")
# Reference numbers (purchase orders, invoices, tickets) are written like phone numbers too.
_REFERENCE = (
    "po ", "po#", "isbn", "order", "invoice", "factura", "facture", "rechnung", "ref", "ticket",
    "sku",
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
    needs_digit = True
    context_words = _CONTEXT
    # ITU-T E.123/E.164 written forms: optional +CC or 00CC, groups split by space . - / and an
    # optional (area) code; 7 to 15 digits in total; an extension ("x4421", "ext. 12") is part
    # of the number and is redacted with it.
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?<![\w+./-])(?P<number>(?:(?:\+|00)\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?"
        r"\d{1,15}(?:[ .\-/]\d{1,8}){0,5})"
        r"(?:[ ]?(?:x|ext\.?|extension)[ ]?\d{1,6})?(?![\w]|[.\-/]\d)"
    )

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        hinted: tuple[str, ...] | None = None
        for match in self.pattern.finditer(text, timeout=deadline.remaining()):
            raw = match.group("number")
            digits = sum(c.isdigit() for c in raw)
            if not 7 <= digits <= 15 or _DATE_LIKE.fullmatch(raw):
                continue
            if _ISBN.fullmatch(raw) or _not_a_phone(raw, lowered, match.end()):
                continue
            # A reference word right before the number wins over a phone word further away
            # ("Phone support ticket 4471-2093-11").
            if has_context(lowered, match.start(), _REFERENCE, 16):
                continue
            # An unbroken run needs its phone word before it ("call me: 607549788").
            context = _near_word(lowered, match.start(), match.start() if raw.isdigit()
                                 else match.end())
            if hinted is None:
                hinted = hinted_regions(text, lowered)
            score = self._score(raw, digits, context, hinted)
            if score is not None:
                yield self.candidate(*match.span(), score)

    @staticmethod
    def _score(raw: str, digits: int, context: bool, hinted: tuple[str, ...]) -> float | None:
        international = raw.startswith(("+", "00"))
        grouped = not raw.isdigit()
        if not (international or grouped or context):
            return None  # a bare run of digits is an id far more often than a phone number
        regions = _regions(raw, international, context, hinted)
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
            if not grouped and not international:
                continue  # an unbroken run must be a valid number even next to a phone word
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


def _regions(
    raw: str, international: bool, context: bool, hinted: tuple[str, ...]
) -> tuple[str | None, ...]:
    """Which numbering plans a candidate may belong to, given how it is written and the text.

    Next to a phone word any plan of the text's hints or the default set will do; without one a
    national number counts only in a plan the text points at, and only grouped like a phone
    number (order numbers, versions and prices are rarely written in 2-4 digit groups).
    """
    if international:
        return (None,)
    if context:
        return (*hinted, *(r for r in DEFAULT_REGIONS if r not in hinted))
    if raw.lstrip("(").startswith("0"):
        return (*_TRUNK_REGIONS, *(r for r in hinted if r not in _TRUNK_REGIONS))
    groups = [len(g) for g in _DIGIT_RUNS.findall(raw)]
    regions: tuple[str | None, ...] = ()
    if groups in _NANP_GROUPS:
        regions += ("US",)
    if len(groups) >= 3 and all(2 <= g <= 4 for g in groups[1:]) and "." not in raw:
        regions += hinted
    return regions
