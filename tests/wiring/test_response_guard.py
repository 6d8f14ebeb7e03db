"""The response guard: answers are scanned and redacted; placeholders restored where allowed."""

from __future__ import annotations

from pipeline.config import Settings
from pipeline.redact.pseudonyms import PseudonymBook
from pipeline.redact.vault import seal_book
from pipeline.wiring import PolicyResponseGuard, key_ring

SECRET = "ghp_" + "Q7w9Er2Ty4Ui6Op8As1Df3Gh5Jk7Lz9Xc2Vb4"


def approved_event(settings: Settings, book: PseudonymBook) -> dict[str, object]:
    return {
        "id": "p-1",
        "conversation_id": "c-1",
        "tenant": "t-acme",
        "user": "u-1",
        "model": "gpt-4o",
        "decision": {"action": "redact"},
        "pseudonyms": seal_book(book, key_ring(settings), "c-1"),
    }


async def test_placeholders_are_reidentified_for_allowed_kinds(settings: Settings) -> None:
    """The default policy lets PERSON placeholders be restored in the answer."""
    book = PseudonymBook()
    token = book.placeholder_for("Marta Kowalski", "PERSON")
    guard = PolicyResponseGuard(settings)
    answer, _ = await guard(f"Dear {token}, your order shipped.", approved_event(settings, book))
    assert answer == "Dear Marta Kowalski, your order shipped."


async def test_secrets_in_answers_are_redacted(settings: Settings) -> None:
    """A credential the LLM echoes never reaches the requester."""
    guard = PolicyResponseGuard(settings)
    answer, findings = await guard(
        f"Use the token {SECRET} in the header.", approved_event(settings, PseudonymBook())
    )
    assert SECRET not in answer
    assert any(f.entity_type == "GITHUB_TOKEN" for f in findings)
