"""Postal addresses: the street line and the locality line are reported separately."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import regex

from pipeline.detect.base import Candidate, Deadline, Recognizer
from pipeline.events import Category

# USPS Publication 28, Appendix C1 street suffixes (common names and abbreviations), with
# optional plural as used by address generators and real names alike ("Spurs", "Heights").
_US_SUFFIX = (
    "Alley|Aly|Annex|Arcade|Avenue|Ave|Bayou|Beach|Bend|Bluffs?|Bottom|Boulevard|Blvd|Branch|"
    "Bridge|Brooks?|Burgs?|Bypass|Camp|Canyon|Cape|Causeway|Centers?|Circles?|Cir|Cliffs?|Club|"
    "Common|Corners?|Course|Courts?|Ct|Coves?|Creek|Crescent|Crest|Crossing|Crossroad|Curve|Dale|"
    "Dam|Divide|Drives?|Dr|Estates?|Expressway|Extensions?|Falls?|Ferry|Fields?|Flats?|Fords?|"
    "Forests?|Forges?|Forks?|Fort|Freeway|Gardens?|Gateway|Glens?|Greens?|Groves?|Harbors?|"
    "Haven|Heights|Highway|Hwy|Hills?|Hollow|Inlet|Islands?|Isle|Junctions?|Keys?|Knolls?|"
    "Lakes?|Land|Landing|Lane|Ln|Light|Lights|Loaf|Locks?|Lodge|Loop|Mall|Manors?|Meadows?|Mews|"
    "Mill|Mills|Mission|Motorway|Mount|Mountains?|Neck|Orchard|Oval|Overpass|Parks?|Parkways?|"
    "Pkwy|Pass|Passage|Path|Pike|Pines?|Place|Pl|Plains?|Plaza|Points?|Ports?|Prairie|Radial|"
    "Ramp|Ranch|Rapids?|Rest|Ridges?|River|Road|Roads|Rd|Route|Row|Rue|Run|Shoals?|Shores?|"
    "Skyway|Springs?|Spurs?|Squares?|Sq|Station|Stravenue|Stream|Streets?|St|Summit|Terrace|"
    "Ter|Throughway|Trace|Track|Trafficway|Trail|Trl|Tunnel|Turnpike|Underpass|Unions?|Valleys?|"
    "Via|Viaduct|Views?|Villages?|Ville|Vista|Walks?|Wall|Way|Ways|Wells?|"
    # Royal Mail thoroughfare words not in the USPS list.
    "Close|Rise|Wharf|Yard|Parade|Approach|Chase|Croft"
)
_CAP = r"[A-Z][A-Za-z'\u2019.-]{1,30}"
_EU_CAP = r"\p{Lu}[\w'\u2019.-]{1,30}"
_LINKS = (r"(?:de|del|de la|des|du|la|las|los|le|les|el|y|et|von|der|d'|l'|da|do|dos|das|di|"
          r"della|dello|delle|degli|dei)")
# Street words written as the end of the street's name (SE/NO/DK/NL/FI/HU/DE-CH).
_SUFFIX_STREETS = (
    "vägen|gatan|gata|gaten|gränd|torget|stigen|backen|allén|vej|gade|vænget|veien|vegen|"
    "straat|laan|gracht|plein|kade|dijk|singel|steeg|markt|katu|tie|kuja|polku|utca|körút"
)
# Street words written first, then the name, then the number (BE/FR/CH/IT/PT/RO/ES/PL).
_ROMANCE_STREETS = (
    "Rue|Avenue|Chaussée|Boulevard|Place|Chemin|Impasse|Allée|Quai|Via|Viale|Piazza|Piazzale|"
    "Corso|Largo|Vicolo|Rua|Travessa|Praça|Avenida|Strada|Str\\.|Ulica|Aleja|al\\.|Avinguda|Rúa"
)
# USPS state and territory codes.
_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|"
    "NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR|GU|VI|AS|MP"
)
_PATTERNS = (
    # US street line: number, 1-4 capitalised words, a USPS suffix, optional unit.
    # Indian and other styles put a comma after the number and use ordinals ("91, 4th Cross Road").
    # Greedy over the words (so "Old Mill Road" is not cut at "Mill"), never across a line break.
    rf"\b\d{{1,6}}[A-Z]?,?(?:[ \t]+(?:[NSEW]|North|South|East|West)\.?)?"
    rf"(?:[ \t]+(?:{_CAP}|\d{{1,3}}(?:st|nd|rd|th))){{1,4}}"
    rf"[ \t]+(?:{_US_SUFFIX})\b\.?"
    rf"(?:,?[ \t]+(?:Suite|Ste\.?|Apt\.?|Unit|#)[ \t]*[A-Za-z0-9-]{{1,6}})?",
    # UK/US unit-first lines: "Flat 8, John Land", "Studio 3, 12 Moore Ford", "Apt 4B, 9 Elm St".
    rf"\b(?:Flat|Studio|Apartment|Apt\.?|Unit|Suite)\s+\d{{1,4}}[A-Z]?,?\s+(?:\d{{1,5}}\s+)?"
    rf"(?:{_CAP},?\s+){{1,4}}(?:{_US_SUFFIX})\b",
    # A number and one word ending in -way/-gate, then the locality: "145 Kingsway, Manchester".
    r"\b\d{1,5}\s+[A-Z][a-z]{2,20}(?:way|gate)\b(?=[ \t]*(?:,|\r?\n))",
    # Polish street ("ul. Marszałkowska 84/2") and German streets named with a preposition
    # ("Am Kupfergraben 4", "An der Alster 12"): no suffix, a house number of 1-3 digits.
    rf"\bul\.\s+{_EU_CAP}(?:\s+{_EU_CAP}){{0,3}}\s+\d{{1,4}}[a-z]?(?:/\d{{1,4}})?\b",
    rf"\b(?:Am|An der|An den|Im|In der|Auf der|Auf dem|Zum|Zur|Unter den)\s+{_EU_CAP}"
    rf"(?:[ -]{_EU_CAP}){{0,2}}\s+\d{{1,3}}[a-z]?\b",
    # US locality: City, ST 12345(-6789)
    rf"\b(?:{_CAP} ){{0,3}}{_CAP},[ \t]+(?:{_STATES})\s+\d{{5}}(?:-\d{{4}})?\b",
    # German street: Hauptstraße 5, Hans-Gerd-Knappe-Straße 817a, Am Ring 3 (DIN 5008 order).
    r"\b[A-ZÄÖÜ][\w-]{0,40}(?i:straße|strasse|str\.|weg|platz|allee|gasse|ring|damm|ufer|chaussee)"
    r"\s+\d{1,4}[a-zA-Z]?(?:[-/]\d{1,4}[a-zA-Z]?)?\b",  # 817a, 70A, 12-14
    # ... and named after a place, as two words: "Mariahilfer Straße 88", "Kölner Str. 12".
    r"\b(?!(?:Unser|Euer|Ihrer|Seiner|Meiner|Deiner|Jeder|Aller|Einer|Keiner|Dieser|Jener|"
    r"Welcher|Solcher|Mancher)\b)"
    r"[A-ZÄÖÜ][\w-]{1,40}er\s+(?:Straße|Strasse|Str\.|Weg|Platz|Allee|Gasse|Ring|Damm|Ufer|"
    r"Chaussee|Landstraße|Tor)\s+\d{1,4}[a-zA-Z]?(?:[-/]\d{1,4}[a-zA-Z]?)?\b",
    # French street: 12 rue de la Paix, 3 bis avenue Victor Hugo.
    rf"(?i:\b\d{{1,4}}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|av\.|boulevard|bd|place|chemin|"
    rf"impasse|allée|quai|route|cours|square|rond-point))(?:\s+(?:{_LINKS}\s*)?{_EU_CAP}){{1,5}}",
    # Spanish street: Calle Mayor 5, Plaza de X Y 21, Avda. de la Paz, 3.
    rf"\b(?:Calle|C/|Avenida|Avda\.|Av\.|Plaza|Paseo|Camino|Carrer|Ronda|Travesía|Glorieta|"
    rf"Callejón|Vía|Pasaje|Pasadizo|Carretera|Ctra\.|Alameda|Acceso|Bulevar|Cañada|Cuesta|Rambla|"
    rf"Sector|Senda|Urbanización|Urb\.|Partida|Polígono|Muelle)(?:\s+(?:{_LINKS}\s+)?{_EU_CAP}){{1,5}},?\s+\d{{1,4}}\b",
    # UK locality: Town AB1 2CD (Royal Mail postcode format: outward code, space, inward code).
    rf"\b(?:{_CAP} ){{0,2}}{_CAP},?[ ]+[A-Z]{{1,2}}\d[A-Z\d]?[ ]?\d[ABD-HJLNP-UW-Z]{{2}}\b",
    # European locality after a street: ", 75008 Paris" / "01607 Gardelegen" (5-digit postcode).
    rf"(?<=,\s{{0,2}}|\n)\d{{5}}\s+{_EU_CAP}(?:[ -]{_EU_CAP}){{0,2}}",
    # Polish locality after a street: "00-514 Warszawa" (Poczta Polska NN-NNN).
    rf"(?<=,\s{{0,2}}|\n)\d{{2}}-\d{{3}}\s+{_EU_CAP}(?:[ -]{_EU_CAP}){{0,2}}",
    # Indian locality after a street: "Bengaluru 560038", "New Delhi - 110001" (6-digit PIN).
    rf"(?<=,\s{{0,2}}|\n)(?:{_EU_CAP} ){{0,2}}{_EU_CAP}(?: ?- ?| )[1-9]\d{{5}}\b",
    # Street name first, house number after, as in most of Europe. Nordic, Dutch, Finnish and
    # Hungarian names carry the street word as a suffix ("Violvägen 64", "Keizersgracht 412",
    # "Nørrebrogade 52", "Mannerheimintie 12"); Romance ones put it first ("Rue de Piétrain
    # 371", "Via Giuseppe Verdi 23", "Rua Augusta 128").
    rf"\b(?!(?i:brigade|renegade|escapade)\b)\p{{Lu}}[\p{{L}}-]{{1,40}}(?:{_SUFFIX_STREETS})"
    r"\s+\d{1,4}(?:\s?[A-Za-z](?![\w]))?\b",
    rf"\b(?:{_ROMANCE_STREETS})\s+(?:{_LINKS}\s*)?{_EU_CAP}(?:\s+(?:{_LINKS}\s*)?{_EU_CAP}){{0,4}}"
    r",?\s+\d{1,4}[a-zA-Z]?\b",
    # Swedish "417 29 Göteborg", Portuguese "1100-053 Lisboa" after a street.
    rf"(?<=,\s{{0,2}}|\n)(?:\d{{3}} \d{{2}}|\d{{4}}-\d{{3}})\s+{_EU_CAP}(?:[ -]{_EU_CAP}){{0,2}}",
    # Post office boxes: P.O. Box, Post Office Box, Postfach, Apartado (de correos), Caixa Postal.
    r"(?i:\b(?:p\.?\s?o\.?\s?box|post\s+office\s+box|postfach|apartado(?:\s+de\s+correos)?"
    r"|caixa\s+postal|casilla(?:\s+de\s+correo)?|boîte\s+postale))"
    r"\s*#?\s*\d{1,6}(?:\s\d{2,3}){0,2}\b",
    # US military mail (USPS Publication 28, sec. 225): PSC/CMR/Unit + Box; APO/FPO/DPO AA/AE/AP.
    r"\b(?:PSC|CMR|Unit)\s+\d{3,5},?\s+Box\s+\d{1,5}\b",
    r"\b(?:APO|FPO|DPO)\s+(?:AA|AE|AP)\s+\d{5}(?:-\d{4})?\b",
    # Japanese addresses in romaji: block-lot(-house) then the district, before its ward, city
    # or town ("3-12-1 Shibuya, Shibuya-ku", "2-4 Nakamachi, Musashino-shi"); the 〒 postcode
    # "150-0002" that follows is the locality line's.
    r"\b\d{1,2}-\d{1,3}(?:-\d{1,3})?\s+\p{Lu}\p{Ll}+(?:[ -]\p{Lu}?\p{Ll}+)?"
    r"(?=,\s*\p{Lu}\p{Ll}+-(?:ku|shi|cho|chō|machi|gun|mura)\b)",
    r"(?<=\b(?:Tokyo|Osaka|Kyoto|Yokohama|Nagoya|Sapporo|Fukuoka|Kobe|Sendai|Hiroshima)\s)"
    r"\d{3}-\d{4}\b",
)
# Addresses in Japanese, Chinese and Korean script, largest unit first, the number last:
# "東京都渋谷区神南1-2-3" (prefecture, ward, district, chōme-ban-gō), "上海市浦东新区世纪大道100号"
# (city, district, road, number), "서울특별시 강남구 테헤란로 152" (city, district, road, number).
_CJK_PATTERNS = (
    r"(?:\p{Han}{2,3}[都道府県])?\p{Han}{1,6}?[市区町村郡][\p{Han}\p{Katakana}]{0,8}?"
    r"\d{1,4}(?:(?:丁目|番地?|号|[-\uff0d\u2212])\d{1,4}){1,3}号?",  # -, fullwidth -, minus
    r"(?:\p{Han}{2,4}省)?\p{Han}{2,4}市(?:\p{Han}{1,4}[区县])?\p{Han}{1,10}?[路街道巷弄]\d{1,5}号",
    r"\p{Hangul}{1,8}(?:특별시|광역시|시|도)[ ]\p{Hangul}{1,6}[구군시][ ]\p{Hangul}{1,12}(?:로|길)"
    r"[ ]?\d{1,4}(?:-\d{1,4})?",
)
# A 4-digit postcode and its locality ("0152 Oslo", "1016 GC Amsterdam", "1370 Jodoigne") is
# only taken right after a street line: on its own it reads like a year.
_POSTCODE4 = regex.compile(
    rf"[ \t]*(?:,[ \t]*|\r?\n[ \t]*)(\d{{4}}(?: ?[A-Z]{{2}})?\s+{_EU_CAP}(?:[ -]{_EU_CAP}){{0,2}})"
)


class LocationRecognizer(Recognizer):
    """Street lines and locality lines; a city on its own is not an address."""

    entity_type = "LOCATION"
    category = Category.PII
    needs_digit = True
    # One regex per shape: the regex module tries every branch of an alternation at every
    # position, so separate patterns (each skipping ahead on its own first token) run ~4x faster.
    patterns: ClassVar[tuple[regex.Pattern[str], ...]] = tuple(regex.compile(p) for p in _PATTERNS)
    # ... and the CJK-script shapes too, for text that is not all ASCII.
    all_patterns: ClassVar[tuple[regex.Pattern[str], ...]] = patterns + tuple(
        regex.compile(p) for p in _CJK_PATTERNS)

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        for pattern in self.patterns if text.isascii() else self.all_patterns:
            for match in pattern.finditer(text, timeout=deadline.remaining()):
                yield self.candidate(*match.span(), 0.7)
                after = _POSTCODE4.match(text, match.end(), timeout=deadline.remaining())
                if after is not None:
                    yield self.candidate(*after.span(1), 0.7)
