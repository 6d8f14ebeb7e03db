"""Policy files are rejected with the key path and the YAML line of the problem."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.decide import parse_policy
from pipeline.decide.loader import format_path
from pipeline.errors import ConfigError

VALID = """\
version: "1"
rules:
  - id: secrets.block
    category: secret
    action: block
  - id: pii.redact
    category: pii
    action: redact
    min_score: 0.5
"""


def reject(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_policy(textwrap.dedent(text), name="p.yaml")
    return info.value


def test_valid_policy_parses() -> None:
    """A minimal policy with a version and rules loads."""
    policy = parse_policy(VALID)
    assert policy.version == "1"
    assert [r.id for r in policy.rules] == ["secrets.block", "pii.redact"]


@pytest.mark.parametrize(
    ("text", "key", "line", "words"),
    [
        (VALID.replace("action: block", "action: blok"), "rules[0].action", 5, "'blok'"),
        (VALID.replace("min_score: 0.5", "min_score: 1.5"), "rules[1].min_score", 9, "1.5"),
        (
            VALID.replace("    min_score: 0.5", "    min_scor: 0.5"),
            "rules[1].min_scor",
            9,
            "unknown key",
        ),
        (VALID.replace('version: "1"', "version: 3"), "version", 1, "not of type 'string'"),
        (VALID.replace('version: "1"\n', ""), "<root>", 1, "'version' is a required"),
        (
            VALID.replace("    category: pii\n", "    category: pii\n    entity_type: PERSON\n"),
            "rules[1]",
            6,
            "exactly one of entity_type or category",
        ),
        (
            VALID.replace("    category: pii\n", "    entity_type: person\n"),
            "rules[1].entity_type",
            7,
            "does not match '^[A-Z0-9_]+$'",
        ),
        (VALID + "opted_out_users: [a, a]\n", "opted_out_users", 10, "non-unique"),
        (
            VALID + "overrides:\n  - id: o\n    match: {team: x}\n",
            "overrides[0].match.team",
            12,
            "unknown key",
        ),
        (
            VALID + "default_operator: {name: mask, params: {keep: 4}}\n",
            "default_operator.params.keep",
            10,
            "unknown key",
        ),
        (VALID + "default_operator: {name: shred}\n", "default_operator.name", 10, "'shred'"),
        (
            VALID + "destinations:\n  ext:\n    models: [gpt-*]\n    classifications: [secret]\n",
            "destinations.ext.classifications[0]",
            13,
            "'secret'",
        ),
    ],
)
def test_schema_violation_names_key_path_and_line(
    text: str, key: str, line: int, words: str
) -> None:
    """Each schema violation names its key path, the file and the 1-based line."""
    err = reject(text)
    assert err.key == key
    assert f"(p.yaml line {line})" in str(err)
    assert words in str(err)


def test_first_problem_in_reading_order_is_reported() -> None:
    """With several problems, the one earliest in the file is reported."""
    text = VALID.replace("action: block", "action: nope").replace("min_score: 0.5", "min_score: 9")
    assert reject(text).key == "rules[0].action"


def test_invalid_yaml_reports_line() -> None:
    """A YAML syntax error is a ConfigError with the line, not a yaml exception."""
    err = reject('version: "1"\nrules:\n  - id: [unclosed\n  - id: b\n')
    assert "not valid YAML" in str(err)
    assert "(p.yaml line 4)" in str(err)


def test_duplicate_key_is_rejected_at_its_line() -> None:
    """A key written twice in one mapping is an error (PyYAML would keep the last silently)."""
    err = reject(VALID.replace("    action: redact\n", "    action: redact\n    action: allow\n"))
    assert err.key == "rules[1].action"
    assert "line 9" in str(err) and "twice" in str(err)


def test_top_level_must_be_a_mapping() -> None:
    """A policy that is a list, not a mapping, is rejected."""
    assert "mapping" in str(reject("- a\n- b\n"))


@pytest.mark.parametrize(
    ("path", "text"),
    [([], "<root>"), (["rules", 2, "action"], "rules[2].action"), ([0, "a"], "[0].a")],
)
def test_format_path(path: list[str | int], text: str) -> None:
    """Key paths read like Python subscripts."""
    assert format_path(path) == text


@given(
    st.lists(st.sampled_from(["allow", "redact", "block"]), min_size=1, max_size=8),
    st.data(),
)
def test_any_bad_rule_field_is_pinpointed(actions: list[str], data: st.DataObject) -> None:
    """Whichever rule carries a bad action or score, the error names that rule and its line."""
    lines = ['version: "1"', "rules:"]
    where: list[int] = []
    for i, action in enumerate(actions):
        where.append(len(lines) + 2)  # 1-based line of this rule's action (after the id line)
        lines += [
            f"  - id: r{i}",
            f"    action: {action}",
            "    category: pii",
            "    min_score: 0.5",
        ]
    bad = data.draw(st.integers(0, len(actions) - 1))
    field, value = data.draw(st.sampled_from([("action", "obliterate"), ("min_score", "-1")]))
    line = where[bad] + (0 if field == "action" else 2)
    lines[line - 1] = f"    {field}: {value}"
    err = reject("\n".join(lines) + "\n")
    assert err.key == f"rules[{bad}].{field}"
    assert f"(p.yaml line {line})" in str(err)
