"""Failure classes from the session-6 probe (transcripts, column-less SQL rows, ranks, member IDs).

Each case fails on the code before it; the clean rows next to them are the phrasings each new
cue or filter could wrongly catch. ``None`` means no personal-data finding at all.
"""

from __future__ import annotations

import pytest

from tests.detect.conftest import Found

CASES = [
    # A caller or a writer naming themselves; the first word must be a name the index knows.
    ("Caller: It's Adaeze Nwosu.", ("PERSON", "Adaeze Nwosu")),
    ("hi, this is Joost from accounts", ("PERSON", "Joost")),
    ("It's Monday, the build is red again.", None),
    ("This is Kubernetes, not a VM.", None),
    ("Hallo, ik ben Femke Visser en ik heb een vraag.", ("PERSON", "Femke Visser")),
    ("Ik ben Nederlander en woon in Utrecht.", None),
    ("Mi chiamo Lorenzo Greco.", ("PERSON", "Lorenzo Greco")),
    ("Nazywam się Zofia Wróbel.", ("PERSON", "Zofia Wróbel")),
    ("Jag heter Elsa Lindqvist.", ("PERSON", "Elsa Lindqvist")),
    # Ranks are forms of address.
    ("PFC Darnell Hughes, Unit 3210 Box 55, APO AE 09012", ("PERSON", "Darnell Hughes")),
    ("Lt. Sunniva Dahl signed the report.", ("PERSON", "Sunniva Dahl")),
    # A household by its family name; a Scandinavian slash signature; a greeting is not a name.
    ("Lieferung an Familie Oberhuber, Hauptplatz 3", ("PERSON", "Oberhuber")),
    ("Tack för hjälpen! /Ingrid", ("PERSON", "Ingrid")),
    ("Hej Sigrid! Hur mår du?", ("PERSON", "Sigrid")),
    ("Moved the config. /Library", None),
    # Family members, who a meeting is with, the name on a card, "Passport no." with its dot.
    ("Can my son Eoghan join the camp late?", ("PERSON", "Eoghan")),
    ("Lunch with Amaka and Ifeoma is at noon", ("PERSON", "Ifeoma")),
    ("a call with Legal and Finance at 4", None),
    ("sync with Jenkins about the failing build", None),
    ("our partner Deloitte will audit the accounts", None),
    ("name on card: TOMASZ KRÓL", ("PERSON", "TOMASZ KRÓL")),
    ("Passport no. K7734102, expires 2031", ("PASSPORT", "K7734102")),
    # A Japanese street line in romaji, recognised by the ward that follows it.
    ("Ship to 2-4-11 Nakamachi, Musashino-shi, Tokyo", ("LOCATION", "2-4-11 Nakamachi")),
    ("See chapter 2-4 Results, Table 3.", None),
    # A column-less INSERT: a given/family pair side by side in one row.
    ("INSERT INTO staff VALUES (7, 'Nwosu', 'Adaeze', 'ops');", ("PERSON", "Adaeze")),
    ("INSERT INTO staff VALUES (7, 'Nwosu', 'Adaeze', 'ops');", ("PERSON", "Nwosu")),
    ("INSERT INTO routes VALUES (1, 'London', 'Paris', 'daily');", None),
    ("INSERT INTO jobs VALUES (3, 'Pending', 'Active');", None),
    # Health-plan member numbers after their cue.
    ("my member ID is 772019345 and the plan is Silver", ("HEALTH_PLAN_ID", "772019345")),
    ("Policy number: KX-4410-2290", ("HEALTH_PLAN_ID", "KX-4410-2290")),
    ("member no. 3 of the committee", None),
    # A full date in that person's row.
    ("INSERT INTO staff VALUES (7, 'Nwosu', 'Adaeze', '1979-03-30');",
     ("DATE_OF_BIRTH", "1979-03-30")),
    ("INSERT INTO builds VALUES (7, 'green', '2024-03-30');", None),
    # Dates of birth said aloud, or answered on the next line of a transcript.
    ("I was born on the twenty-third of March nineteen seventy-one.",
     ("DATE_OF_BIRTH", "twenty-third of March nineteen seventy-one")),
    ("born August ninth, two thousand and four",
     ("DATE_OF_BIRTH", "August ninth, two thousand and four")),
    ("Agent: and your date of birth?\nCaller: 9th of June 1966",
     ("DATE_OF_BIRTH", "9th of June 1966")),
    ("Release notes\nBorn from the 2.0 rewrite; shipped the fourth of July 2020.", None),
    # Someone's own number, said digit by digit.
    ("my number is oh seven nine four six, two two one, three eight eight",
     ("PHONE_NUMBER", "oh seven nine four six, two two one, three eight eight")),
    # No word a name anywhere, one an everyday word: product and error phrases.
    ("The log says 'Invalid Bearer Token Format' after the upgrade.", None),
    ("My Jupyter Notebook kernel keeps dying.", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_personal_data(found: Found, text: str, expected: tuple[str, str] | None) -> None:
    results = found(text)
    if expected is None:
        assert results == []
    else:
        assert expected in results
