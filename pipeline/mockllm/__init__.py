"""A local OpenAI-compatible Chat Completions server with controllable latency and faults.

Ships with the project so dispatch can be developed, tested and demoed without a
real provider: ``python -m pipeline.mockllm --port 8088``.
"""

from pipeline.mockllm.config import MockConfig
from pipeline.mockllm.server import build_app, main

__all__ = ["MockConfig", "build_app", "main"]
