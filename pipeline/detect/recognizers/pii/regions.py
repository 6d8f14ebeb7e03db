"""Which numbering plans a prompt suggests: +CC codes, ccTLDs, currencies, country words, letters.

A national number ("61 234 87 90") is valid in dozens of plans, so validity alone says little;
it counts without a phone word only in a plan the text itself points at. The signals are cheap
and generic (ISO 3166 codes, ISO 4217 currencies, country names, language-specific letters).
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
import regex

__all__ = ["DEFAULT_REGIONS", "hinted_regions"]

# Tried for numbers next to a phone word when the text names no country: the plans of the
# languages and markets the product serves, most populous first within each continent.
DEFAULT_REGIONS = (
    "US", "GB", "DE", "FR", "ES", "IT", "NL", "BE", "CH", "AT", "PL", "SE", "NO", "DK", "FI",
    "PT", "IE", "CZ", "HU", "RO", "GR", "TR", "IN", "AU", "NZ", "CA", "MX", "BR", "AR", "CO",
    "CL", "PE", "BO", "NG", "ZA", "KE", "EG", "MA", "IL", "AE", "SA", "PK", "BD", "PH", "ID",
    "MY", "SG", "TH", "VN", "JP", "KR", "CN", "HK", "UA", "RU",
)

_CC = regex.compile(r"(?<![\w+])\+(\d{1,3})[ .(-]{0,2}\d")
# ccTLDs only inside an e-mail address or a host name (".pl" alone could be a Perl file).
_TLD = regex.compile(r"(?:@|//|www\.)[\w.-]{1,200}\.([a-z]{2})\b(?![.-]?\w)")
_TLD_REGION = {"uk": "GB", "eu": "DE"}
_WORDS: dict[str, tuple[str, ...]] = {
    "poland": ("PL",), "polska": ("PL",), "polish": ("PL",), "warszaw": ("PL",), "zł": ("PL",),
    "pln": ("PL",), "spain": ("ES",), "españa": ("ES",), "spanish": ("ES",), "madrid": ("ES",),
    "france": ("FR",), "french": ("FR",), "paris": ("FR",), "germany": ("DE",),
    "deutschland": ("DE",), "german": ("DE",), "berlin": ("DE",), "italy": ("IT",),
    "italia": ("IT",), "italian": ("IT",), "roma": ("IT",), "netherlands": ("NL",),
    "nederland": ("NL",), "dutch": ("NL",), "amsterdam": ("NL",), "belgi": ("BE",),
    "brussel": ("BE",), "bruxelles": ("BE",), "switzerland": ("CH",), "schweiz": ("CH",),
    "suisse": ("CH",), "chf": ("CH",), "austria": ("AT",), "österreich": ("AT",),
    "wien": ("AT",), "sweden": ("SE",), "sverige": ("SE",), "swedish": ("SE",), "sek": ("SE",),
    "stockholm": ("SE",), "norway": ("NO",), "norge": ("NO",), "nok": ("NO",), "oslo": ("NO",),
    "denmark": ("DK",), "danmark": ("DK",), "dkk": ("DK",), "københavn": ("DK",),
    "finland": ("FI",), "suomi": ("FI",), "helsinki": ("FI",), "portugal": ("PT",),
    "lisboa": ("PT",), "ireland": ("IE",), "dublin": ("IE",), "czech": ("CZ",), "praha": ("CZ",),
    "czk": ("CZ",), "hungary": ("HU",), "budapest": ("HU",), "huf": ("HU",), "romania": ("RO",),
    "greece": ("GR",), "turkey": ("TR",), "türkiye": ("TR",), "istanbul": ("TR",), "₺": ("TR",),
    "india": ("IN",), "₹": ("IN",), "inr": ("IN",), "australia": ("AU",), "aud": ("AU",),
    "brazil": ("BR",), "brasil": ("BR",), "r$": ("BR",), "mexico": ("MX",), "méxico": ("MX",),
    "argentina": ("AR",), "colombia": ("CO",), "chile": ("CL",), "peru": ("PE",),
    "bolivia": ("BO",), "nigeria": ("NG",), "lagos": ("NG",), "₦": ("NG",), "kenya": ("KE",),
    "nairobi": ("KE",), "south africa": ("ZA",), "zar": ("ZA",), "japan": ("JP",),
    "tokyo": ("JP",), "korea": ("KR",), "canada": ("CA",), "ukraine": ("UA",), "£": ("GB",),
    "london": ("GB",), "uk ": ("GB",), "€": ("DE", "FR", "ES", "IT", "NL", "BE", "AT", "PT",
                                           "IE", "FI"),
}
# Letters that only some languages use (a Polish, Nordic or Turkish text points to its plans).
_LETTERS: dict[str, tuple[str, ...]] = {
    "ł": ("PL",), "ą": ("PL",), "ę": ("PL",), "ś": ("PL",), "ż": ("PL",), "ź": ("PL",),
    "å": ("SE", "NO", "DK", "FI"), "ø": ("NO", "DK"), "æ": ("NO", "DK"), "ñ": ("ES", "MX", "AR"),
    "ß": ("DE", "AT", "CH"), "ã": ("PT", "BR"), "õ": ("PT", "BR"), "ş": ("TR", "RO"),
    "ğ": ("TR",), "\u0131": ("TR",), "ő": ("HU",), "ű": ("HU",), "ř": ("CZ",), "ě": ("CZ",),
    "ů": ("CZ",), "ț": ("RO",), "ș": ("RO",), "ä": ("DE", "SE", "FI", "AT"),
    "ö": ("DE", "SE", "FI", "AT"), "ç": ("FR", "PT", "TR"), "è": ("FR", "IT"),
}

# A script points at the plans of the countries that write it ("电话 138 0013 8000").
_SCRIPTS: tuple[tuple[regex.Pattern[str], tuple[str, ...]], ...] = tuple(
    (regex.compile(rf"\p{{{script}}}"), regions) for script, regions in (
        ("Han", ("CN", "TW", "HK", "SG")), ("Hiragana", ("JP",)), ("Katakana", ("JP",)),
        ("Hangul", ("KR",)), ("Devanagari", ("IN",)), ("Arabic", ("SA", "AE", "EG", "MA")),
        ("Hebrew", ("IL",)), ("Cyrillic", ("RU", "UA", "BG")), ("Greek", ("GR",)),
        ("Thai", ("TH",)),
    )
)


def hinted_regions(text: str, lowered: str) -> tuple[str, ...]:
    """Regions the text points at, in order of first evidence, without duplicates."""
    found: dict[str, None] = {}
    if "+" in text:
        for m in _CC.finditer(text, timeout=1.0):
            for region in _regions_for_code(int(m.group(1))):
                found[region] = None
    if "@" in text or "//" in text or "www." in lowered:
        for m in _TLD.finditer(lowered, timeout=1.0):
            tld = m.group(1)
            region = _TLD_REGION.get(tld, tld.upper())
            if region in phonenumbers.SUPPORTED_REGIONS:
                found[region] = None
    for word, regions in _WORDS.items():
        if word in lowered:
            found.update(dict.fromkeys(regions))
    if not text.isascii():
        for letter, regions in _LETTERS.items():
            if letter in lowered:
                found.update(dict.fromkeys(regions))
        for script, regions in _SCRIPTS:
            if script.search(text):
                found.update(dict.fromkeys(regions))
    return tuple(found)


@lru_cache(maxsize=512)
def _regions_for_code(code: int) -> tuple[str, ...]:
    return tuple(r for r in phonenumbers.region_codes_for_country_code(code) if r != "001")
