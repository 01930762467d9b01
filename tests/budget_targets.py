"""Page-job targets for tests/test_budgets.py, importable by spawned child processes."""

from __future__ import annotations

import os
import time
from typing import Any


def sleepy(job: tuple[str, float], emit: Any) -> str:
    """Sleep ``job[1]`` seconds (after saying so), then answer ``job[0]``; "die" exits."""
    name, seconds = job
    emit(f"{name}: started")
    if name == "die":
        os._exit(3)
    time.sleep(seconds)
    return f"{name}: done"
