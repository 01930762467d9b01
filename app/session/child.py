"""What the child-process jobs (ingest, OCR) share: a cancel token driven by an event from the
window's process, a watch that cancels when that process dies, and the draining of the queue a
child reports on. No Qt here: a child stays light.
"""

from __future__ import annotations

import os
import queue as queue_mod
import threading
import time
from typing import Any

from app.errors import Cancelled
from app.progress import CancelToken

Message = tuple[Any, ...]  # what a child sends: (kind, *values)


class EventToken(CancelToken):
    """A cancel token that reads a multiprocessing event set by the window's process."""

    def __init__(self, event: Any) -> None:
        super().__init__()
        self._ev = event

    @property
    def cancelled(self) -> bool:
        return bool(self._ev.is_set())

    def check(self) -> None:
        if self._ev.is_set():
            raise Cancelled("cancelled by the user")


def watch_parent(cancel: Any) -> None:
    """Cancel when the window's process is gone (the child then has another parent)."""
    parent = os.getppid()

    def watch() -> None:
        while not cancel.is_set():
            if os.getppid() != parent:
                cancel.set()
                return
            time.sleep(1.0)

    threading.Thread(target=watch, daemon=True, name="vaughn-parent-watch").start()


def drain(job: Any, ongoing: tuple[str, ...], what: str) -> list[Message]:
    """The messages a child ``job`` (with ``queue``, ``process`` and ``finished``) has sent.

    A message whose kind is not in ``ongoing`` is its last: ``job.finished`` turns True. A
    child that died without one gets an ("error", …) naming ``what`` and its exit code. Never
    blocks the GUI on a live child.
    """
    out: list[Message] = []
    while True:
        try:
            msg = job.queue.get_nowait()
        except queue_mod.Empty:
            break
        out.append(msg)
        if msg[0] not in ongoing:
            job.finished = True
    if not job.finished and not job.process.is_alive():
        try:  # the child's last words may still be in the pipe
            while True:
                msg = job.queue.get(timeout=1.0)
                out.append(msg)
                if msg[0] not in ongoing:
                    job.finished = True
                    return out
        except queue_mod.Empty:
            pass
        job.finished = True
        out.append(("error", f"the {what} process ended unexpectedly "
                             f"(exit code {job.process.exitcode})"))
    if job.finished:
        job.process.join(timeout=0)  # reap if it has exited; never wait on the GUI
    return out
