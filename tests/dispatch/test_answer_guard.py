"""The answer guard's parts without the stack: JSON keys and values, logprobs alternatives."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from pipeline.dispatch import logprobs as lp
from pipeline.dispatch.answer import guard_completion, guard_json_text
from pipeline.events import Category, Finding

EMAIL = re.compile(r"[a-z.]+@corp\.com")
SSN = re.compile(r"(?<=ssn: )\d{3}-\d{2}-\d{4}")


class RegexSession:
    def __init__(self) -> None:
        self.texts: list[str] = []

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        self.texts += texts
        return [[Finding(kind, Category.PII, 0, m.start(), m.end(), 0.9, "re")
                 for rx, kind in ((EMAIL, "EMAIL_ADDRESS"), (SSN, "US_SSN"))
                 for m in rx.finditer(t)] for t in texts]

    def render(self, text: str, findings: Sequence[Finding]) -> str:
        for f in sorted(findings, key=lambda f: -f.start):
            text = text[: f.start] + f"<{f.entity_type}>" + text[f.end :]
        return text


async def test_keys_are_scanned_values_keep_their_key_as_context_and_paths_hide_values() -> None:
    doc = {"jane.doe@corp.com": {"ssn": "123-45-6789", "plan": "gold"}, "n": 2}
    text, found = await guard_json_text(RegexSession(), json.dumps(doc), "x.arguments")
    assert json.loads(text) == {"<EMAIL_ADDRESS>": {"ssn": "<US_SSN>", "plan": "gold"}, "n": 2}
    assert [(f["path"], f["start"], f["end"]) for f in found] == [
        ("x.arguments/#0#", 0, 17), ("x.arguments/#0/ssn", 0, 11)]
    assert "jane" not in json.dumps(found)


async def test_untouched_json_is_delivered_byte_for_byte() -> None:
    text = '{"a":  1,"b":"plain"}'
    assert await guard_json_text(RegexSession(), text, "p") == (text, [])


async def test_json_mode_content_is_guarded_as_json() -> None:
    """A value the text scan would redact across JSON syntax is redacted inside its string,
    so JSON-mode content still parses."""
    content = json.dumps({"contact": "write to jane.doe@corp.com", "jane.doe@corp.com": 1})
    body = {"choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": content}}]}
    out, found = await guard_completion(RegexSession(), body)
    assert json.loads(out["choices"][0]["message"]["content"]) == {
        "contact": "write to <EMAIL_ADDRESS>", "<EMAIL_ADDRESS>": 1}
    assert {f["path"] for f in found} == {"choices[0].message.content/contact",
                                          "choices[0].message.content/#1#"}


def entry(token: str, *alts: str) -> dict[str, Any]:
    def one(t: str) -> dict[str, Any]:
        return {"token": t, "logprob": -0.5, "bytes": list(t.encode())}

    return {**one(token), "top_logprobs": [one(a) for a in alts]}


async def test_alternatives_are_scanned_in_their_place() -> None:
    """The chosen text before an alternative is its context; an alternative equal to the chosen
    token is not scanned again; a clean alternative stays."""
    logprobs = {"content": [entry("write ", "write ", "mail "), entry("to ", "to "),
                            entry("HR", "HR", "jane.doe@corp.com")], "refusal": None}
    session = RegexSession()
    out, withheld = await lp.guard_logprobs(session, logprobs, False, "choices[1]")
    assert out is not None and out is not logprobs
    assert [len(e["top_logprobs"]) for e in out["content"]] == [2, 1, 1]
    assert withheld == [{"path": "choices[1].logprobs.content[2].top_logprobs[1]",
                         "reason": "finding_in_alternative"}]
    assert sorted(session.texts) == ["mail ", "write to jane.doe@corp.com"]
    assert len(logprobs["content"][2]["top_logprobs"]) == 2  # the input is not changed


async def test_a_choice_with_a_finding_loses_its_logprobs_and_too_many_alternatives_go() -> None:
    logprobs = {"content": [entry("a", "b")], "refusal": None}
    assert await lp.guard_logprobs(RegexSession(), logprobs, True, "choices[0]") == (
        None, [{"path": "choices[0].logprobs", "reason": "finding_in_choice"}])
    many = {"content": [entry(f"t{i} ", f"u{i} ") for i in range(lp.MAX_ALTERNATIVES + 1)]}
    session = RegexSession()
    out, withheld = await lp.guard_logprobs(session, many, False, "choices[0]")
    assert out is not None and all(e["top_logprobs"] == [] for e in out["content"])
    assert withheld == [{"path": "choices[0].logprobs", "reason": "top_logprobs_unscanned"}]
    assert session.texts == []
