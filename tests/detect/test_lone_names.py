"""Lone names addressed or contacted, mailbox names, unknown family names, wrapped legacy keys."""

from __future__ import annotations

import pytest

from tests.detect.conftest import Found


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("ok Obinna! that fixed the build", "Obinna"),
        ("sure Mingzhe, I will send it", "Mingzhe"),
        ("Perfect. okay Radhika - merged", "Radhika"),
        ("Please contact Babatunde at the front desk", "Babatunde"),
        ("call Thandiwe on Monday about the lease", "Thandiwe"),
    ],
)
def test_addressed_and_contacted_names(found: Found, text: str, name: str) -> None:
    """A known, uncommon name after an interjection or a contacting verb is a person."""
    assert ("PERSON", name) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "ok Google, set a timer",
        "sure Apple, whatever you say",
        "please contact Support if it fails again",
        "ok Great, thanks",
        "call Stripe on retry",
    ],
)
def test_addressed_brands_and_words_stay_clean(found: Found, text: str) -> None:
    """Brands and common words after the same cues are not names."""
    assert [v for k, v in found(text) if k == "PERSON"] == []


def test_mailbox_name_anywhere_in_text(found: Found) -> None:
    """The word a mailbox spells is the person's name even when the address is not at offset 0."""
    text = "Footer: write to Chiamaka via chiamaka.obi [at] initech [dot] com"
    assert ("PERSON", "Chiamaka") in found(text)


def test_given_name_before_a_word_no_list_knows(found: Found) -> None:
    """A rare given name followed by a word in no frequency list reads as a full name."""
    text = "Give me three facts about Srinivasa Ramanujan?"
    assert ("PERSON", "Srinivasa Ramanujan") in found(text)
    assert [v for k, v in found("Run the Maven Surefire plugin") if k == "PERSON"] == []


def test_wrapped_legacy_openai_key_is_covered_to_its_end(found: Found) -> None:
    """A key that matches its format early is grown fragment by fragment to its full length."""
    key = "sk-GcF LRPy88 QVHX3Q qkDCPT 3BlbkF J2mU9q BOGw9B quINhJ ZUS"
    assert ("OPENAI_API_KEY", key) in found(f"does it look complete?\n\n{key}\n\nthanks")
    assert ("OPENAI_API_KEY", key) in found(f"pasted {key} end")


def test_spacy_stop_words_read_without_the_language_packages() -> None:
    """The file-level read gives exactly spaCy's lists (and never imports spacy.lang.fr)."""
    import importlib
    import subprocess
    import sys

    from pipeline.detect.stopwords import stop_words

    languages = ("en", "de", "fr", "es")
    expected = frozenset().union(*(
        importlib.import_module(f"spacy.lang.{lang}.stop_words").STOP_WORDS for lang in languages))
    assert stop_words(languages) == expected
    probe = ("import sys; from pipeline.detect.stopwords import stop_words; "
             "stop_words(('fr',)); print('spacy.lang.fr' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_whole_words_matches_the_regex_it_replaces() -> None:
    """``whole_words`` finds what ``(?<![\\w-])word(?![\\w-])`` finds, on random texts."""
    import random

    import regex

    from pipeline.detect.resolve import whole_words

    seed = 1207
    print(f"seed={seed}")
    rng = random.Random(seed)
    alphabet = ["Anna", "anna", "-", "_", " ", ".", "é", "\u0301", "7", "\n", "Ännä"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        for word in ("Anna", "Ännä"):
            want = [m.start() for m in regex.finditer(
                rf"(?<![\w-]){regex.escape(word)}(?![\w-])", text, overlapped=True)]
            assert list(whole_words(text, word)) == want, (text, word)
