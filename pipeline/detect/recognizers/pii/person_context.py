"""Names introduced by a cue: "Name:", "Dear X", "my name is", signatures, mail headers, JSON keys.

spaCy's small model misses names in forms, code and non-English text; these cues do not depend on
the model and cover those shapes. Capitalisation is required so "Hi team," stays clean.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import regex
from wordfreq import zipf_frequency

from pipeline.detect.base import Candidate, Deadline, Recognizer, has_capital
from pipeline.detect.names_index import names_index
from pipeline.detect.ner_filters import ORG_WORDS, TECHNICAL_NOUNS
from pipeline.detect.vocab import is_product
from pipeline.events import Category

# Any script's upper/lower-case letters: Polish, Vietnamese, Turkish names are not Latin-1.
_NAME_PART = r"\p{Lu}(?:\p{Ll}+|(?=['\u2019]))(?:['\u2019]\p{Lu}?\p{Ll}+)*"  # O'Brien, Anna
_NAME_WORD = rf"{_NAME_PART}(?:-{_NAME_PART})?"
_PARTICLE = r"(?:van|von|de|del|da|di|le|la|du|der|bin|al)"
_NAME = rf"{_NAME_WORD}(?:[ ](?:{_PARTICLE}[ ])?{_NAME_WORD}){{0,3}}"
_CUES = (
    # Form fields and code/JSON keys: Name: X / "cardholder": "X" / full_name = 'X'.
    r"(?i:\b(?:full[ _]?name|name|cardholder|card[ _]holder|customer|patient|contact|employee|"
    r"applicant|recipient|nombre|nom|vorname|nachname|prénom|apellidos?|titular|"
    r"account[ _]holder|antragsteller(?:in)?|kunde|kundin|mieter(?:in)?|inhaber(?:in)?|"
    r"contact[ _]person|contact[ _]name|ansprechpartner(?:in)?|kontaktperson|"
    r"persona de contacto|personne à contacter|"
    r"passenger|guest|reporter|assignee|author|signed|from|to|cc|attn|name on (?:the )?card|"
    r"cardholder name|card holder name)"
    r"(?:'s)?)[\"']?\s{0,2}[:=]\s{0,2}[\"']?",
    # Greetings and forms of address.
    r"\b(?:Dear|Hi|Hello|Hey|(?i:thanks|thank you|thx|cheers|ta)|Bonjour|Bonsoir|Salut|Chère?|"
    r"Hallo|Liebe[rs]?|"
    # Academic titles before the name ("Dr. med. Hans Müller", "Prof. Dr. Ada Rossi").
    r"Guten Tag|Hola|Estimad[oa]|Querid[oa]|Buenos días|Mr\.?|Mrs\.?|Ms\.?|Mx\.?|"
    r"(?:Prof\.[ ])?Dr\.(?:-Ing\.|[ ](?:med|rer\. nat|phil|jur|med\. dent|h\. ?c)\.)|Dr\.?|Prof\.?|"
    r"Madame|Monsieur|Mme\.?|Mlle\.?|Herrn?|Frau|Señora?|Sra?\.|Don|Doña|"
    # Dutch, Portuguese, Italian and Polish greetings and forms of address.
    r"Beste|Geachte|[Mm]eneer|[Mm]evrouw|[Mm]evr\.|[Dd]hr\.|Senhora?|Sig\.(?:ra)?|Signor[ae]?|"
    # Polish "pan"/"pani" inflect ("pana Kowalczyka", "panią Nowak"); bare lower-case "pan"
    # is left out ("a pan Pizza"), and so is capitalised "Pan" ("Pan Am").
    r"Pani|Panie|[Pp]ana|[Pp]anu|[Pp]anem|[Pp]anią|pani|panie|"
    # Military and police ranks, abbreviated as on forms and mail ("SGT Miguel Torres").
    r"(?:Sgt|SGT|Cpl|CPL|Lt|LT|Capt|CPT|Maj|MAJ|Col|COL|Pvt|PVT|Spc|SPC|PFC|Cdr|CDR|Adm|ADM)\.?|"
    r"Sergeant|Lieutenant|Corporal|Colonel|Constable|Detective|"
    # A household addressed by its family name ("Rechnung an: Familie Krüger", "famille Dupont").
    r"[Ff]amilie|[Ff]amille|[Ff]amilia|[Ff]amiglia|[Ff]amília),?[ ]",
    # Self-introductions.
    r"(?i:\bmy name is|\bname's|\bi am|\bi'm|\bje m'appelle|\bje suis|\bc'est|"
    r"\bmoi c'est|\bmein name ist|\bich bin|\bich heiße|\bme llamo|\bmi nombre es|\bsoy|"
    # ... in Dutch, Italian, Portuguese, Polish, the Scandinavian languages and Turkish.
    r"\bik heet|\bmijn naam is|\bmi chiamo|\bil mio nome è|\bme chamo|\b(?:o )?meu nome é|"
    r"\bnazywam się|\bmam na imię|\bjag heter|\bmitt namn är|\bjeg hedder|\bjeg heter|"
    r"\bmit navn er|\bmitt navn er|\bbenim ad\u0131m)[ ]",
    # Someone else's name stated: "her maiden name was X", "his full name is X".
    r"(?i:\b(?:(?:his|her|their|your|maiden|full|first|last|family|given|legal|birth|married)"
    r"[ ]name|surname)(?:[ ](?:is|was)|:))[ ]",
    # A birth name after "née"/"geb." ("Maria Schmidt née Bauer", "Anna Weber geb. Krause").
    r"(?:\bn[ée]e|\bgeb\.|\bgeborene)[ ]",
    # Signatures: a closing line followed by the name on the next line.
    r"(?i:\b(?:regards|best|cheers|thanks|sincerely|cordialement|bien à vous|salutations|"
    r"mit freundlichen grüßen|viele grüße|grüße|gruß|saludos|atentamente|un saludo|abrazos|"
    r"(?:met )?vriendelijke groet(?:en)?|groet(?:en)?|mvh|med vänlig hälsning|hälsningar|"
    r"med venlig hilsen|hilsen|cordiali saluti|distinti saluti|saluti|atenciosamente|"
    r"cumprimentos|abraços|pozdrawiam|z poważaniem|sayg\u0131lar\u0131mla)),?"
    r"[ \t]*\r?\n[ \t]*(?:-+[ ]?)?",
    # The same sign-off with the name after a comma on its line: "Groet, Pieter", "Best, Ana".
    r"(?i:\b(?:regards|best|cheers|sincerely|cordialement|saludos|un saludo|abrazos|"
    r"(?:met )?vriendelijke groet(?:en)?|groet(?:en)?|mvh|hälsningar|hilsen|saluti|"
    r"cumprimentos|abraços|pozdrawiam)),[ ]",
    # Appositions after a role noun: "The cardholder, Edward Malone, says".
    r"(?i:\b(?:cardholder|customer|patient|client|employee|caller|applicant|tenant|candidate|"
    r"account holder|buyer|seller|driver|passenger|student|user)),[ ]",
    # Notes and CRM shorthand: "spoke w/ X", "taken by X", "assigned to X", "cc X".
    r"(?i:\b(?:w/|spoke with|taken by|assigned to|signed by|approved by|owned by|"
    r"reported by|requested by|on behalf of|attn\.?))[ ]",
    # Asking or messaging someone by name: "ask Ingeborg", "ping Wojciech", "cc Declan".
    r"\b(?i:ask|ping|tell|message|text|remind)[ ]",
    # A role noun directly before a name: "your agent Wu Na", "our nurse Ngozi Eze".
    r"\b(?:agent|colleague|manager|doctor|nurse|engineer|technician|advisor|adviser|"
    r"representative|rep|landlord|tenant|recruiter|intern|contractor|courier|"
    # Family and friends: "my daughter Saoirse", "her husband Tomás".
    r"daughter|son|wife|husband|mother|father|mum|mom|dad|brother|sister|boyfriend|"
    # ("partner" is left out: "our partner Deloitte" is a firm).
    r"girlfriend|fianc[ée]e?|grandmother|grandfather|grandma|grandpa|aunt|uncle|cousin|niece|"
    r"nephew|stepson|stepdaughter|neighbou?r|flatmate|roommate|"
    # Work and school: "my coworker Dimitri", "her boss Ingrid Solberg".
    r"co-?worker|workmate|teammate|classmate|boss|friend)[ ]",
)
_WORDS_NOT_NAMES = frozenset(
    {"The", "This", "That", "There", "Here", "Team", "All", "Everyone", "Sir", "Madam", "Support",
     "Customer", "Service", "Sales", "Admin", "User", "Guest", "Unknown", "None", "Null", "True",
     "False", "Yes", "No", "Not", "Just", "Sorry", "Happy", "Good", "Great", "Fine", "Okay", "Ok",
     "Please", "We", "You", "It", "He", "She", "They", "Monday", "Tuesday", "Wednesday",
     "Thursday", "Friday", "Saturday", "Sunday", "Name", "Email", "Phone", "Street", "Subject",
     "Date", "Born", "Home", "Address", "Hello", "Hi", "Dear", "Thanks", "Regards", "Best",
     "Morning", "Afternoon", "Evening", "Bonjour", "Hola", "Hallo", "Oui", "Non", "Madame",
     "Monsieur", "Cordialement", "Salut", "Si", "Sí", "Gracias", "Danke", "Merci", "Question",
     "New", "Can", "Could", "Would", "Will", "Let", "Quick", "Still", "Also", "Again", "Back",
     "Sure", "Interested", "Available", "Ready", "Done", "Looking", "Trying", "Using",
     "Working", "Writing", "Going", "Getting", "Having", "Really", "Very", "So", "And", "But",
     "World", "Folks", "Friends", "Guys", "Everybody", "Grüße", "Grüsse", "Grüßen", "Wünsche",
     "Groeten", "Groet", "Saluti", "First", "Last", "Middle", "Given", "Field", "Column"}
)


_AND_NAME = regex.compile(rf"(?:[ ](?:and|&|und|et|y)[ ]|,[ ])(?P<name>{_NAME_WORD})(?=[,.!:\s])")
_JOINERS = frozenset({"and", "or", "of", "the", "to", "for", "with", "in", "on"})


# Two or three capitalised words as the subject of a verb people do: "Tiffany Santana reported".
_SUBJECT = regex.compile(
    rf"(?<![\w-])(?P<name>{_NAME_WORD}(?: (?:de la|de|del|van|von|da|le|la))? {_NAME_WORD}"
    rf"(?: {_NAME_WORD})?)[ ]"
    r"(?:reported|asked|said|says|opened|wrote|mentioned|noted|agreed|confirmed|suggested|"
    r"proposed|presented|shared|joined|joins|starts|started|leaves|left|called|phoned|visited|"
    r"signed|sent|submitted|paid|moved|lives|lived|works|worked|complained|emailed|replied|"
    r"approved|requested|will (?:share|run|send|"
    r"own|lead|follow|review|present|join|call|email|check|take|handle|prepare|draft|update))\b"
)
# Action items: "- Layla Abdelrahman to rotate the alerts", "* Chinedu will look at the lag".
_ACTION_ITEM = regex.compile(
    rf"(?m)^[ \t]*(?:[-*•]|\d{{1,2}}[.)])[ \t]+(?P<name>{_NAME_WORD}(?: {_NAME_WORD}){{0,2}})"
    r"[ \t]+(?:to|will|should|must|can|owns|takes|needs to)[ \t]+\p{Ll}"
)
_GROUP_WORDS = frozenset(
    {"Team", "Customer", "Product", "Sales", "Support", "Engineering", "Finance", "Legal",
     "Marketing", "Security", "Platform", "Board", "Committee", "Management", "Department",
     "Group", "Office", "Council", "Staff", "Service", "Services", "Operations", "Ops", "Research",
     "Design", "Data", "Infra", "Infrastructure", "Leadership", "Executive", "Partner", "Vendor"}
)


# Chat and transcript speaker labels: "Lakshmi: my card…", "[10:02] Gareth: did…". A label
# counts when the names index knows it and it is not a common word (Agent, Support, Landlord).
_SPEAKER = regex.compile(  # (also after a bare "00:03:20 " timestamp, as Teams and Zoom write)
    rf"(?m)^[ \t]*(?:\[[^\]\n]{{1,20}}\][ \t]*|[-*>][ \t]*"
    rf"|\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:[.,]\d{{1,3}})?[ \t]+)?(?P<name>{_NAME_WORD}"
    rf"(?: {_NAME_WORD})?)[ \t]*(?:\([^)\n]{{1,40}}\))?:[ \t]"
)


# A name straight after its field's words, with no "is" or ":" between: "new surname
# Pemberton-Clarke", "last name Ortega" ("surname Validation fails" is no one: see ``_unusual``).
_FIELD_NAMED = regex.compile(
    rf"(?i:\b(?:surname|(?:first|last|family|given|middle|maiden)[ ]name))[ ](?P<name>{_NAME})"
)
# Someone's thing: "That's Thandiwe's laptop". The name must be one the index knows and no
# common word or product, and what follows no technical noun ("Kruskal's algorithm").
_POSSESSIVE = regex.compile(
    rf"(?<![\w-])(?P<name>{_NAME_WORD})['\u2019]s[ ](?!(?:\p{{Ll}}+[ ])?(?:{TECHNICAL_NOUNS})\b)"
    r"\p{Ll}"
)
_CAPITALISED_BEFORE = regex.compile(r"(\p{Lu}[\p{L}'\u2019-]*)[ ]\Z")


def _proper_noun_before(text: str, start: int) -> bool:
    """The word before is capitalised and no common word ("Soylent Labs's"; not "That's")."""
    before = _CAPITALISED_BEFORE.search(text, max(0, start - 40), start)
    return before is not None and zipf_frequency(
        before.group(1).lower(), "en", wordlist="small") < 4.0
# The same label in capitals, as screenplays and subtitles write it: "MARGUERITE: Rappelle-moi".
_CAPS_SPEAKER = regex.compile(
    r"(?m)^[ \t]*(?:\[[^\]\n]{1,20}\][ \t]*)?(?P<name>\p{Lu}{3,}(?:[ ]\p{Lu}{3,})?)[ \t]*:[ \t]"
)
# Two lower-case words after a messaging verb or a role noun, both names by the index and neither
# an ordinary word: "tell bilal hussain i'll be late" (chat is often written without capitals).
_LOWER_CUED = regex.compile(
    r"\b(?i:ask|ping|tell|message|text|remind|call|email|cc|"
    # ... or after a role noun: "for my coworker dimitri papadopoulos".
    r"co-?worker|colleague|workmate|teammate|classmate|boss|manager|friend|neighbou?r|wife|"
    r"husband|son|daughter|mother|father|mum|mom|dad|brother|sister|cousin|aunt|uncle|"
    # ... or after the author of a ticket or document: "the ticket was opened by ana-maria popescu".
    r"(?:opened|created|reported|raised|filed|submitted|assigned|approved|written|sent)[ ]by)"
    r"[ ](?P<name>\p{Ll}{2,}(?:-\p{Ll}{2,})?[ ]\p{Ll}{3,})\b"
)
# A writer naming themselves in lower case: "hey its marcus oyelaran from the leeds team". The
# cue is stronger than a role noun's, so the family name may be one the index lacks if it is no
# English word at all (``_self_pair``).
_LOWER_SELF = regex.compile(
    r"\b(?i:it['\u2019]?s|it is|this is|i['\u2019]?m|i am|name is|name['\u2019]?s)"
    r"[ ](?P<name>\p{Ll}{3,}[ ]\p{Ll}{3,})\b"
)


# A transcript's numbered or role label with the name in brackets: "Speaker 2 (Mbali Khumalo):",
# "Interviewer (Pieter de Villiers): …" — what transcription tools write once speakers are named.
_BRACKETED_SPEAKER = regex.compile(
    r"(?m)^[ \t]*(?:\[[^\]\n]{1,20}\][ \t]*)?(?i:speaker|participant|interviewer|interviewee|"
    r"respondent|caller|agent|host|guest|moderator|panell?ist|spk|p|s)[ _]?\d{0,3}[ \t]*"
    rf"\((?P<name>{_NAME})\)[ \t]*:"
)


# "I am X" in languages that capitalise nationalities ("ik ben Nederlander", "jestem Polakiem"),
# and a caller naming themselves ("It's Priya Raghunathan", "this is Joost"): the first word must
# be a name the index knows and not a common word ("It's Monday", "this is Kubernetes").
_SELF_NAMED = regex.compile(
    r"(?i:\b(?:it's|it\u2019s|it is|this is|ik ben|sono|sou|jestem|jag är|jeg er))[ ]"
    rf"(?P<name>{_NAME_WORD}(?:[ ](?:{_PARTICLE}[ ])?{_NAME_WORD}){{0,2}})"
)


# A Scandinavian sign-off: the writer's name after a slash at the end ("Tack för igår. /Oskar").
_SLASH_SIGNATURE = regex.compile(rf"(?:^|(?<=[.!?][ \t]{{0,3}}|\n))/(?P<name>{_NAME_WORD})[ \t]*$")


# A lone name the cue alone cannot vouch for ("ok Google!", "contact Sales at …"): addressed after
# an interjection ("ok Lei!", "sure Obinna, …") or the object of a contacting verb ("contact
# Felipe at …", "call Adaeze on …"). Counted only when the names index knows the word and it is
# not a common English word (Zipf < 4: "Lei" 3.2, "Felipe" 3.4; "Google" 4.9, "Apple" 4.8).
_VOCATIVE = regex.compile(
    # At a sentence start, or after a chat line's "<nick> " / a quoted line's "> ".
    rf"(?:^|(?<=[.!?\n][ \t]{{0,3}})|(?<=>[ \t]))"
    rf"(?i:ok|okay|k|yes|yeah|yep|no|nope|sure|great|perfect|nice|hey|hi|hello|"
    rf"cool|sorry|right|alright|bye|morning|thank you|thanks|cheers|congrats|welcome(?: back)?|"
    # "thanks" in the other languages served: "kiitos Aleksi,", "tack Ebba!", "grazie Luca,"
    rf"kiitos|tack|takk|tak|danke|merci|gracias|grazie|obrigad[oa]|dziękuję|dzięki|díky|"
    rf"köszönöm|teşekkürler|bedankt|dank je|hvala)"
    rf",?[ ](?P<name>{_NAME_WORD})(?=[ ]?[!,?]|[ ]-[ ]|[ \t]*$)",
    regex.MULTILINE,
)
# Someone addressed by name at the start of a sentence or a quoted line: "Yusuf, stop calling me",
# "'Marisol, can you …'". The word must be a name the index knows and uncommon in every language
# served ("Paris, the capital", German "Ja, ich …"), and what follows is lower case.
_ADDRESSED_FIRST = regex.compile(
    rf"(?:^|(?<=[.!?:][ \t]{{1,3}}))['\"\u201c\u2018]?(?P<name>{_NAME_WORD}),[ ](?=\p{{Ll}})",
    regex.MULTILINE,
)
# Voice assistants are addressed like people ("Alexa, play some jazz").
_ASSISTANTS = frozenset({"Alexa", "Siri", "Cortana", "Bixby"})
# Who a meeting or call is with: "Meeting with Chukwuemeka and Folasade moved to 3pm".
_MEETING = regex.compile(
    rf"\b(?i:meeting|meet|call|lunch|dinner|coffee|chat|sync|catch-up|catchup|1:1|one-on-one|"
    rf"interview|appointment|session)[ ]with[ ](?P<name>{_NAME_WORD}(?:[ ]{_NAME_WORD})?)"
)
_CONTACT = regex.compile(
    rf"\b(?i:contact|email|e-mail|mail|call|phone|ring|reach|thank|invite|forward (?:it|this) to)"
    rf"[ ](?P<name>{_NAME_WORD})"
    r"(?=[ ](?:at|on|via|by|through|about|if|when|before|after)\b|[,.!?]|$)"
)


# A list of people after a heading: "Attendees: Ana Costa, Bo Lindgren, Chidi Okeke".
_LIST = regex.compile(
    r"(?im)^[ \t]*(?:attendees|participants|present|invitees|speakers|panel(?:l)?ists|"
    r"team members|guests|teilnehmer(?:innen)?|anwesend|asistentes|partecipanti|deelnemers|"
    r"deltagare|participantes)[ \t]*(?:\([^)\n]{0,30}\))?[ \t]*:[ \t]*(?P<list>[^\n]{1,500})"
)
_LIST_SEPARATOR = regex.compile(r"\s*(?:,|;|\band\b|&|\bund\b|\bet\b|\by\b|\be\b)\s*")
_LIST_NAME = regex.compile(_NAME)
# A name in capitals after a form field: "Patient: DOE, JANE A.", "NAME: OKAFOR CHIDI".
CAPS_WORD = r"\p{Lu}{2,}(?:[-'\u2019]\p{Lu}{2,})?"
_CAPS_NAME = regex.compile(
    r"(?i:\b(?:name|full[ _]name|name on (?:the )?card|patient|customer|client|employee|insured|"
    r"member|account[ _]holder|cardholder|passenger|guest|applicant|beneficiary)\s{0,2}[:=]\s{0,2})"
    rf"(?P<name>{CAPS_WORD}(?:,?[ ]{{1,2}}{CAPS_WORD}){{1,3}}(?:[ ]\p{{Lu}}\.)?)"
)


def _list_names(text: str, deadline: Deadline) -> Iterator[tuple[int, int]]:
    """Spans of the names in a heading's list; one-word items only if the names index knows them."""
    for match in _LIST.finditer(text, timeout=deadline.remaining()):
        start = match.start("list")
        for item in regex.splititer(_LIST_SEPARATOR, match.group("list")):
            offset = text.index(item, start) if item else start
            start = offset + len(item)
            words = item.strip(" .").split()
            if not words or not _LIST_NAME.fullmatch(" ".join(words)) or any(
                    w in _WORDS_NOT_NAMES or w.lower() in _JOINERS for w in words):
                continue
            if len(words) == 1 and not _addressed(words[0]):
                continue
            if all(is_product(w) for w in words):
                continue
            first = offset + item.index(words[0])  # the item's own spacing, not a rejoined one
            yield first, offset + item.rindex(words[-1]) + len(words[-1])


