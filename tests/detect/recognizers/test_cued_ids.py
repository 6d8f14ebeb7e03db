"""National/tax numbers named by their cue and checked by python-stdnum; passports by cue.

The valid numbers are the python-stdnum documentation's own examples; each has a twin that
fails its check digit, and the same digits without a cue, which must stay clean.
"""

from __future__ import annotations

import pytest

from tests.detect.conftest import Found

CUED = [
    ("Olá, o meu NIF é 501964843, obrigado.", "501964843"),
    ("o meu NIF n.º 501964843", "501964843"),
    ("PESEL 44051401359, adres podam później", "44051401359"),
    ("Mijn BSN: 111222333 graag verwerken", "111222333"),
    ("Patient NHS number 943 476 5919 was admitted.", "943 476 5919"),
    ("CPF 390.533.447-05 do titular", "390.533.447-05"),
    ("my SIN is 123-456-782", "123-456-782"),
    ("PAN: ACUPA7085R", "ACUPA7085R"),
    ("Aadhaar 2341 2341 2346 linked", "2341 2341 2346"),
    ("codice fiscale RCCMNL83S18D969H", "RCCMNL83S18D969H"),
    ("Steuer-ID 36 574 261 809 fehlt", "36 574 261 809"),
    ("personnummer 880320-0016 saknas", "880320-0016"),
    ("T.C. Kimlik No: 17291716060", "17291716060"),
    ("Cześć, mój PESEL to 44051401359.", "44051401359"),
]
NOT_IDS = [
    "the NIF is 501964844 (one digit off)",
    "Order number 501964843 shipped",
    "Run 123456785 tests on the pan 12345678 grid",
    "Set sin(x) = 0.5 and pan the camera by 30 degrees",
    "See RFC 5322 section 3.4 and RFC 2616.",
    "The build number is 501964843 and the NIF field is empty",
]
PASSPORTS = [
    ("Passport number X12345678, expires 2031.", "X12345678"),
    ("pasaporte n.º PAA123456 caduca en 2030", "PAA123456"),
    # Letters inside, as German passports are numbered (ICAO 9303; vanilla presidio finds it).
    ("Reisepass-Nr. C01X00T47 bitte", "C01X00T47"),
    ("Reisepass-Nr. BITTEJETZT angeben", None),  # no digits: a word, not a number
    ("passport photo 2x2 inches, 600 dpi", None),
]


@pytest.mark.parametrize(("text", "value"), CUED)
def test_cued_national_ids_are_found(found: Found, text: str, value: str) -> None:
    assert ("NATIONAL_ID", value) in found(text)


@pytest.mark.parametrize("text", NOT_IDS)
def test_uncued_or_invalid_numbers_are_not_ids(found: Found, text: str) -> None:
    assert not [f for f in found(text) if f[0] == "NATIONAL_ID"]


@pytest.mark.parametrize(("text", "value"), PASSPORTS)
def test_passports_by_cue(found: Found, text: str, value: str | None) -> None:
    passports = [v for kind, v in found(text) if kind == "PASSPORT"]
    assert passports == ([value] if value else [])
