"""A second held-out generator: shapes the dev corpus lacks, with name pools of its own.

    python -m tests.detect.heldout_shapes [--n 300] [--seed 12] [--failures]

CSV exports, SQL dumps, support transcripts, multi-line address blocks, international names in
prose (Icelandic, Slavic, Turkish, Vietnamese, Indian, Nigerian, Japanese romanised, Hispanic)
and numbers spoken digit by digit, plus clean prompts in the same shapes (product CSVs, schema
dumps, transcripts without a name). Labels carry exact offsets, as in the corpus; the run goes
through the same naive policy and the shared scorer as ``tests.detect.heldout``.
"""

from __future__ import annotations

import argparse
import string
import sys
from random import Random
from typing import Any

from tests.detect.heldout import _event, _failures, run, scorer
from tests.detect.heldout_secrets import Part, Template
from tests.detect.heldout_values import card, iban, pick, rs

__all__ = ["generate"]

_POOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "icelandic": (("Sigrún", "Gunnar", "Þóra", "Ólafur", "Guðrún", "Einar", "Ragnhildur", "Hákon"),
                  ("Eiríksdóttir", "Jónsson", "Sigurðardóttir", "Magnússon", "Þórðarson",
                   "Ólafsdóttir")),
    "slavic": (("Mirela", "Tomasz", "Dragana", "Bohdan", "Ludmila", "Zoran", "Jelena", "Radek"),
               ("Vukovic", "Wielgosz", "Petrović", "Novák", "Horvat", "Kowalewski", "Dvořáková",
                "Shevchenko")),
    "turkish": (("Ayşe", "Mehmet", "Elif", "Burak", "Zeynep", "Emre", "Gökhan", "Şule"),
                ("Y\u0131lmaz", "Öztürk", "Kaya", "Demir", "Çelik", "Şahin", "Ayd\u0131n",
                 "Doğan")),
    "vietnamese": (("Nguyễn Văn", "Trần Thị", "Lê Minh", "Phạm Quốc", "Hoàng Thu"),
                   ("Hải", "Lan", "Tuấn", "Bảo", "Trang", "Dũng")),
    "indian": (("Aditi", "Harish", "Nandini", "Suresh", "Kavya", "Pranav", "Revathi", "Mahesh"),
               ("Raghavan", "Mukherjee", "Patil", "Gowda", "Chatterjee", "Pillai", "Saxena")),
    "nigerian": (("Chidi", "Folake", "Uchenna", "Bisi", "Nnamdi", "Temitope", "Kelechi", "Zainab"),
                 ("Okafor", "Adeyemi", "Nwankwo", "Ogbu", "Afolabi", "Eze", "Olatunji", "Bello")),
    "japanese": (("Haruka", "Takeshi", "Yumi", "Daiki", "Emi", "Shota", "Naoko", "Ren"),
                 ("Takahashi", "Kobayashi", "Yamamoto", "Sasaki", "Inoue", "Kimura", "Hayashi")),
    "hispanic": (("Ximena", "Joaquín", "Marisol", "Esteban", "Itzel", "Rodrigo", "Paloma"),
                 ("Villalobos", "Etxeberria", "Quiroga", "Zambrano", "Arriaga", "Cisneros")),
}


def _name(rng: Random) -> tuple[str, str, str]:
    """(full name, given name, family name) from one pool."""
    first, last = _POOLS[pick(rng, sorted(_POOLS))]
    given, family = pick(rng, first), pick(rng, last)
    return f"{given} {family}", given, family


def _d(rng: Random, n: int) -> str:
    return rs(rng, string.digits, n)


def _p(text: str, kind: str) -> tuple[str, str]:
    return text, kind


def csv_export(rng: Random) -> list[Part]:
    header = pick(rng, ["full_name,email,city", "name,e-mail,town", "customer_name,mail,city"])
    parts: list[Part] = ["Find duplicates in this export:\n\n", header, "\n"]
    for i in range(rng.randint(2, 4)):
        full, given, family = _name(rng)
        mail = f"{rs(rng, string.ascii_lowercase, 6)}{_d(rng, 2)}@example.net"
        shown = pick(rng, [full, f"{family}, {given}"])
        quoted = "," in shown
        parts += ['"' if quoted else "", _p(shown, "PERSON"), '"' if quoted else "", ",",
                  _p(mail, "EMAIL_ADDRESS"), ",", pick(rng, ["Leeds", "Porto", "Gdańsk", "Kyiv"]),
                  "\n" if i < 3 else ""]
    return parts


def sql_dump(rng: Random) -> list[Part]:
    full, _, _ = _name(rng)
    full2, _, _ = _name(rng)
    return [
        "Why does this restore fail?\n\nINSERT INTO customers (id, full_name, iban) VALUES\n"
        f"  ({_d(rng, 3)}, '", _p(full, "PERSON"), "', '", _p(iban(rng, "compact"), "IBAN_CODE"),
        f"'),\n  ({_d(rng, 3)}, '", _p(full2, "PERSON"), "', NULL);",
    ]


