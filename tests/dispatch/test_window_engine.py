"""The hold-back window with the real detection engine: long spaced values do not leak in part.

``test_window_values`` proves the property with a stand-in detector; this runs the real
guard (presidio recognizers, spelled-out and spoken digits rejoined, the policy's
redaction) on answers holding values longer than the window, chunked at random.
"""

from __future__ import annotations

import os
import random

from pipeline.config import Settings
from pipeline.dispatch.request import DispatchRequest
from pipeline.dispatch.window import TextWindow, WindowSettings
from pipeline.redact.pseudonyms import PseudonymBook
from pipeline.redact.vault import seal_book
from pipeline.wiring import PolicyResponseGuard, key_ring
from tests.dispatch.test_window_values import four_digit_prefix

SEED = int(os.environ.get("PROMPT_DLP_TEST_SEED", random.randrange(1 << 30)))
VALUES = [
    "4 - 7 - 6 - 4 - 1 - 2 - 3 - 4 - 5 - 6 - 7 - 8 - 9 - 0 - 1 - 3",  # Luhn-valid, 61 chars
    "four seven six four one two three four five six seven eight nine zero one three",
    "4764 1234 5678 9013",
]


def request(settings: Settings) -> DispatchRequest:
    return DispatchRequest.from_event({
        "schema_version": "v2", "id": "p-1", "conversation_id": "c-1", "tenant": "t-acme",
        "user": "u-1", "decision": {"action": "redact"},
        "request": {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
        "pseudonyms": seal_book(PseudonymBook(), key_ring(settings), "c-1"),
    })


async def test_the_real_guard_never_sees_a_long_value_released_in_part(
    settings: Settings,
) -> None:
    print(f"PROMPT_DLP_TEST_SEED={SEED}")
    rng = random.Random(SEED)
    guard = PolicyResponseGuard(settings)
    for value in VALUES:
        text = (f"Thanks for waiting. The card we have on file for you is {value} and it "
                "expires next spring, so nothing needs to change on your side for now.")
        session = guard.session(request(settings))
        [whole] = await session.detect([text])
        assert four_digit_prefix(value) not in session.render(text, whole), value
        for _ in range(3):
            window = TextWindow("choices[0].message.content", WindowSettings())
            released, at = "", 0
            while at < len(text):
                step = rng.randint(1, 9)
                window.add(text[at:at + step])
                at += step
                released += (await window.take(session, final=False))[0]
            assert released, "nothing was streamed before the end"
            released += (await window.take(session, final=True))[0]
            assert four_digit_prefix(value) not in released, (value, released)
