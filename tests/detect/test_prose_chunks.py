"""What reaches the NER model: all natural-language text that may hold a name, at its offsets.

Issue #12 changed two things these tests pinned before: a sentence-initial capitalised word now
counts (a sentence may open with a name), and string literals, comments and fields of code, logs
and data lines are natural language too; only text without a standalone capitalised word other
than a stop word, weekday or month is skipped (base64, hex, keys, numbers, lowercase text).
"""

from __future__ import annotations

from pipeline.detect.ner import clean, prose_chunks


def _chunks(text: str) -> list[str]:
    out = []
    for offset, chunk in prose_chunks(text):
        assert text[offset : offset + len(chunk)] == chunk  # offsets point into the text
        out.append(chunk)
    return out


def test_sentences_with_only_stop_words_capitalised_never_reach_the_model() -> None:
    text = (
        "The team agreed to freeze dependencies until the audit is complete. "
        "Nothing else was decided on Monday. Svetlana asked for volunteers. "
        "We will meet again."
    )
    assert _chunks(text) == ["Svetlana asked for volunteers."]


def test_consecutive_candidate_sentences_stay_together_as_context() -> None:
    text = "Adam Jones reported a slip. Then Maria Garcia asked why. The end came late."
    assert _chunks(text) == ["Adam Jones reported a slip. Then Maria Garcia asked why."]


def test_titles_and_initials_do_not_split_a_name_from_its_context() -> None:
    text = "Summarise for the letter: Pt. Obinna Ogunleye, admitted today. Seen by Dr. Eze."
    assert _chunks(text) == [text]
    assert _chunks("Letters from Ana Lima. J. K. Rowling replied.") == [
        "Letters from Ana Lima. J. K. Rowling replied."
    ]


def test_strings_comments_and_fields_of_code_and_data_reach_the_model() -> None:
    text = (
        '{"user": "Maria Garcia", "level": "info"}\n'
        "x = load()  # owner: Kofi Annan\n"
        "id,comment\n17,Spoke with Ines Carvalho\n"
        "all lowercase words here, nothing capitalised at all\n"
        "Please forward this to Kofi Annan tomorrow."
    )
    assert _chunks(text) == [
        "Maria Garcia", "owner: Kofi Annan", "17,Spoke with Ines Carvalho",
        "Please forward this to Kofi Annan tomorrow.",
    ]


def test_key_material_hex_base64_and_numbers_never_reach_the_model() -> None:
    text = (
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n"
        "dGhpcyBpcyBhIHNlY3JldCB0ZXh0IGZvciB0ZXN0cw==\n"
        "0x4f3a9b2c 7d1e 88aa ff01\n"
        "4111 1111 1111 1111, 2024-06-01, 12:30\n"
        '{"ts": 1718000000, "level": "debug", "took_ms": 12}'
    )
    assert _chunks(text) == []


def test_long_runs_are_split_near_the_chunk_size() -> None:
    sentence = "Then Maria Garcia asked about the quarterly numbers for the northern region. "
    chunks = _chunks(sentence * 30)
    assert len(chunks) > 1
    assert all(len(c) <= 700 for c in chunks)
    assert sum(c.count("Maria Garcia") for c in chunks) == 30


def test_an_apostrophe_inside_a_name_is_no_quote_or_field_break() -> None:
    """Data lines were split at every "'": "Colm O" and "Shaughnessy" reached the model apart."""
    line = "IBAN GB29 NWBK 6016 1331 9268 19, beneficiary Colm O'Shaughnessy."
    assert _chunks(line) == ["beneficiary Colm O'Shaughnessy."]
    assert _chunks("print('Hello Dara O\\'Neill')  # by D'Arcy 2") == [
        "Hello Dara O\\'Neill", "by D'Arcy 2"]
    assert _chunks("name='Anna Smith', id=4") == ["Anna Smith"]  # real quotes still delimit


def _widened(text: str, part: str) -> str:
    start = text.index(part)
    [(s, e)] = clean(text, start, start + len(part))
    return text[s:e]


def test_a_model_span_takes_in_the_name_word_it_cut_off() -> None:
    """The small model tags half a name ("Þórsson", "Colm"); the index supplies the other half."""
    assert _widened("in the name of Anders Þórsson and his wife", "Þórsson") == "Anders Þórsson"
    assert _widened("beneficiary Colm O'Shaughnessy.", "Colm") == "Colm O'Shaughnessy"
    # Only a given name before and a family name after, never a cue word or an ordinary word.
    assert _widened("Ask Smith about it", "Smith") == "Smith"
    assert _widened("the Kubernetes Jones cluster", "Jones") == "Jones"
    assert _widened("Smith\nCarter wrote", "Smith") == "Smith"
