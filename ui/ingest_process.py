"""Ingest in a child process, so the window's interpreter never stalls on PyMuPDF.

Some PyMuPDF calls the analysis makes (``get_texttrace`` runs the whole page) hold the GIL for
100-300 ms on busy pages; in a thread of the window's process that freezes the event loop. The
child has its own PyMuPDF and its own SQLite connection to the matter (WAL lets the window's
worker keep reading; each file is one transaction there, so a review write waits at most for
one file). Progress comes back over a queue that the window polls; Cancel sets an event that the
child checks between pages. No Qt is imported here (the child stays light).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue as queue_mod
import threading
import time
from typing import Any

from app.progress import CancelToken


class _EventToken(CancelToken):
    def __init__(self, event: Any) -> None:
        super().__init__()
        self._ev = event

    @property
    def cancelled(self) -> bool:
        return self._ev.is_set()

    def check(self) -> None:
        if self._ev.is_set():
            from app.errors import Cancelled

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


def _child(path: str, targets: list[str], production: str | None, out: Any,
           cancel: Any, password: str | None = None) -> None:
    from app.errors import Cancelled
    from app.ingest.pipeline import ingest
    from app.matter.store import Matter

    watch_parent(cancel)
    try:
        with Matter.open(path) as matter:
            report = ingest(matter, targets, production=production, password=password,
                            cancel=_EventToken(cancel),
                            progress=lambda d, t, w: out.put(("progress", d, t, w)))
        out.put(("done", report))
    except Cancelled as exc:
        out.put(("cancelled", str(exc)))
    except BaseException as exc:  # reported to the window in words
        out.put(("error", f"{type(exc).__name__}: {exc}"))


class IngestProcess:
    """One ingest running in a child process; ``poll()`` returns the messages so far."""

    def __init__(self, matter_path: str, targets: list[str], production: str | None,
                 password: str | None = None) -> None:
        ctx = mp.get_context("spawn")
        self.queue = ctx.Queue()
        self.cancel_event = ctx.Event()
        # not a daemon: ingest reads pages in processes of its own (app.pagework), which a
        # daemon may not have; closing the window cancels it, and it watches its parent
        self.process = ctx.Process(target=_child, daemon=False, name="vaughn-ingest",
                                   args=(matter_path, targets, production, self.queue,
                                         self.cancel_event, password))
        self.finished = False

    def start(self) -> None:
        """Start the child."""
        self.process.start()

    def cancel(self) -> None:
        """Ask the child to stop at its next page; files already committed stay."""
        self.cancel_event.set()

    def poll(self) -> list[tuple]:
        """Messages waiting: ("progress", done, total, what), then one of ("done", report),
        ("cancelled", text), ("error", text)."""
        return drain(self, ("progress",), "ingest")


def drain(job: Any, ongoing: tuple[str, ...], what: str) -> list[tuple]:
    """The messages a child ``job`` (with ``queue``, ``process`` and ``finished``) has sent.

    A message whose kind is not in ``ongoing`` is its last: ``job.finished`` turns True. A
    child that died without one gets an ("error", …) naming ``what`` and its exit code. Never
    blocks the GUI on a live child.
    """
    out = []
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