def _addressed(word: str) -> bool:
    return names_index().is_name(word) and zipf_frequency(
        word.lower(), "en", wordlist="small") < 4.0 and word not in _WORDS_NOT_NAMES


def _speaker(word: str) -> bool:
    index = names_index()
    return index.is_name(word) and max(
        zipf_frequency(word.lower(), lang, wordlist="small")
        for lang in ("en", "de", "fr", "es")) < 4.0


def _rare_possessive(name: str) -> bool:
    """The possessive is rare in wordfreq's large English list, as a brand's is not.

    Kellogg's 2.6, Macy's 3.2, Wendy's 3.1; Thandiwe's 0, Priya's 1.8, Ahmed's 2.2.
    """
    return zipf_frequency(name.lower() + "'s", "en", wordlist="large") < 2.4


def _full_name_label(words: list[str]) -> bool:
    """A label of a given and a family name ("Sophie Laurent:"), roles excluded.

    The pair vouches for itself even where each word is common in one language ("Laurent").
    """
    index = names_index()
    return (len(words) == 2 and index.is_given(words[0]) and index.is_family(words[1])
            and not any(w in _GROUP_WORDS or w in _WORDS_NOT_NAMES or is_product(w)
                        for w in words))


def _unusual(word: str) -> bool:
    """A name the index knows that is not a common English word, or no English word at all."""
    zipf = zipf_frequency(word.lower(), "en", wordlist="small")
    return zipf == 0.0 or (names_index().is_name(word) and zipf < 4.0)


