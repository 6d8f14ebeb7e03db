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
    "Via|Viaduct|Views?|Villages?|Ville|Vista|Walks?|Wall|Way|Ways|Wells?"
)
_CAP = r"[A-Z][A-Za-z'\u2019.-]{1,30}"
_EU_CAP = r"[A-ZÀ-ÖØ-Þ][\w'\u2019.-]{1,30}"
_LINKS = r"(?:de|del|de la|des|du|la|las|los|le|les|el|y|et|von|der|d'|l')"
# USPS state and territory codes.
_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|"
    "NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR|GU|VI|AS|MP"
)
_PATTERNS = (
    # US street line: number, 1-4 capitalised words, a USPS suffix, optional unit.
    # Indian and other styles put a comma after the number and use ordinals ("91, 4th Cross Road").
    rf"\b\d{{1,6}}[A-Z]?,?(?:\s+(?:[NSEW]|North|South|East|West)\.?)?"
    rf"(?:\s+(?:{_CAP}|\d{{1,3}}(?:st|nd|rd|th))){{1,4}}?"
    rf"\s+(?:{_US_SUFFIX})\b\.?(?:,?\s+(?:Suite|Ste\.?|Apt\.?|Unit|#)\s*[A-Za-z0-9-]{{1,6}})?",
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
    r"\s+\d{1,4}[a-z]?(?:[-/]\d{1,4}[a-z]?)?\b",
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
)


class LocationRecognizer(Recognizer):
    """Street lines and locality lines; a city on its own is not an address."""

    entity_type = "LOCATION"
    category = Category.PII
    # One regex per shape: the regex module tries every branch of an alternation at every
    # position, so separate patterns (each skipping ahead on its own first token) run ~4x faster.
    patterns: ClassVar[tuple[regex.Pattern[str], ...]] = tuple(regex.compile(p) for p in _PATTERNS)

    def applies(self, lowered: str) -> bool:
        return any(c.isdigit() for c in lowered)

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        for pattern in self.patterns:
            for match in pattern.finditer(text, timeout=deadline.remaining()):
                yield self.candidate(*match.span(), 0.7)
