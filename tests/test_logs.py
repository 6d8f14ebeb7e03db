"""Structured JSON logs that never carry prompt text or secrets."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.logs import WITHHELD, bind, configure_logging, logging_config, scrub

PROMPT = "please summarise the merger of Acme and Globex for jane.doe@example.com"
GITHUB = "ghp_" + "R8x2Lq9Vt4Nw7Kp3Zs6Yb1Hd5Fg0Jm2Cv4Xa"
AWS = "AKIA" + "IOSFODNN7EXAMPLE"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    buf = io.StringIO()
    handler = configure_logging("DEBUG", stream=buf)
    try:
        yield buf
    finally:
        logging.getLogger().removeHandler(handler)


def lines(buf: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buf.getvalue().splitlines()]


def test_one_json_object_per_line_with_fixed_keys(stream: io.StringIO) -> None:
    """Each record is one JSON line with ts, level, logger and msg."""
    log = logging.getLogger("pipeline.test")
    log.info("routed %d events", 3, extra={"topic": "prompts.inbound"})
    (rec,) = lines(stream)
    assert rec["msg"] == "routed 3 events"
    assert rec["level"] == "info" and rec["logger"] == "pipeline.test"
    assert rec["topic"] == "prompts.inbound"
    assert str(rec["ts"]).endswith("+00:00")


def test_bound_context_adds_trace_and_correlation_ids(stream: io.StringIO) -> None:
    """Fields bound for a record's handling appear on every line, and only inside the block."""
    log = logging.getLogger("pipeline.test")
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    with bind(trace_id=trace, correlation_id="req-1", stage="classify"):
        log.info("decided")
    log.info("outside")
    inside, outside = lines(stream)
    assert inside["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert inside["correlation_id"] == "req-1" and inside["stage"] == "classify"
    assert "trace_id" not in outside


@pytest.mark.parametrize("field", ["prompt", "text", "content", "messages", "payload", "Prompt"])
def test_content_fields_are_withheld(stream: io.StringIO, field: str) -> None:
    """A field named like message content is never emitted, whatever its value."""
    logging.getLogger("pipeline.test").warning("oops", extra={field: PROMPT})
    (rec,) = lines(stream)
    assert rec[field] == WITHHELD
    assert "Acme" not in stream.getvalue()


def test_nested_content_is_withheld(stream: io.StringIO) -> None:
    """Content nested in a dict field is withheld too."""
    log = logging.getLogger("pipeline.test")
    log.info("event", extra={"event": {"id": "e1", "prompt": PROMPT}})
    (rec,) = lines(stream)
    assert rec["event"] == {"id": "e1", "prompt": WITHHELD}


def test_secrets_in_messages_and_fields_are_redacted(stream: io.StringIO) -> None:
    """Secret-shaped strings are redacted wherever they appear, args included."""
    log = logging.getLogger("pipeline.test")
    log.error("token %s leaked", GITHUB, extra={"detail": f"key={AWS}"})
    out = stream.getvalue()
    assert GITHUB not in out and AWS not in out
    (rec,) = lines(stream)
    assert rec["msg"] == "token [redacted:github_token] leaked"
    assert rec["detail"] == "key=[redacted:aws_access_key]"


def test_exception_text_is_scrubbed(stream: io.StringIO) -> None:
    """Tracebacks go through the same scrubber."""
    try:
        raise ValueError(f"bad header Bearer {GITHUB}")
    except ValueError:
        logging.getLogger("pipeline.test").exception("failed")
    (rec,) = lines(stream)
    assert "ValueError" in str(rec["exc"])
    assert GITHUB not in stream.getvalue()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (GITHUB, "github_token"),
        (AWS, "aws_access_key"),
        ("sk-proj-" + "a1B2c3D4e5F6g7H8i9J0k1L2", "api_key"),
        ("xoxb-" + "123456789012-abcdefghij", "slack_token"),
        ("AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", "google_api_key"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "jwt"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", "private_key"),
        ("jane.doe@example.com", "email"),
    ],
)
def test_scrub_known_formats(text: str, kind: str) -> None:
    """Each known secret format is replaced by a typed marker."""
    assert scrub(f"x {text} y") == f"x [redacted:{kind}] y"


def test_scrub_leaves_ordinary_text_and_caps_length() -> None:
    """Ordinary operational text is untouched; very long strings are truncated."""
    plain = "sent 12 records to prompts.approved[3]"
    assert scrub(plain) == plain
    assert scrub("a" * 5000).endswith("...[truncated]")
    assert len(scrub("a" * 5000)) < 600


