"""The gateway test stack lives in ``bench.harness.gateway_stack`` (the benchmark uses it too)."""

from bench.harness.gateway_stack import REPO, Caller, Proc, Stack, http

__all__ = ["REPO", "Caller", "Proc", "Stack", "http"]
