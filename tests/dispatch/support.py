"""The dispatch test stack lives in ``bench.harness.dispatch_stack`` (benchmarks use it too)."""

from bench.harness.dispatch_stack import *  # noqa: F403
from bench.harness.dispatch_stack import __all__  # noqa: F401
