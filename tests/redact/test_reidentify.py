"""reidentify(): exactly the originals, only for known and allowed placeholder kinds."""

from __future__ import annotations

from pipeline.redact import PseudonymBook, reidentify


def book() -> PseudonymBook:
    b = PseudonymBook()
    b.placeholder_for("Ann Lee", "PERSON")
    b.placeholder_for("ann@x.io", "EMAIL_ADDRESS")
    b.placeholder_for("078-05-1120", "US_SSN")
    return b


def test_restores_placeholders_in_an_answer() -> None:
    """Placeholders the model repeats, in any order and number, come back as the originals."""
    answer = "Dear <PERSON_1>, I wrote to <EMAIL_ADDRESS_1>. Thanks, <PERSON_1>'s bot"
    assert reidentify(answer, book()) == "Dear Ann Lee, I wrote to ann@x.io. Thanks, Ann Lee's bot"


def test_only_allowed_kinds_are_restored() -> None:
    """Kinds the policy does not allow to re-identify stay as placeholders."""
    answer = "<PERSON_1> has SSN <US_SSN_1>"
    assert reidentify(answer, book(), allowed={"PERSON"}) == "Ann Lee has SSN <US_SSN_1>"
    assert reidentify(answer, book(), allowed=()) == answer


def test_unknown_and_malformed_tokens_are_left_alone() -> None:
    """Tokens the book never minted, or look-alikes, are not touched."""
    answer = "<PERSON_2> <PERSON_01> <person_1> <PERSON_1 > <<PERSON_1>>"
    assert reidentify(answer, book()) == "<PERSON_2> <PERSON_01> <person_1> <PERSON_1 > <Ann Lee>"
