"""What every part of the window that talks to the matter shares: the window it belongs to, a
way to send work to the matter worker, and the status bar."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from ui.worker import URGENT, Context

if TYPE_CHECKING:
    from ui.window import MainWindow


class Controller(QObject):
    """One part of the window's behaviour (search, filters, navigation, ingest, review)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window

    def submit(self, fn: Callable[[Context], Any], on_done: Callable[[Any], None] | None = None,
               *, priority: int = URGENT, kind: str = "read") -> None:
        """Run ``fn(ctx)`` on the matter worker (nothing when no matter is open)."""
        self.w._submit(fn, on_done, priority=priority, kind=kind)

    def say(self, text: str, ms: int = 4000) -> None:
        """A message in the window's status bar."""
        self.w.statusBar().showMessage(text, ms)

    def writable(self, what: str = "nothing can be changed") -> bool:
        """Whether the matter can be changed; says so in the status bar when not."""
        if self.w.read_only:
            self.say(f"Read-only matter: {what}", 5000)
            return False
        return True
