"""The event contracts: valid JSON Schemas, every topic documented, AsyncAPI consistent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from pipeline.config import Settings
from pipeline.contracts import SCHEMA_DIR, validator
from pipeline.topics import topic_specs

ASYNCAPI = SCHEMA_DIR.parent / "asyncapi.yaml"


@pytest.mark.parametrize(
    "path",
    sorted(SCHEMA_DIR.glob("*.json")) + sorted((SCHEMA_DIR.parent / "v2").glob("*.json")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_every_schema_is_valid_draft_2020_12(path: Path) -> None:
    """Each schema file is itself a valid 2020-12 schema."""
    Draft202012Validator.check_schema(json.loads(path.read_text()))


def test_every_schema_bound_topic_has_a_schema_file() -> None:
    """topics.py names only schema files that exist."""
    for spec in topic_specs(Settings()):
        if spec.schema is not None:
            assert (SCHEMA_DIR / spec.schema).is_file(), spec.schema


def test_asyncapi_documents_every_schema_bound_topic() -> None:
    """Every topic with a contract appears in the AsyncAPI document with that schema."""
    doc = yaml.safe_load(ASYNCAPI.read_text())
    assert doc["asyncapi"].startswith("3.")
    addresses = {c["address"] for c in doc["channels"].values()}
    refs = {m["payload"]["schema"]["$ref"] for m in doc["components"]["messages"].values()}
    for spec in topic_specs(Settings()):
        if spec.schema is not None:
            assert spec.name in addresses
            assert f"v1/{spec.schema}" in refs


def test_findings_can_never_carry_a_value() -> None:
    """The finding schema forbids extra properties, so a matched value cannot sneak in."""
    finding = {"entity_type": "EMAIL_ADDRESS", "category": "pii", "message_index": 0, "start": 0,
               "end": 5, "score": 0.9, "detector": "EmailRecognizer"}
    event = {"schema_version": "v1", "event": "decision", "id": "p", "actor": "x",
             "at": "2026-01-01T00:00:00Z", "findings": [finding]}
    validator("audit.json").validate(event)
    with pytest.raises(Exception, match="Additional properties"):
        validator("audit.json").validate({**event, "findings": [{**finding, "text": "a@b.c"}]})


def test_asyncapi_refers_to_existing_v2_schemas() -> None:
    """The v2 messages of the AsyncAPI document point at schema files that exist."""
    doc = yaml.safe_load(ASYNCAPI.read_text())
    refs = {m["payload"]["schema"]["$ref"] for m in doc["components"]["messages"].values()}
    v2 = {r for r in refs if r.startswith("v2/")}
    assert {"v2/inbound.json", "v2/approved.json", "v2/quarantine.json", "v2/dlq.json",
            "v2/audit.json"} <= v2
    for ref in v2:
        assert (SCHEMA_DIR.parent / ref).is_file(), ref


def test_asyncapi_documents_the_response_stream_and_v2_responses() -> None:
    """``prompts.responses.stream`` (v2 only, so not in topics.py's v1 map) is a channel with
    the v2 chunk message and an operation to receive it; responses carry v2 too."""
    doc = yaml.safe_load(ASYNCAPI.read_text())
    messages = doc["components"]["messages"]
    by_address = {c["address"]: c for c in doc["channels"].values()}
    stream = by_address[Settings().topics.responses_stream]
    refs = {messages[m["$ref"].rsplit("/", 1)[-1]]["payload"]["schema"]["$ref"]
            for m in stream["messages"].values()}
    assert refs == {"v2/response_chunk.json"}
    responses = by_address[Settings().topics.responses]
    assert "v2/response.json" in {messages[m["$ref"].rsplit("/", 1)[-1]]["payload"]["schema"]
                                  ["$ref"] for m in responses["messages"].values()}
    channel = next(k for k, c in doc["channels"].items() if c is stream)
    assert any(op["channel"]["$ref"] == f"#/channels/{channel}" and op["action"] == "receive"
               for op in doc["operations"].values())
