"""An SDK-built tool-using agent request through a real classify worker on the real broker.

Several turns, tool calls with customer data in the arguments and the results,
an image part, JSON mode (json_schema response format) and streaming options:
inbound → classify → approved with the values redacted inside the arguments and
results (still valid JSON) and every parameter kept as the application sent it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from pipeline.bus import ensure_topics
from pipeline.config import Settings, TopicNames
from pipeline.contracts import validator
from tests.conftest import REPO, unique_topics
from tests.integration.kafka_io import collect, produce, values
from tests.integration.workers import WorkerGroup, classify_env
from tests.support.openai_requests import EMAIL, IMAGE_URL, PHONE, agent_request, event

pytestmark = pytest.mark.integration

SECRET = "ghp_" + "R8x2Lq9Vt4Nw7Kp3Zs6Yb1Hd5Fg0Jm2Cv4Xa"
ARGS = "messages[3].tool_calls[0].function.arguments"


def policy_file(tmp_path: Path) -> Path:
    """The shipped policy, with images allowed except for tenant t-strict (stripped)."""
    text = (REPO / "pipeline" / "decide" / "default_policy.yaml").read_text()
    text = text.replace("attachments: block", "attachments: allow")
    text = text.replace(
        "overrides: []",
        "overrides:\n  - {id: strict, match: {tenant: t-strict}, attachments: strip}",
    )
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return path


def without(request: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in request.items() if k not in keys}


async def test_agent_request_is_redacted_inside_tool_calls_and_keeps_every_parameter(
    kafka_broker: Any, tmp_path: Path, vault_keys: str
) -> None:
    topics: TopicNames = unique_topics()
    await ensure_topics(Settings(broker=kafka_broker.faust_url, topics=topics, partitions=2))
    streaming = {**dict(agent_request()), "stream": True,
                 "stream_options": {"include_usage": True}}
    next_turn = dict(agent_request())
    next_turn["messages"] = [*next_turn["messages"],  # type: ignore[misc]
                             {"role": "assistant", "content": f"I will write to {EMAIL}."},
                             {"role": "user", "content": "Thanks, go ahead."}]
    secret_result = {"model": "gpt-4o", "messages": [
        {"role": "user", "content": "Which token does CI use?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "read_env", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": json.dumps({"GH_TOKEN": SECRET})},
    ]}
    v1 = {"id": "v1", "tenant": "t-acme", "user": "u-7", "model": "gpt-4o",
          "messages": [{"role": "user", "content": f"Mail {EMAIL} the invoice"}]}
    events = [
        ("conv-a", event("agent", streaming, conversation_id="conv-a")),
        ("conv-a", event("agent-2", next_turn, conversation_id="conv-a")),
        ("strict", event("strict", dict(agent_request()), tenant="t-strict")),
        ("secret", event("secret", secret_result)),
        ("v1", v1),
    ]
    env = classify_env(kafka_broker.faust_url, topics, f"classify-{topics.inbound}", tmp_path,
                       vault_keys, PROMPT_DLP_POLICY_FILE=str(policy_file(tmp_path)))
    with WorkerGroup(env, tmp_path) as group:
        worker = group.start("classify")
        worker.wait_ready(120)
        await produce(kafka_broker.bootstrap, topics.inbound,
                      [(key, orjson.dumps(body)) for key, body in events])

        def done(seen: dict[str, list[Any]]) -> bool:
            routed = sum(len(seen[t]) for t in (topics.approved, topics.quarantine, topics.dlq))
            return routed >= len(events) and len(seen[topics.audit]) >= len(events)

        seen = await collect(kafka_broker.bootstrap,
                             [topics.approved, topics.quarantine, topics.dlq, topics.audit],
                             done, timeout=120)
        assert worker.alive(), group.logs()

    approved = {v["id"]: v for v in values(seen[topics.approved])}
    quarantined = {v["id"]: v for v in values(seen[topics.quarantine])}
    assert set(approved) == {"agent", "agent-2", "strict", "v1"}, group.logs()
    assert set(quarantined) == {"secret"} and not seen[topics.dlq]
    for value in approved.values():
        validator("approved.json", "v2").validate(value)
    for value in values(seen[topics.audit]):
        validator("audit.json", "v2").validate(value)

    agent = approved["agent"]
    sent = agent["request"]
    # every parameter reaches dispatch as sent (tools only lose the e-mail in a description)
    assert without(sent, "messages", "tools") == without(streaming, "messages", "tools")
    assert sent["stream"] is True and sent["store"] is False
    assert sent["response_format"] == streaming["response_format"]
    assert [m["role"] for m in sent["messages"]] == [m["role"] for m in streaming["messages"]]
    # values redacted inside the arguments and the results, which stay valid JSON
    args = json.loads(sent["messages"][3]["tool_calls"][0]["function"]["arguments"])
    assert args["customer"]["email"] == "<EMAIL_ADDRESS_1>"
    result = json.loads(sent["messages"][4]["content"])
    assert result["customer"]["email"] == "<EMAIL_ADDRESS_1>"
    assert result["customer"]["phone"].startswith("<PHONE_NUMBER_")
    assert result["orders"] == [{"number": "NW-1042", "status": "delivered"}]
    assert sent["messages"][2]["content"][1] == {
        "type": "image_url", "image_url": {"url": IMAGE_URL, "detail": "low"}
    }
    paths = {f["path"] for f in agent["findings"]}
    assert {f"{ARGS}/customer/email", "messages[4].content/customer/phone"} <= paths
    assert agent["decision"]["attachments"] == [
        {"path": "messages[2].content[1]", "type": "image_url", "action": "allow"}
    ]
    assert "pseudonyms" in agent
    # the next turn of the conversation gets the same placeholder for the same address
    later = approved["agent-2"]["request"]["messages"]
    assert later[7]["content"] == "I will write to <EMAIL_ADDRESS_1>."
    # the strict tenant's image is stripped before it would be sent
    strict = approved["strict"]["request"]["messages"][2]["content"]
    assert [p["type"] for p in strict] == ["text"]
    # a v1 event still goes through, into the same v2 record
    v1_text = approved["v1"]["request"]["messages"][0]["content"]
    assert v1_text == "Mail <EMAIL_ADDRESS_1> the invoice"
    # a credential in a tool result is held; no customer value or secret on any output topic
    assert quarantined["secret"]["findings"][0]["path"] == "messages[2].content/GH_TOKEN"
    for topic in (topics.approved, topics.quarantine, topics.audit):
        for record in seen[topic]:
            for needle in (EMAIL, PHONE, SECRET):
                assert needle.encode() not in record.value, (topic, needle)
