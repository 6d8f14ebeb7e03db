"""Checksums used by several recognizers (Luhn, ISO 7064 mod 97-10, check letters)."""

from __future__ import annotations

__all__ = ["IBAN_LENGTHS", "iban_ok", "luhn_ok", "mod97_ok"]

# SWIFT IBAN registry (release 95): country code -> total IBAN length.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30,
    "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}


def luhn_ok(digits: str) -> bool:
    """ISO/IEC 7812-1 Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def mod97_ok(alnum: str) -> bool:
    """ISO 7064 mod 97-10 over letters mapped A=10..Z=35."""
    return int("".join(str(int(c, 36)) for c in alnum)) % 97 == 1


def iban_ok(compact: str) -> bool:
    """Length for the country and mod-97 of the rearranged IBAN (ISO 13616)."""
    if IBAN_LENGTHS.get(compact[:2]) != len(compact):
        return False
    return mod97_ok(compact[4:] + compact[:4])
