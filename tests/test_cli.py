"""The ``prompt-dlp`` command: scan, eval, policy check/explain, keys — as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

REPO = Path(__file__).resolve().parents[1]
SCORER = REPO.parent / "shared" / "corpus" / "score.py"
KEY = "AKIA" + "Q3VNZ7XKPL2M4RTB"


def run(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        input=stdin,
        capture_output=True,
        timeout=180,
        env=env,
        cwd=REPO,
    )


def event(ident: str, content: str) -> bytes:
    return orjson.dumps(
        {
            "id": ident,
            "tenant": "t",
            "user": "u",
            "model": "m",
            "messages": [{"role": "user", "content": content}],
        }
    )


def test_scan_writes_one_line_per_event_in_order() -> None:
    """Clean, personal, secret and invalid lines: results in input order, the run goes on."""
    lines = [
        event("a", "What is Rust's borrow checker?"),
        event("b", "Call Dana Whitfield on +44 20 7946 0958 please."),
        b"{ not json",
        event("c", f"aws_access_key_id = {KEY}"),
    ]
    done = run("scan", "-", stdin=b"\n".join(lines) + b"\n")
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["a", "b", None, "c"]
    assert out[0]["action"] == "allow" and out[0]["messages"][0]["content"].startswith(
        "What is Rust"
    )
    assert (
        out[1]["action"] == "redact" and "+44 20 7946 0958" not in out[1]["messages"][0]["content"]
    )
    assert out[2] == {"line": 3, "id": None, "error": "invalid_json", "detail": out[2]["detail"]}
    assert out[3]["action"] == "block" and out[3]["messages"] is None
    assert KEY not in done.stdout.decode()
    assert b"scanned 4 events, 1 invalid" in done.stderr


def test_policy_check_accepts_the_shipped_policies() -> None:
    """The default and the example policy pass `policy check`."""
    for policy in ("pipeline/decide/default_policy.yaml", "deploy/policies/example.yaml"):
        done = run("policy", "check", policy)
        assert done.returncode == 0, done.stderr
        assert b": ok (version" in done.stdout


def test_policy_check_names_key_and_line(tmp_path: Path) -> None:
    """A bad policy exits non-zero with the offending key path and its line number."""
    bad = tmp_path / "bad.yaml"
    bad.write_text('version: "1"\nrules:\n  - id: r1\n    category: secret\n    action: explode\n')
    done = run("policy", "check", str(bad))
    assert done.returncode == 2
    message = done.stderr.decode()
    assert "rules[0].action" in message or "rules/0/action" in message, message
    assert "line 5" in message, message


def test_policy_explain_shows_rules_without_values(tmp_path: Path) -> None:
    """`policy explain` names the rule that fired on each finding, never the value."""
    path = tmp_path / "event.json"
    path.write_bytes(event("x", f"key {KEY} for Dana Whitfield"))
    done = run("policy", "explain", str(path))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["decision"]["action"] == "block"
    assert any(r.get("rule_id") == "secrets.block" for r in report["rules"]), report
    assert KEY not in done.stdout.decode() and "Whitfield" not in done.stdout.decode()


def test_keys_generate_prints_a_usable_key() -> None:
    """The printed spec parses into a key ring that round-trips."""
    from pipeline.crypto import KeyRing

    done = run("keys", "generate", "--kid", "k9")
    ring = KeyRing.parse(done.stdout.decode().strip())
    assert ring.active_kid == "k9"
    assert ring.decrypt(ring.encrypt(b"x", b"a"), b"a") == b"x"


def _mini_corpus(tmp_path: Path) -> Path:
    text = f"My key is {KEY} ok"
    start = text.index(KEY)
    corpus = tmp_path / "mini.jsonl"
    rows = [
        {
            "id": "e1",
            "tenant": "t",
            "user": "u",
            "model": "m",
            "messages": [{"role": "user", "content": text}],
            "labels": [
                {
                    "message": 0,
                    "start": start,
                    "end": start + len(KEY),
                    "text": KEY,
                    "kind": "AWS_ACCESS_KEY_ID",
                    "cls": "block",
                }
            ],
            "expected_action": "block",
            "meta": {},
        },
        {
            "id": "e2",
            "tenant": "t",
            "user": "u",
            "model": "m",
            "messages": [{"role": "user", "content": "Sort a list in Go."}],
            "labels": [],
            "expected_action": "allow",
            "meta": {},
        },
    ]
    corpus.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return corpus


def test_eval_scores_a_labelled_corpus_with_its_own_scorer(tmp_path: Path) -> None:
    """`eval` needs nothing outside the repository: the project's scorer reports."""
    report = tmp_path / "report.json"
    done = run("eval", str(_mini_corpus(tmp_path)), "--json", str(report))
    assert done.returncode == 0, done.stderr
    data = json.loads(report.read_text())
    assert "block recall 100.0%" in done.stdout.decode()
    assert data["n_events"] == 2 and data["n_labels"] == 1
    assert data["block_recall"] == 1.0 and data["over_blocking"] == 0.0
    assert data["leak_rate"]["block_class"] == 0.0
    assert "corpus_scorer" not in data