def _lower_pair(given: str, family: str) -> bool:
    """A given and a family name by the index, each rare as an English word (Zipf < 3.3).

    A hyphenated given name ("Ana-Maria") counts when each of its parts is a given name; two
    joined given names vouch for each other, so each part may be a commoner word (< 4.5).
    """
    index = names_index()
    parts = given.split("-")
    limit = 4.5 if len(parts) > 1 else 3.3
    return (all(index.is_given(p) for p in parts) and index.is_family(family)
            and all(zipf_frequency(p.lower(), "en", wordlist="small") < limit for p in parts)
            and zipf_frequency(family.lower(), "en", wordlist="small") < 3.3)


def _self_pair(given: str, family: str) -> bool:
    """A given name (Zipf < 4.5: "marcus", not "will") and a family name or no English word."""
    index = names_index()
    return index.is_given(given) and zipf_frequency(
        given.lower(), "en", wordlist="small") < 4.5 and (
        _lower_pair(given, family) or zipf_frequency(family.lower(), "en", wordlist="small") == 0)


class PersonContextRecognizer(Recognizer):
    """One to four capitalised words right after a cue; common words are not names."""

    entity_type = "PERSON"
    category = Category.PII
    pattern: ClassVar[regex.Pattern[str]] = regex.compile(
        "(?:" + "|".join(f"(?:{c})" for c in _CUES) + rf")(?P<name>{_NAME})(?![\w@.-]*@)"
    )

    def scan(self, text: str, lowered: str, deadline: Deadline) -> Iterator[Candidate]:
        if not has_capital(text):  # every other pattern needs one: don't run them for nothing
            yield from self._lower_cued(text, deadline)
            return
        for match in self.pattern.finditer(text, overlapped=True, timeout=deadline.remaining()):
            words = match.group("name").split(" ")
            while words and words[-1] in _WORDS_NOT_NAMES:
                words.pop()
            if not words or words[0] in _WORDS_NOT_NAMES or any(
                    w.lower() in _JOINERS for w in words[1:]):
                continue  # "name: Build And Deploy" is a title, not a person
            start = match.start("name")
            end = start + len(" ".join(words))
            yield self.candidate(start, end, 0.7)
            more = _AND_NAME.match(text, end, timeout=deadline.remaining())
            if more is not None and more.group("name") not in _WORDS_NOT_NAMES:
                yield self.candidate(*more.span("name"), 0.7)  # "Dear Sunita and Rahul,"
        for match in _SPEAKER.finditer(text, timeout=deadline.remaining()):
            words = match.group("name").split(" ")
            if (all(_speaker(w) for w in words) or _full_name_label(words)) and (
                    words[0] not in _WORDS_NOT_NAMES):
                yield self.candidate(*match.span("name"), 0.6)
        for match in _FIELD_NAMED.finditer(text, timeout=deadline.remaining()):
            words = match.group("name").split(" ")
            if words[0] not in _WORDS_NOT_NAMES and all(_unusual(w) for w in words[:1]):
                yield self.candidate(match.start("name"), match.start("name") + len(words[0]),
                                     0.6)
        for match in _CAPS_SPEAKER.finditer(text, timeout=deadline.remaining()):
            words = [w.title() for w in match.group("name").split(" ")]
            if all(_speaker(w) and w not in _WORDS_NOT_NAMES and not is_product(w)
                   for w in words):  # "KAFKA: broker down" is the system
                yield self.candidate(*match.span("name"), 0.6)
        yield from self._lower_cued(text, deadline)
        for match in _BRACKETED_SPEAKER.finditer(text, timeout=deadline.remaining()):
            words = match.group("name").split(" ")
            if any(w in _WORDS_NOT_NAMES or w in _GROUP_WORDS for w in words) or all(
                    is_product(w) for w in words):
                continue
            # "Speaker 1 (Host):", "(Product Manager):" are roles: the first word must be a name.
            if _speaker(words[0]) or (len(words) > 1 and _addressed(words[0])):
                yield self.candidate(*match.span("name"), 0.65)
        for match in _ADDRESSED_FIRST.finditer(text, timeout=deadline.remaining()):
            # Weaker than an interjection ("Julia, unlike R, …"; German "Ja, ich …"): uncommon in
            # every language served, not a product, not an assistant.
            name = match.group("name")
            if (_speaker(name) and name not in _WORDS_NOT_NAMES and not is_product(name)
                    and name not in _ASSISTANTS):
                yield self.candidate(*match.span("name"), 0.6)
        for pattern in (_VOCATIVE, _CONTACT):
            for match in pattern.finditer(text, timeout=deadline.remaining()):
                if _addressed(match.group("name")):
                    yield self.candidate(*match.span("name"), 0.6)
        for match in _MEETING.finditer(text, timeout=deadline.remaining()):
            words = match.group("name").split(" ")
            if (_addressed(words[0]) and not any(w in _WORDS_NOT_NAMES for w in words)
                    and not is_product(words[0])):  # "sync with Jenkins" is the CI server
                end = match.end("name")
                yield self.candidate(match.start("name"), end, 0.6)
                more = _AND_NAME.match(text, end, timeout=deadline.remaining())
                if more is not None and _addressed(more.group("name")):
                    yield self.candidate(*more.span("name"), 0.6)
        for match in _POSSESSIVE.finditer(text, timeout=deadline.remaining()):
            name = match.group("name")
            # An established name (ranked in some country), so "Hooli's copilot" is no one;
            # after another capitalised word it is a firm's ("Soylent Labs's") or a full name's.
            if (_addressed(name) and names_index().is_established(name) and not is_product(name)
                    and name not in ORG_WORDS and _rare_possessive(name)
                    and not _proper_noun_before(text, match.start())):
                yield self.candidate(*match.span("name"), 0.6)
        for match in _SLASH_SIGNATURE.finditer(text, timeout=deadline.remaining()):
            if _addressed(match.group("name")):
                yield self.candidate(*match.span("name"), 0.6)
        for match in _SELF_NAMED.finditer(text, timeout=deadline.remaining()):
            words = match.group("name").split(" ")
            while words and words[-1] in _WORDS_NOT_NAMES:
                words.pop()
            if (words and _addressed(words[0]) and not is_product(words[0])
                    and not any(w in _WORDS_NOT_NAMES for w in words)):
                start = match.start("name")
                yield self.candidate(start, start + len(" ".join(words)), 0.6)
        for start, end in _list_names(text, deadline):
            yield self.candidate(start, end, 0.65)
        index = names_index()
        for match in _CAPS_NAME.finditer(text, timeout=deadline.remaining()):
            words = regex.findall(r"\p{Lu}{2,}", match.group("name"))
            # "Customer: ACME CORP LTD" is no one: an established name, no trading word
            if any(index.is_established(w.title()) for w in words) and not any(
                    w.title() in ORG_WORDS or w in ORG_WORDS for w in words):
                yield self.candidate(*match.span("name"), 0.65)
        for pattern in (_SUBJECT, _ACTION_ITEM):
            for match in pattern.finditer(text, timeout=deadline.remaining()):
                words = match.group("name").split(" ")
                if not any(w in _GROUP_WORDS or w in _WORDS_NOT_NAMES for w in words) and not all(
                    is_product(w) for w in words
                ):
                    yield self.candidate(*match.span("name"), 0.65)

    def _lower_cued(self, text: str, deadline: Deadline) -> Iterator[Candidate]:
        for match in _LOWER_CUED.finditer(text, timeout=deadline.remaining()):
            given, family = (w.title() for w in match.group("name").split(" "))
            if _lower_pair(given, family):
                yield self.candidate(*match.span("name"), 0.6)
        for match in _LOWER_SELF.finditer(text, timeout=deadline.remaining()):
            given, family = (w.title() for w in match.group("name").split(" "))
            if _self_pair(given, family):
                yield self.candidate(*match.span("name"), 0.6)
