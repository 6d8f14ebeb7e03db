# The two commands in the README: `make demo` (the main job) and `make test` (the suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help
KAFKA_PORT ?= 9092
export KAFKA_PORT

.PHONY: help bootstrap demo demo-stop test lint bench eval soak
SOAK_RUNS ?= 20
SOAK_KAFKA_PORT ?= 19720

help:
	@echo "make demo       run the pipeline end to end on a local Kafka broker (stop: make demo-stop)"
	@echo "make test       install everything and run the whole test suite"
	@echo "make lint       ruff + mypy"
	@echo "make eval       score detection on ../shared/corpus/dev.jsonl (EVAL_CORPUS=... for another)"
	@echo "make bench      throughput and latency benchmarks (bench/)"
	@echo "make soak       every oracle fault scenario SOAK_RUNS times (default 20; hours), log in tests/faults/oracle/soak.log"

bootstrap:
	@scripts/bootstrap

demo: bootstrap
	@scripts/demo

demo-stop:
	@scripts/demo stop

test: bootstrap
	@scripts/test

lint: bootstrap
	.venv/bin/ruff check pipeline tests bench
	.venv/bin/mypy

EVAL_CORPUS ?= ../shared/corpus/dev.jsonl
eval: bootstrap
	@if [ ! -f "$(EVAL_CORPUS)" ]; then \
	  echo "make eval: no corpus at $(EVAL_CORPUS) (the dev corpus lives beside the checkout on dev" \
	       "machines only); run: make eval EVAL_CORPUS=path/to/labelled.jsonl" >&2; exit 2; fi
	.venv/bin/prompt-dlp eval "$(EVAL_CORPUS)"

bench: bootstrap
	.venv/bin/python -m bench.run $(BENCH_ARGS)

# Not part of `make test` (which runs each oracle scenario once): hours on a 2-core machine.
soak: bootstrap
	PROMPT_DLP_ORACLE_KAFKA_PORT=$(SOAK_KAFKA_PORT) .venv/bin/python -m tests.faults.oracle.soak --runs $(SOAK_RUNS)