@pytest.mark.skipif(not SCORER.exists(), reason="the dev corpus scorer is not beside the repo")
def test_eval_adds_a_corpus_scorer_when_given(tmp_path: Path) -> None:
    """With --scorer (dev machines), that scorer's report is added to ours."""
    report = tmp_path / "report.json"
    done = run("eval", str(_mini_corpus(tmp_path)), "--scorer", str(SCORER), "--json", str(report))
    assert done.returncode == 0, done.stderr
    data = json.loads(report.read_text())
    assert data["corpus_scorer"]["n_events"] == 2
    assert data["corpus_scorer"]["block_recall"] == data["block_recall"] == 1.0


def test_scan_without_the_spacy_model_says_how_to_install_it() -> None:
    """A missing NER model is one line naming the install command, not a traceback."""
    env = {**os.environ, "PROMPT_DLP_SPACY_MODEL": "no_such_model_pkg"}
    done = run("scan", "-", stdin=event("a", "hello") + b"\n", env=env)
    assert done.returncode != 0
    assert b"Traceback" not in done.stderr
    [line] = done.stderr.decode().strip().splitlines()
    assert "no_such_model_pkg" in line and "pip install --no-deps --require-hashes -r" in line


def test_scan_and_explain_read_a_v2_agent_request(tmp_path: Path) -> None:
    """A v2 event (SDK-built, tool calls with customer data): redacted request out, paths shown."""
    from tests.support.openai_requests import EMAIL, PHONE, agent_request
    from tests.support.openai_requests import event as v2_event

    request = dict(agent_request(image=False))
    path = tmp_path / "event.json"
    path.write_bytes(orjson.dumps(v2_event("v2", request)))
    done = run("scan", str(path))
    assert done.returncode == 0, done.stderr
    [out] = [json.loads(line) for line in done.stdout.splitlines()]
    assert out["action"] == "redact"
    sent = out["request"]
    assert {k: v for k, v in sent.items() if k not in ("messages", "tools")} == {
        k: v for k, v in request.items() if k not in ("messages", "tools")
    }
    assert "<EMAIL_ADDRESS_" in sent["tools"][0]["function"]["description"]
    assert sent["tools"][0]["function"]["parameters"] == request["tools"][0]["function"][
        "parameters"]
    args = json.loads(sent["messages"][3]["tool_calls"][0]["function"]["arguments"])
    assert args["customer"]["email"] == "<EMAIL_ADDRESS_1>"
    assert EMAIL not in done.stdout.decode() and PHONE not in done.stdout.decode()
    assert "messages[4].content/customer/phone" in {f["path"] for f in out["findings"]}

    done = run("policy", "explain", str(path))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    paths = {r.get("path") for r in report["rules"] if r["scope"] == "finding"}
    assert "messages[3].tool_calls[0].function.arguments/customer/email" in paths
    assert EMAIL not in done.stdout.decode()


def test_listing_the_commands_loads_no_detection_stack() -> None:
    """``prompt-dlp --help`` (and a worker's first instant, before its stop handler) must not
    wait seconds for spaCy and presidio: only the commands that detect import them."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from pipeline.cli import _register_area_commands\n"
        "_register_area_commands()\n"
        "print(sorted(m for m in ('spacy', 'presidio_analyzer', 'faust') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