def support_transcript(rng: Random) -> list[Part]:
    full, given, _ = _name(rng)
    agent = pick(rng, ["Agent", "Support", "Rep"])
    return [
        "Summarise this call for the ticket:\n\n", agent, ": Thanks for calling, who am I "
        "speaking with?\nCaller: It's ", _p(full, "PERSON"), ".\n", agent, ": Thanks ",
        _p(given, "PERSON"), ", what is the card on the account?\nCaller: ",
        _p(card(rng, " "), "CREDIT_CARD"), ".\n", agent, ": Got it, I have raised a dispute.",
    ]


def address_block(rng: Random) -> list[Part]:
    full, _, _ = _name(rng)
    return [
        "Format this as a shipping label:\n\n", _p(full, "PERSON"), "\n",
        pick(rng, ["Flat 3, ", "Apt 12B, ", ""]),
        _p(f"{rng.randint(2, 240)} {pick(rng, ['Harrow', 'Elm', 'Mill', 'Station'])} "
           f"{pick(rng, ['Road', 'Street', 'Lane', 'Avenue'])}", "LOCATION"),
        "\n", pick(rng, ["Manchester M14 5RQ", "Bristol BS8 1TH", "Leeds LS6 2AB"]),
        "\nUnited Kingdom",
    ]


def intl_prose(rng: Random) -> list[Part]:
    full, _, _ = _name(rng)
    before, after = pick(rng, [
        ("Have you been to a ", " concert before?"),
        ("Maybe the booking is under ", ", can you check?"),
        ("", " from Northwind Traders is the keynote speaker."),
        ("I think the parcel was signed for by ", " at the front desk."),
        ("Please write a short bio of our new colleague ", " for the newsletter."),
        ("The complaint came from a ", " who ordered twice."),
    ])
    return [before, _p(full, "PERSON"), after]


def spoken_numbers(rng: Random) -> list[Part]:
    digits = card(rng, "")
    sep = pick(rng, [" ", " - ", "-", ". "])
    return [pick(rng, ["my card number is ", "the card is ", "ok the number: "]),
            _p(sep.join(digits), "CREDIT_CARD"), pick(rng, [", expiry next year", ".", " thanks"])]


def clean_csv(rng: Random) -> list[Part]:
    rows = "\n".join(f"{pick(rng, ['Widget', 'Gadget', 'Sprocket', 'Flange'])} "
                     f"{pick(rng, ['Pro', 'Mini', 'Max'])},{rng.randint(1, 99)}.{_d(rng, 2)},"
                     f"{pick(rng, ['in stock', 'backorder'])}" for _ in range(3))
    return ["Sort this by price:\n\nproduct,price,status\n", rows]


def clean_schema(rng: Random) -> list[Part]:
    return [f"Suggest an index for this table:\n\nCREATE TABLE orders (id BIGINT PRIMARY KEY, "
            f"customer_id BIGINT, total NUMERIC({rng.randint(8, 12)},2), created_at TIMESTAMP);"]


def clean_transcript(rng: Random) -> list[Part]:
    return [pick(rng, ["Agent", "Support"]), ": Hello, how can I help?\nCaller: The ",
            pick(rng, ["Premium Plan", "Smart Meter", "Mobile App"]),
            " keeps showing Invalid Token Signature.\nAgent: Please reinstall it and retry."]


_PII: dict[str, Template] = {
    "csv_export": csv_export, "sql_dump": sql_dump, "support_transcript": support_transcript,
    "address_block": address_block, "intl_prose": intl_prose, "spoken_numbers": spoken_numbers,
}
_CLEAN: dict[str, Template] = {
    "clean_csv": clean_csv, "clean_schema": clean_schema, "clean_transcript": clean_transcript,
}


def generate(n: int = 300, seed: int = 12) -> list[dict[str, Any]]:
    """``n`` labelled events (about 70 % carrying personal data) from a fixed seed."""
    rng = Random(seed)
    events = []
    for index in range(n):
        family, templates = ("pii", _PII) if rng.random() < 0.7 else ("clean", _CLEAN)
        template = rng.choice(sorted(templates))
        event = _event(index, family, template, templates[template](rng), None)
        event["id"] = f"hs-{index:05d}"
        events.append(event)
    return events


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--failures", action="store_true", help="list every failing event")
    args = parser.parse_args(argv)
    print(f"seed={args.seed} n={args.n}", file=sys.stderr)
    events = generate(args.n, args.seed)
    report, outputs = run(events)
    if args.failures:
        _failures(events, outputs)
    print(scorer().format_report(report, f"heldout_shapes seed={args.seed}"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
