"""The worker freezes its start-up heap, so full collections skip the loaded models."""

from __future__ import annotations

import gc

from pipeline.worker import _freeze_startup_heap


def test_start_up_objects_leave_every_later_collection() -> None:
    model_like = [{"token": i} for i in range(10_000)]  # what a loaded pipeline leaves behind
    gc.unfreeze()
    try:
        _freeze_startup_heap()
        assert gc.get_freeze_count() >= len(model_like)
        assert not any(o is model_like for o in gc.get_objects())  # no longer walked
    finally:
        gc.unfreeze()
