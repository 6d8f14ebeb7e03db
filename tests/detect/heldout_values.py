# ruff: noqa: E501 - name lists and formats are kept one per line
"""Random values for the held-out style set: credentials, personal data and their disguises.

Every function takes a seeded ``random.Random``; nothing here is copied from the dev corpus.
Checksummed values (cards, IBANs, GitHub tokens) are generated valid unless the name says not.
"""

from __future__ import annotations

import base64
import json
import string
import unicodedata
import zlib
from random import Random
from urllib.parse import quote

__all__ = [
    "NAMES",
    "b64",
    "card",
    "card_bad_luhn",
    "dob",
    "email",
    "hexed",
    "iban",
    "ip_private",
    "name",
    "phone",
    "pick",
    "secret",
    "ssn",
    "street_and_locality",
    "urlenc",
]

B62 = string.ascii_letters + string.digits
B64 = B62 + "+/"
UPPER32 = string.ascii_uppercase + "234567"


def pick(rng: Random, items: list[str] | tuple[str, ...]) -> str:
    return items[rng.randrange(len(items))]


def rs(rng: Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _digits(rng: Random, n: int) -> str:
    return str(rng.randint(1, 9)) + rs(rng, string.digits, n - 1)


# ---------------------------------------------------------------- credentials (block class)
def _github(rng: Random) -> str:
    if rng.random() < 0.25:
        return f"github_pat_{rs(rng, B62, 22)}_{rs(rng, B62, 59)}"
    body = rs(rng, B62, 30)
    value, crc = zlib.crc32(body.encode()), ""
    while value:
        value, rem = divmod(value, 62)
        crc = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[rem] + crc
    return f"{pick(rng, ['ghp', 'gho', 'ghs'])}_{body}{crc.rjust(6, '0')}"


def _jwt(rng: Random) -> str:
    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    header = {"alg": pick(rng, ["HS256", "RS256", "ES256"]), "typ": "JWT"}
    payload = {
        "sub": rs(rng, string.digits, 8),
        "iat": rng.randint(1.6e9, 1.8e9),
        "scope": pick(rng, ["read", "admin", "orders:write"]),
    }
    return f"{part(header)}.{part(payload)}.{rs(rng, B62 + '_-', 43)}"


def _pem(rng: Random) -> str:
    label = pick(rng, ["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"])
    lines = [rs(rng, B64, 64) for _ in range(rng.randint(4, 9))] + [rs(rng, B64, 20) + "=="]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"


def password(rng: Random) -> str:
    word = pick(rng, ["Harbour", "quokka", "Zebra", "violet", "Mango", "tundra", "Koala", "ember"])
    return (
        word
        + rs(rng, string.digits, rng.randint(2, 4))
        + pick(rng, ["!", "#", "$", "%", "&"])
        + rs(rng, B62, rng.randint(2, 6))
    )


_SECRETS = {
    "AWS_ACCESS_KEY_ID": lambda r: "AKIA" + rs(r, UPPER32, 16),
    "AWS_SECRET_ACCESS_KEY": lambda r: rs(r, B64, 40),
    "GITHUB_TOKEN": _github,
    "SLACK_TOKEN": lambda r: (
        f"{pick(r, ['xoxb', 'xoxp'])}-{_digits(r, 11)}-{_digits(r, 12)}-{rs(r, B62, 24)}"
    ),
    "STRIPE_SECRET_KEY": lambda r: "sk_live_" + rs(r, B62, r.choice([24, 34, 99])),
    "OPENAI_API_KEY": lambda r: (
        "sk-proj-" + rs(r, B62 + "_-", 100)
        if r.random() < 0.6
        else "sk-" + rs(r, B62, 20) + "T3BlbkFJ" + rs(r, B62, 20)
    ),
    "GOOGLE_API_KEY": lambda r: "AIzaSy" + rs(r, B62 + "_-", 33),
    "JWT": _jwt,
    "PRIVATE_KEY": _pem,
    "PASSWORD_IN_URL": password,
}


def secret(rng: Random, kind: str) -> str:
    return _SECRETS[kind](rng)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def hexed(text: str) -> str:
    return text.encode().hex()


def urlenc(text: str) -> str:
    return quote(text, safe="")


# ---------------------------------------------------------------- personal data (redact class)
def _split(names: str) -> list[str]:
    return names.split("|")


NAMES: dict[str, tuple[list[str], list[str]]] = {
    "nigerian": (
        _split("Oluwaseun|Chinedu|Ngozi|Emeka|Funmilayo|Tunde|Chiamaka|Adaeze|Ifeoma|Babatunde|Yetunde|Obinna"),
        _split("Adebayo|Okafor|Eze|Nwosu|Balogun|Bakare|Obi|Okeke|Adeyemi|Oyelaran|Chukwu|Ogunleye"),
    ),
    "indian": (
        _split("Priya|Arjun|Aishwarya|Rohan|Sandeep|Lakshmi|Vikram|Ananya|Karthik|Meenakshi|Rahul|Divya"),
        _split("Raghunathan|Venkataraman|Iyer|Deshpande|Kulkarni|Narayanan|Choudhary|Bhattacharya|Reddy|Menon|Srinivasan|Joshi"),
    ),
    "pinyin": (
        _split("Wei|Na|Fang|Yang|Jing|Xiaoming|Lei|Jiayi|Haoran|Yutong|Zihan|Mingzhe"),
        _split("Zhang|Li|Wang|Liu|Chen|Huang|Zhao|Xu|Sun|Zhou|Wu|Guo"),
    ),
    "arabic": (
        _split("Mohammed|Fatima|Omar|Layla|Youssef|Nour|Khaled|Aisha|Tariq|Rania|Hamza|Yasmin"),
        _split("Al-Rashid|Haddad|Khalil|Mansour|El-Amin|Abdelrahman|Suleiman|Nasser|Al-Farsi|Saleh|Hariri|Bakr"),
    ),
    "polish": (
        _split("Krzysztof|Agnieszka|Małgorzata|Tomasz|Katarzyna|Paweł|Zofia|Grzegorz|Wojciech|Joanna"),
        _split("Wiśniewski|Kowalczyk|Zielińska|Wójcik|Lewandowska|Dąbrowski|Szymańska|Kamiński|Jankowski|Mazur"),
    ),
    "vietnamese": (
        _split("Văn An|Thị Mai|Hoàng Nam|Minh Tuấn|Thị Hồng|Quốc Bảo|Thanh Hương|Đức Anh"),
        _split("Nguyễn|Trần|Lê|Phạm|Võ|Đặng|Bùi|Huỳnh"),
    ),
    "brazilian": (
        _split("João Pedro|Ana Beatriz|Luiz Fernando|Mariana|Thiago|Camila|Rafaela|Gustavo|Larissa|Felipe"),
        _split("Carvalho|Souza|Oliveira|Gonçalves|Ribeiro|Rocha|Almeida|Ferreira|Barbosa|Nascimento"),
    ),
}
_FAMILY_FIRST = ("pinyin", "vietnamese")


def name(rng: Random, group: str | None = None) -> tuple[str, str]:
    """(full name, given name) in the order that culture writes them."""
    group = group or pick(rng, list(NAMES))
    first, last = pick(rng, NAMES[group][0]), pick(rng, NAMES[group][1])
    return (f"{last} {first}" if group in _FAMILY_FIRST else f"{first} {last}"), first


def _ascii(text: str) -> str:
    folded = unicodedata.normalize(
        "NFKD", text.replace("ł", "l").replace("đ", "d").replace("Đ", "D")
    )
    return "".join(c for c in folded if c.isascii())


def email(rng: Random, full: str) -> str:
    parts = _ascii(full).lower().replace("-", "").split()
    local = pick(
        rng,
        [
            ".".join(parts),
            parts[0][0] + parts[-1],
            parts[-1] + "_" + parts[0],
            parts[0] + str(rng.randint(7, 99)),
        ],
    )
    domain = pick(
        rng,
        [
            "gmail.com",
            "outlook.in",
            "yahoo.com.br",
            "qq.com",
            "wp.pl",
            "northwind-health.org",
            "contoso.co.uk",
            "fabrikam.de",
        ],
    )
    return f"{local}@{domain}"


def phone(rng: Random) -> str:
    d = lambda n: rs(rng, string.digits, n)  # noqa: E731
    return pick(
        rng,
        [
            f"0044 20 7946 0{d(3)}",
            f"(020) 7946 0{d(3)}",
            f"+49 (0)30 {d(4)} {d(4)}",
            f"07700 900{d(3)}",
            f"+44 7700 900{d(3)}",
            f"+91 98{d(3)} {d(5)}",
            f"+234 803 {d(3)} {d(4)}",
            f"+55 11 9{d(4)}-{d(4)}",
            f"06 {d(2)} {d(2)} {d(2)} {d(2)}",
            f"+48 601 {d(3)} {d(3)}",
            f"+86 138 {d(4)} {d(4)}",
            f"+84 912 {d(3)} {d(3)}",
            f"(415) 555-01{d(2)}",
            f"415.555.01{d(2)}",
            f"+1 646 555 01{d(2)}",
            f"030 {d(8)}",
            f"+33 6 {d(2)} {d(2)} {d(2)} {d(2)}",
        ],
    )


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def dob(rng: Random) -> tuple[str, str, str]:
    """(prefix, date, suffix): the date alone is the label."""
    y, m, day = rng.randint(1940, 2004), rng.randint(1, 12), rng.randint(1, 28)
    mon = _MONTHS[m - 1]
    nth = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(day, "th")
    return pick(
        rng,
        [  # type: ignore[return-value]
            ("DOB: ", f"{day} {mon[:3]} {y}", ""),
            ("born on the ", f"{day}{nth} of {mon} {y}", ""),
            ("geb. ", f"{day:02d}.{m:02d}.{y}", ""),
            ("date of birth - ", f"{y}-{m:02d}-{day:02d}", ""),
            ("D.O.B. ", f"{m:02d}/{day:02d}/{y % 100:02d}", ""),
            ("she was born ", f"{mon} {day}, {y}", " in Lagos"),
            ("birthdate ", f"{day}/{m}/{y}", ""),
            (
                "fecha de nacimiento: ",
                f"{day} de {['enero', 'febrero', 'marzo', 'abril'][m % 4]} de {y}",
                "",
            ),
            ("née le ", f"{day} {['janvier', 'mars', 'juin', 'octobre'][m % 4]} {y}", ""),
            ("Birthday: ", f"{day}-{mon[:3]}-{y}", ""),
        ],
    )


def street_and_locality(rng: Random) -> tuple[str, str, str]:
    """(street line, separator, locality line) in one country's postal format."""
    n = rng.randint(2, 240)
    return pick(
        rng,
        [  # type: ignore[return-value]
            (
                f"Flat {rng.randint(1, 30)}, {n} Coldharbour Lane",
                "\n",
                f"London SE5 {rng.randint(1, 9)}NR",
            ),
            (f"{n} Kingsway", ", ", f"Manchester M19 {rng.randint(1, 9)}BX"),
            (f"Bergmannstraße {n}", "\n", "10961 Berlin"),
            (f"Am Kupfergraben {rng.randint(1, 9)}", ", ", "10117 Berlin"),
            (f"{n} rue des Martyrs", "\n", "75009 Paris"),
            (f"{n}, boulevard Haussmann", ", ", "75008 Paris"),
            (f"Calle de Alcalá {n}", ", ", "28014 Madrid"),
            (f"Carrer de Mallorca {n}", "\n", "08036 Barcelona"),
            (f"{n} Oak Hollow Drive", "\n", "Austin, TX 78745"),
            (f"ul. Marszałkowska {n}", ", ", "00-514 Warszawa"),
            (f"No. {n}, 4th Cross Road, Indiranagar", ", ", "Bengaluru 560038"),
            (
                f"Flat {rng.randint(1, 30)}B, Sea Breeze Apartments, Linking Road",
                "\n",
                "Mumbai 400050",
            ),
        ],
    )


_IBAN_BBAN = {
    "DE": "n18",
    "GB": "a4n14",
    "FR": "n23",
    "ES": "n20",
    "NL": "a4n10",
    "PL": "n24",
    "IT": "a1n22",
    "BE": "n12",
}


def iban(rng: Random, style: str = "grouped") -> str:
    country = pick(rng, list(_IBAN_BBAN))
    spec = _IBAN_BBAN[country]
    if spec.startswith("a"):
        letters, digits = spec[1:].split("n")
        bban = rs(rng, string.ascii_uppercase, int(letters)) + rs(rng, string.digits, int(digits))
    else:
        bban = rs(rng, string.digits, int(spec[1:]))
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    compact = f"{country}{98 - int(numeric) % 97:02d}{bban}"
    if style == "compact":
        return compact
    groups = [compact[i : i + 4] for i in range(0, len(compact), 4)]
    if style == "lower":
        return " ".join(groups).lower()
    if style == "odd":
        return compact[:4] + "  " + compact[4:10] + " " + compact[10:]
    return " ".join(groups)


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def card(rng: Random, sep: str = " ") -> str:
    prefix = pick(rng, ["4", "51", "53", "55", "2221"])
    body = prefix + rs(rng, string.digits, 15 - len(prefix))
    number = body + _luhn_digit(body)
    return sep.join(number[i : i + 4] for i in range(0, 16, 4))


def card_bad_luhn(rng: Random) -> str:
    good = card(rng, "")
    return good[:-1] + str((int(good[-1]) + rng.randint(1, 9)) % 10)


def ssn(rng: Random, sep: str = "-") -> str:
    area = rng.choice([n for n in range(1, 900) if n != 666])
    return f"{area:03d}{sep}{rng.randint(1, 99):02d}{sep}{rng.randint(1, 9999):04d}"


def ip_private(rng: Random) -> str:
    return pick(
        rng,
        [
            f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            f"fd12:3456:{rng.randint(4096, 65535):x}::{rng.randint(1, 65535):x}",
        ],
    )