def test_configure_logging_is_idempotent() -> None:
    """Calling it twice leaves one JSON handler, not two."""
    root = logging.getLogger()
    first = configure_logging("INFO", stream=io.StringIO())
    second = configure_logging("WARNING", stream=io.StringIO())
    try:
        assert first not in root.handlers and second in root.handlers
        assert root.level == logging.WARNING
    finally:
        root.removeHandler(second)


def test_dict_config_for_faust_worker_keeps_the_guard(capsys: pytest.CaptureFixture[str]) -> None:
    """The dictConfig form (for faust.Worker) installs the same guarded JSON handler."""
    import logging.config

    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        logging.config.dictConfig(logging_config("INFO"))
        logging.getLogger("pipeline.test").info("sent %s", GITHUB, extra={"prompt": PROMPT})
        err = capsys.readouterr().err
        rec = json.loads(err.strip().splitlines()[-1])
        assert rec["msg"] == "sent [redacted:github_token]" and rec["prompt"] == WITHHELD
        assert logging.getLogger("aiokafka").level == logging.WARNING
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
HEADERS = [("traceparent", f"00-{TRACE}-00f067aa0ba902b7-01".encode()),
           ("x-correlation-id", b"req-42")]


def test_bound_trace_takes_the_ids_from_record_headers(stream: io.StringIO) -> None:
    """The helper the agents wrap each consumed record in: its trace id on every line."""
    from pipeline.logs import bound_trace

    with bound_trace(HEADERS, stage="dispatch"):
        logging.getLogger("pipeline.test").info("dispatched")
    [line] = lines(stream)
    assert line["trace_id"] == TRACE and line["correlation_id"] == "req-42"
    assert line["stage"] == "dispatch"


async def test_a_batch_logs_its_trace_ids_even_from_the_detection_thread(
    stream: io.StringIO, tmp_path: Path, vault_keys: str
) -> None:
    """Lines logged while detecting a batch (in the runner's thread) carry the batch's ids."""
    import threading

    from pipeline.config import Settings
    from pipeline.decide.build import load_policy
    from pipeline.engine import DlpEngine
    from pipeline.logs import bound_traces
    from pipeline.redact.vault import MappingVaultStore
    from pipeline.route.classify import Classifier, RawEvent
    from pipeline.route.runner import BatchRunner
    from pipeline.wiring import VaultPolicyStage, key_ring

    class LoggingDetect:
        version = "logging-1"

        def detect_many(self, prompts):  # type: ignore[no-untyped-def]
            logging.getLogger("pipeline.detect.test").info(
                "detecting %d in %s", len(prompts), threading.current_thread().name)
            return [[] for _ in prompts]

    settings = Settings(data_dir=tmp_path, vault_keys=vault_keys)
    keys, detect = key_ring(settings), LoggingDetect()
    engine = DlpEngine(settings, load_policy(settings.policy_file), detect, None)  # type: ignore[arg-type]
    classifier = Classifier(settings, detect, VaultPolicyStage(engine, keys, MappingVaultStore({})),
                            keys)
    value = b'{"id": "p1", "tenant": "t", "user": "u", "model": "m", ' \
            b'"messages": [{"role": "user", "content": "hi"}]}'
    runner = BatchRunner(classifier, 5.0)
    with bound_traces([HEADERS], stage="classify"):
        [routed] = await runner.run([RawEvent(value, "prompts.inbound", 0, 0, tuple(HEADERS))])
    runner.close()
    assert routed.route == "approved"
    [line] = [x for x in lines(stream) if x["logger"] == "pipeline.detect.test"]
    assert "detect" in str(line["msg"]) and "MainThread" not in str(line["msg"])
    assert line["trace_ids"] == [TRACE] and line["correlation_ids"] == ["req-42"]


def test_the_cli_entry_point_installs_the_content_guard(tmp_path: Path) -> None:
    """Whatever a command logs goes through the guard: JSON, secrets scrubbed."""
    import subprocess
    import sys

    script = (
        "import logging, sys\n"
        "from pipeline import cli\n"
        "@cli.cli.command('emit')\n"
        "def emit():\n"
        f"    logging.getLogger('pipeline.cmd').warning('token %s', {GITHUB!r})\n"
        "sys.argv = ['prompt-dlp', 'emit']\n"
        "cli.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr
    [line] = [json.loads(x) for x in done.stderr.splitlines()]
    assert line["logger"] == "pipeline.cmd" and "[redacted:github_token]" in line["msg"]
    assert GITHUB not in done.stderr.decode()
