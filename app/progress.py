"""Progress reporting and cancellation for long operations, with no GUI in sight.

Long functions in ``app/`` take a ``Progress`` and call it between units of work; the CLI
shows a tqdm bar, the window a progress dialog. Cancelling sets the token; the work raises
``Cancelled`` at the next check, after its last committed unit.
"""

from __future__ import annotations

import threading
from typing import Protocol

from app.errors import Cancelled


class ProgressFn(Protocol):
    """Called with (done, total, what): units finished, units expected, the current item."""

    def __call__(self, done: int, total: int, what: str) -> None: ...


def no_progress(done: int, total: int, what: str) -> None:
    """A progress callback that shows nothing."""


class CancelToken:
    """A thread-safe flag the GUI sets and the worker checks."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the running operation to stop at its next check."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether cancel() was called."""
        return self._event.is_set()

    def check(self) -> None:
        """Raise Cancelled if cancel() was called."""
        if self._event.is_set():
            raise Cancelled("cancelled by the user")
