"""Held-out templates that carry personal data (redact class): other names, formats and shapes."""

from __future__ import annotations

from random import Random

from tests.detect.heldout_secrets import Part, Template
from tests.detect.heldout_values import (
    card,
    dob,
    email,
    iban,
    ip_private,
    name,
    phone,
    pick,
    ssn,
    street_and_locality,
)

__all__ = ["PII_TEMPLATES"]


def _p(text: str, kind: str) -> tuple[str, str]:
    return text, kind


def chat_thanks(rng: Random) -> list[Part]:
    _, first = name(rng)
    return [
        pick(rng, ["thanks, ", "cheers ", "ok ", "perfect, thank you "]),
        _p(first, "PERSON"),
        pick(rng, ["! that fixed the build", ", that did it", " - merged", "! works now"]),
    ]


def hr_email(rng: Random) -> list[Part]:
    full, _first = name(rng)
    street, sep, locality = street_and_locality(rng)
    pre, date, post = dob(rng)
    return [
        "Please tidy up this email before I send it to payroll:\n\nSubject: New starter\n\n"
        "Hi team,\n\n",
        _p(full, "PERSON"),
        " joins the Lisbon office on Monday. Home address: ",
        _p(street, "LOCATION"),
        sep,
        _p(locality, "LOCATION"),
        ". ",
        pre,
        _p(date, "DATE_OF_BIRTH"),
        post,
        ". Mobile ",
        _p(phone(rng), "PHONE_NUMBER"),
        ".\n\nBest,\nHR",
    ]


def medical_note(rng: Random) -> list[Part]:
    full, _ = name(rng)
    pre, date, post = dob(rng)
    return [
        "Summarise for the discharge letter: Pt. ",
        _p(full, "PERSON"),
        ", ",
        pre,
        _p(date, "DATE_OF_BIRTH"),
        post,
        ", admitted with community-acquired pneumonia, "
        "started on amoxicillin 500 mg TDS. Next of kin reachable on ",
        _p(phone(rng), "PHONE_NUMBER"),
        ".",
    ]


def legal_lease(rng: Random) -> list[Part]:
    a, b = name(rng), name(rng)
    street, sep, locality = street_and_locality(rng)
    return [
        "Check the parties clause of this lease for errors:\n\nThis agreement is made between ",
        _p(a[0], "PERSON"),
        " (the Landlord) and ",
        _p(b[0], "PERSON"),
        " (the Tenant) in respect of the property at ",
        _p(street, "LOCATION"),
        sep,
        _p(locality, "LOCATION"),
        ".",
    ]


def banking_transfer(rng: Random) -> list[Part]:
    full, _ = name(rng)
    style = pick(rng, ["grouped", "compact", "lower", "odd"])
    return [
        "Draft a polite reminder: the refund should go to ",
        _p(full, "PERSON"),
        ", IBAN ",
        _p(iban(rng, style), "IBAN_CODE"),
        ", reference INV-2024-",
        str(rng.randint(100, 999)),
    ]


def csv_rows(rng: Random) -> list[Part]:
    parts: list[Part] = ["Dedupe this export by email:\n\nname,email,phone,plan\n"]
    for _ in range(3):
        full, _f = name(rng)
        parts += [
            _p(full, "PERSON"),
            ",",
            _p(email(rng, full), "EMAIL_ADDRESS"),
            ",",
            _p(phone(rng), "PHONE_NUMBER"),
            f",{pick(rng, ['pro', 'free', 'team'])}\n",
        ]
    return parts


def markdown_table(rng: Random) -> list[Part]:
    parts: list[Part] = [
        "Turn this on-call table into a YAML list:\n\n| engineer | email | rota |\n|---|---|---|\n"
    ]
    for week in range(1, 4):
        full, _ = name(rng)
        parts += [
            "| ",
            _p(full, "PERSON"),
            " | ",
            _p(email(rng, full), "EMAIL_ADDRESS"),
            f" | week {week} |\n",
        ]
    return parts


def java_stacktrace_pii(rng: Random) -> list[Part]:
    full, _ = name(rng)
    return [
        'Exception in thread "main" com.shop.DuplicateCustomerException: customer ',
        _p(email(rng, full), "EMAIL_ADDRESS"),
        " already exists (from ",
        _p(ip_private(rng), "IP_ADDRESS"),
        ")\n\tat com.shop.CustomerService.register(CustomerService.java:88)\n\tat "
        "com.shop.Api.lambda$post$3(Api.java:41)\nwhy is this thrown on retry?",
    ]


def sql_insert(rng: Random) -> list[Part]:
    full, _ = name(rng)
    return [
        "Why does Postgres reject this?\n\nINSERT INTO customers (full_name, email, phone) "
        "VALUES ('",
        _p(full, "PERSON"),
        "', '",
        _p(email(rng, full), "EMAIL_ADDRESS"),
        "', '",
        _p(phone(rng), "PHONE_NUMBER"),
        "') ON CONFLICT DO NOTHING",
    ]


