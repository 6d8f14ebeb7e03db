"""Field names → the kind of personal data their values hold, and a shape check per kind.

A column, key or form field named ``full_name``, ``dob``, ``phone``, ``iban``… makes its value
that kind, whatever the value looks like on its own ("Okafor, Chidi" is a name because the
header says so). The vocabulary is the generic one of schemas and forms (English plus the main
European languages), not values from any data set. Each kind still checks the value's shape, so a
``phone`` column holding ``n/a`` or a ``name`` key holding ``payments-api`` is left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import unquote_plus

import regex

from pipeline.detect.recognizers.pii.date_of_birth import DATE
from pipeline.detect.validation import luhn_ok

__all__ = ["AMBIGUOUS_NAME", "FIELD_ROOTS", "field_kind", "paired_kinds", "value_fits"]

# A bare "name" is a person only beside another personal field (a product table has names too).
AMBIGUOUS_NAME = "NAME?"

_PERSON_EXACT = frozenset({
    "fullname", "firstname", "lastname", "surname", "givenname", "givennames", "familyname",
    "forename", "forenames", "middlename", "maidenname", "legalname", "displayname",
    "nachname", "vorname", "prenom", "prénom", "apellido", "apellidos", "cognome", "achternaam",
    "voornaam", "nazwisko", "imie", "imię", "efternamn", "fornavn", "etternavn", "sukunimi",
    "etunimi", "nomcomplet", "nombrecompleto", "accountholder", "cardholder", "policyholder",
    "fname", "lname", "firstnm", "lastnm",
})
# Bare "first"/"last", and "given"/"family" (HL7 FHIR's HumanName), are a person's names only
# as a pair of columns or keys: "given" alone is any flag, "family" a font or a product line.
NAME_PAIRS = (frozenset({"first", "last"}), frozenset({"given", "family"}))
# Whose name a "<who>_name" field holds; any other qualifier (file, host, product…) is not a person.
_PERSON_WHO = frozenset({
    "customer", "client", "patient", "contact", "employee", "emp", "user", "member", "holder",
    "account", "accountholder", "card", "cardholder", "sender", "recipient", "receiver",
    "beneficiary", "guest", "passenger", "student", "applicant", "candidate", "person", "legal",
    "display", "first", "last", "full", "given", "family", "middle", "maiden", "parent",
    "guardian", "spouse", "owner", "buyer", "seller", "tenant", "insured", "policyholder",
    "subscriber", "driver", "traveler", "traveller", "billing", "shipping", "bill", "ship",
    "emergency", "kin", "signer", "signatory", "payer", "payee", "debtor", "creditor", "doctor",
    "physician", "nurse", "teacher", "manager", "agent", "author", "reporter", "requester",
    "assignee", "mother", "father", "child", "real", "nick", "birth", "contactperson",
})
_NAME_WORDS = frozenset({"name", "names", "nom", "nombre", "naam", "nome", "navn", "namn"})
_DOB = frozenset({
    "dob", "birthdate", "dateofbirth", "birthday", "bday", "born", "birth", "birthdt",
    "geburtsdatum", "geburtstag", "fechanacimiento", "fechadenacimiento", "datenaissance",
    "datedenaissance", "datadinascita", "datanascita", "geboortedatum", "födelsedatum",
    "fodselsdato", "dataurodzenia",
})
_PHONE_TOKENS = frozenset({
    "phone", "tel", "telephone", "mobile", "mobil", "cell", "cellphone", "fax", "msisdn",
    "whatsapp", "handy", "telefon", "telefono", "teléfono", "telefone", "movil", "móvil",
    "celular", "cellulare", "portable", "gsm", "telefoon", "puhelin", "phonenumber", "mob",
    "landline", "contactnumber", "homephone", "workphone", "mobilephone", "telnr", "telno",
})
_ADDRESS_EXACT = frozenset({
    "address", "addr", "street", "streetaddress", "addressline", "addressline1", "address1",
    "addressline2", "address2", "homeaddress", "mailingaddress", "billingaddress",
    "shippingaddress", "postaladdress", "residentialaddress", "deliveryaddress", "adresse",
    "direccion", "dirección", "indirizzo", "strasse", "straße", "anschrift", "adres", "ulica",
    "endereco", "endereço", "adress", "gatuadress", "streetline", "street1", "residence",
})
_NOT_ADDRESS = frozenset({"ip", "mac", "email", "mail", "wallet", "server", "remote", "bind",
                          "listen", "web", "url", "host", "memory", "contract", "broadcast"})
_BANK_EXACT = frozenset({
    "account", "acct", "accountnumber", "accountno", "accountnum", "acctno", "acctnumber",
    "acctnum", "bankaccount", "bankaccountnumber", "bankacct", "kontonummer", "konto",
    "checkingaccount", "savingsaccount", "numerodecompte", "numerocuenta", "cuenta",
    "rekeningnummer", "kontonr", "bankaccountno", "accnumber", "accno",
})
_SSN = frozenset({"ssn", "socialsecurity", "socialsecuritynumber", "socialsecurityno", "ssnumber"})
_CARD = frozenset({"cardnumber", "ccnumber", "creditcard", "creditcardnumber", "cardno", "cc",
                   "pan", "ccnum", "cardnum", "debitcard", "debitcardnumber", "kartennummer"})

# Cheap prefilter: one of these must occur in the lowercased text for a field to map.
FIELD_ROOTS = ("name", "nom", "naam", "navn", "namn", "mail", "dob", "birth", "born", "geburt",
               "naci", "naiss", "phone", "tel", "mobil", "cell", "fax", "handy", "móvil", "movil",
               "celular", "iban", "acc", "konto", "cuenta", "compte", "ssn", "social", "addr",
               "adress", "street", "stra", "direcc", "indirizzo", "card", "pan", "cc", "msisdn",
               "whatsapp", "gsm", "ulica", "imi", "nazwisko", "prenom", "prénom", "apellido",
               "cognome", "surname", "forename", "bday", "residence", "anschrift", "endere",
               "first", "last", "given", "family")

_CAMEL = regex.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT = regex.compile(r"[^\p{L}\p{N}]+")


def paired_kinds(keys: Sequence[str], kinds: Sequence[str | None]) -> list[str | None]:
    """``kinds`` with the keys of a complete name pair (``NAME_PAIRS``) made PERSON."""
    present = {k.strip(" \t\"'`").lower() for k in keys}
    paired = {k for pair in NAME_PAIRS if present >= pair for k in pair}
    return ["PERSON" if k.strip(" \t\"'`").lower() in paired else kind
            for k, kind in zip(keys, kinds, strict=True)]


def field_kind(key: str) -> str | None:
    """The entity type a field of this name holds, ``AMBIGUOUS_NAME``, or None."""
    tokens = [t for t in _SPLIT.split(_CAMEL.sub(" ", key.strip()).lower()) if t]
    if not tokens or len(tokens) > 6:
        return None
    joined = "".join(tokens)
    if joined in _PERSON_EXACT:
        return "PERSON"
    if tokens[-1] in _NAME_WORDS or (joined.endswith("name") and joined[:-4] in _PERSON_WHO):
        who = tokens[:-1] if tokens[-1] in _NAME_WORDS else [joined[:-4]]
        if not who:
            return AMBIGUOUS_NAME
        if all(w in _PERSON_WHO or w in {"of", "de", "the"} for w in who):
            return "PERSON"
        return None
    if joined in _DOB or _only(tokens, {"birth", "birthday", "dob"}, _DATE_QUAL):
        return "DATE_OF_BIRTH"
    if joined in _SSN or _only(tokens, {"ssn"}, _QUAL):
        return "US_SSN"
    if _only(tokens, {"iban"}, _QUAL):
        return "IBAN_CODE"
    if joined in _CARD:
        return "CREDIT_CARD"
    if joined in _BANK_EXACT or (tokens[-1] in {"account", "acct"} and len(tokens) <= 3 and (
            tokens[0] in {"bank", "checking", "savings", "deposit", "payout", "payee", "debit"})):
        return "US_BANK_NUMBER"
    if joined in _PHONE_TOKENS or _only(tokens, _PHONE_TOKENS, _QUAL):
        return "PHONE_NUMBER"
    if joined in {"email", "emailaddress", "mail"} or _only(tokens, {"email", "mail"}, _QUAL):
        return "EMAIL_ADDRESS"
    if joined in _ADDRESS_EXACT or _only(tokens, {"address", "addr", "street"}, _ADDRESS_QUAL):
        return "LOCATION"
    return None


# Words that qualify whose or which field it is without changing its kind.
_QUAL = frozenset({
    "number", "no", "nr", "num", "home", "work", "office", "contact", "primary", "secondary",
    "alt", "alternate", "personal", "business", "private", "emergency", "day", "evening", "main",
    "other", "customer", "user", "patient", "client", "owner", "holder", "billing", "shipping",
    "my", "your", "the", "of", "de", "e", "1", "2", "3", "member", "employee", "applicant",
    "person", "guest", "student", "mobile", "cell", "direct", "company",
})
_DATE_QUAL = _QUAL | {"date", "dt", "d", "of"}
_ADDRESS_QUAL = _QUAL | {"mailing", "postal", "residential", "delivery", "street", "line",
                         "permanent", "current", "previous", "correspondence", "full", "physical"}


def _only(tokens: list[str], core: set[str] | frozenset[str], quals: frozenset[str]) -> bool:
    """One of ``core`` among the tokens and every other token a harmless qualifier."""
    return any(t in core for t in tokens) and all(t in core or t in quals for t in tokens)


_NULLS = frozenset({"", "null", "none", "nil", "n/a", "na", "-", "--", "unknown", "redacted",
                    "[redacted]", "xxx", "***", "true", "false", "0", "?", "%s", "tbd", "undefined",
                    "string", "example", "test", "sample", "default"})
_NAME_VALUE = regex.compile(r"[\p{L}][\p{L}\p{M}'\u2019 .,_-]{0,80}")
_PHONE_VALUE = regex.compile(r"[+(]?[\d][\d ()./+-]{4,24}(?:\s?(?:x|ext\.?)\s?\d{1,5})?")
_DATE_VALUE = regex.compile(rf"(?i){DATE}|\d{{8}}")
_DIGITS = regex.compile(r"\d[\d -]{4,22}\d")
_IBAN_VALUE = regex.compile(r"[A-Za-z]{2}\d{2}[A-Za-z0-9 ]{10,40}")
_SSN_VALUE = regex.compile(r"\d{3}[- ]?\d{2}[- ]?\d{4}")
_SERVICE_USER = ("svc", "bot", "admin", "root", "system", "service", "deploy", "daemon", "guest",
                 "anonymous", "jenkins", "runner", "postgres", "ubuntu", "www")


def value_fits(kind: str, value: str, *, ambiguous: bool = False) -> bool:
    """Tell whether ``value`` has the shape of ``kind`` (a field name alone is not enough)."""
    raw = value.strip()
    if raw.lower() in _NULLS or raw.startswith(("<", "{{", "${", "$", "%(", ":")) or len(raw) > 160:
        return False
    if "%" in raw or "+" in raw[1:]:
        raw = unquote_plus(raw).strip()  # form-encoded values (name=Anna+Berg&tel=%2B44…)
    if kind == "PERSON":
        return _name_fits(raw, ambiguous)
    digits = sum(c.isdigit() for c in raw)
    if kind == "PHONE_NUMBER":
        return 6 <= digits <= 15 and _PHONE_VALUE.fullmatch(raw) is not None
    if kind == "DATE_OF_BIRTH":
        return _DATE_VALUE.fullmatch(raw) is not None
    if kind == "US_BANK_NUMBER":
        return 6 <= digits <= 17 and _DIGITS.fullmatch(raw) is not None
    if kind == "US_SSN":
        return _SSN_VALUE.fullmatch(raw) is not None
    if kind == "IBAN_CODE":
        return _IBAN_VALUE.fullmatch(raw) is not None
    if kind == "CREDIT_CARD":
        compact = raw.replace(" ", "").replace("-", "")
        return compact.isdigit() and 13 <= len(compact) <= 19 and luhn_ok(compact)
    if kind == "EMAIL_ADDRESS":
        return "@" in raw and " " not in raw.strip()
    if kind == "LOCATION":
        # A person's address has a house number or postcode; "Main Station" or a city does not.
        return (len(raw) >= 5 and any(c.isalpha() for c in raw) and any(c.isdigit() for c in raw)
                and raw.count(" ") <= 15)
    return False


def _name_fits(raw: str, ambiguous: bool) -> bool:
    """Letters, spaces, apostrophes, hyphens (and "Last, First"); at most six words."""
    if _NAME_VALUE.fullmatch(raw) is None or len(raw.split()) > 6 or len(raw) < 2:
        return False
    lowered = raw.lower()
    if any(lowered.startswith(s) or lowered.endswith(s) for s in _SERVICE_USER):
        return False
    if ambiguous:  # a bare "name": a person's name is capitalised and has no code-like joints
        words = raw.replace(",", " ").split()
        return all(w[:1].isupper() for w in words) and "_" not in raw and "." not in raw
    return True
