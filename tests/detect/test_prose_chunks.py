"""What reaches the NER model: runs of prose sentences that may hold a name, at their offsets."""

from __future__ import annotations

from pipeline.detect.ner import prose_chunks


def _chunks(text: str) -> list[str]:
    out = []
    for offset, chunk in prose_chunks(text):
        assert text[offset : offset + len(chunk)] == chunk  # offsets point into the text
        out.append(chunk)
    return out


def test_sentences_without_an_inner_capital_never_reach_the_model() -> None:
    text = (
        "The team agreed to freeze dependencies until the audit is complete. "
        "Budget for the second half was approved. Brian Mays asked for volunteers. "
        "Nothing else was decided."
    )
    assert _chunks(text) == ["Brian Mays asked for volunteers."]


def test_consecutive_candidate_sentences_stay_together_as_context() -> None:
    text = "Adam Jones reported a slip. Then Maria Garcia asked why. The end came late."
    assert _chunks(text) == ["Adam Jones reported a slip. Then Maria Garcia asked why."]


def test_titles_and_initials_do_not_split_a_name_from_its_context() -> None:
    text = "Summarise for the letter: Pt. Obinna Ogunleye, admitted today. Seen by Dr. Eze."
    assert _chunks(text) == [text]
    assert _chunks("Letters from Ana Lima. J. K. Rowling replied.") == [
        "Letters from Ana Lima. J. K. Rowling replied."
    ]


def test_code_logs_and_lowercase_text_are_skipped() -> None:
    text = (
        '{"user": "Maria Garcia", "level": "info"}\n'
        "def greet(name): return f'Hi {name}'\n"
        "all lowercase words here, nothing capitalised at all\n"
        "Please forward this to Kofi Annan tomorrow."
    )
    assert _chunks(text) == ["Please forward this to Kofi Annan tomorrow."]


def test_long_runs_are_split_near_the_chunk_size() -> None:
    sentence = "Then Maria Garcia asked about the quarterly numbers for the northern region. "
    chunks = _chunks(sentence * 30)
    assert len(chunks) > 1
    assert all(len(c) <= 700 for c in chunks)
    assert sum(c.count("Maria Garcia") for c in chunks) == 30