def go_log_ips(rng: Random) -> list[Part]:
    parts: list[Part] = ["Our Go service flaps, logs below:\n"]
    for i in range(3):
        parts += [
            f"2024/05/0{i + 1} 10:1{i}:07 dial tcp ",
            _p(ip_private(rng), "IP_ADDRESS"),
            f":{pick(rng, ['5432', '6379', '9092'])}: connect: connection refused\n",
        ]
    return parts


def ssn_prose(rng: Random) -> list[Part]:
    sep = pick(rng, ["-", " ", ""])
    return [
        pick(rng, ["my social is ", "SSN on the W-2 reads ", "social security no. "]),
        _p(ssn(rng, sep), "US_SSN"),
        pick(rng, [", is that the right box?", " but the employer typed it wrong"]),
    ]


def card_formats(rng: Random) -> list[Part]:
    sep = pick(rng, [".", " ", "-", ""])
    return [
        "Customer says the charge on card ",
        _p(card(rng, sep), "CREDIT_CARD"),
        f" (exp 0{rng.randint(1, 9)}/2{rng.randint(6, 9)}) was duplicated, draft a reply.",
    ]


def obfuscated_email(rng: Random) -> list[Part]:
    full, first = name(rng)
    local = email(rng, full).split("@")[0]
    domain = pick(rng, ["acme", "globex", "initech"])
    shown = pick(
        rng,
        [
            f"{local} [at] {domain} [dot] com",
            f"{local}(at){domain}.com",
            f"{local} at {domain} dot com",
        ],
    )
    return [
        "Format this for the website footer: contact ",
        _p(first, "PERSON"),
        " at ",
        _p(shown, "EMAIL_ADDRESS"),
    ]


def dob_chat(rng: Random) -> list[Part]:
    pre, date, post = dob(rng)
    return [
        "The insurer form rejects my ",
        pre.strip(),
        " entry, I typed ",
        pre,
        _p(date, "DATE_OF_BIRTH"),
        post,
        " — which format do they want?",
    ]


def shipping_address(rng: Random) -> list[Part]:
    full, _ = name(rng)
    street, sep, locality = street_and_locality(rng)
    return [
        "Please reformat for a shipping label:\n",
        _p(full, "PERSON"),
        "\n",
        _p(street, "LOCATION"),
        sep,
        _p(locality, "LOCATION"),
        "\nTel: ",
        _p(phone(rng), "PHONE_NUMBER"),
    ]


def bank_account(rng: Random) -> list[Part]:
    return [
        "Our payroll file has routing 021000021 and account no. ",
        _p(str(rng.randint(10**8, 10**11)), "US_BANK_NUMBER"),
        ", why does ACH reject it?",
    ]


def complaint(rng: Random) -> list[Part]:
    group = pick(rng, ["polish", "vietnamese", "brazilian", "arabic"])
    full, _ = name(rng, group)
    return [
        "Rewrite this complaint in a calmer tone: I am ",
        _p(full, "PERSON"),
        " and I have waited three weeks for my refund, your agent ",
        _p(name(rng)[0], "PERSON"),
        " promised a call back that never came.",
    ]


def public_figure(rng: Random) -> list[Part]:
    who = pick(
        rng,
        [
            "Ada Lovelace",
            "Alan Turing",
            "Grace Hopper",
            "Srinivasa Ramanujan",
            "Chinua Achebe",
            "Marie Curie",
            "Nelson Mandela",
            "Dennis Ritchie",
        ],
    )
    return [
        pick(rng, ["Who was ", "Give me three facts about ", "Summarise the work of "]),
        _p(who, "PERSON"),
        "?",
    ]


def meeting_notes(rng: Random) -> list[Part]:
    a, b = name(rng), name(rng)
    return [
        "Action items from standup:\n- ",
        _p(a[0], "PERSON"),
        " to rotate the Grafana alerts\n- ",
        _p(b[1], "PERSON"),
        " will look at the Kafka lag on Tuesday\nTurn into a Jira list.",
    ]


def german_form(rng: Random) -> list[Part]:
    full, _ = name(rng, "polish")
    street, sep, locality = street_and_locality(rng)
    return [
        "Übersetze ins Englische: Antragsteller: ",
        _p(full, "PERSON"),
        ", geb. ",
        _p(
            f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(1950, 2000)}",
            "DATE_OF_BIRTH",
        ),
        ", wohnhaft ",
        _p(street, "LOCATION"),
        sep,
        _p(locality, "LOCATION"),
    ]


PII_TEMPLATES: dict[str, Template] = {
    f.__name__: f
    for f in (
        chat_thanks,
        hr_email,
        medical_note,
        legal_lease,
        banking_transfer,
        csv_rows,
        markdown_table,
        java_stacktrace_pii,
        sql_insert,
        go_log_ips,
        ssn_prose,
        card_formats,
        obfuscated_email,
        dob_chat,
        shipping_address,
        bank_account,
        complaint,
        public_figure,
        meeting_notes,
        german_form,
    )
}
