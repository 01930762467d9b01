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
from typing import Any

from app.session.child import EventToken, watch_parent
from app.session.jobs import ChildJob


def _child(path: str, targets: list[str], production: str | None, out: Any,
           cancel: Any, password: str | None = None) -> None:
    from app.errors import Cancelled
    from app.ingest.pipeline import ingest
    from app.matter.store import Matter

    watch_parent(cancel)
    try:
        with Matter.open(path) as matter:
            report = ingest(matter, targets, production=production, password=password,
                            cancel=EventToken(cancel),
                            progress=lambda d, t, w: out.put(("progress", d, t, w)))
        out.put(("done", report))
    except Cancelled as exc:
        out.put(("cancelled", str(exc)))
    except BaseException as exc:  # reported to the window in words
        out.put(("error", f"{type(exc).__name__}: {exc}"))


class IngestProcess(ChildJob):
    """One ingest running in a child process (a :class:`~app.session.jobs.ChildJob`): its
    events are Progress (files), then Finished with the IngestReport, or cancelled / failed."""

    kind = "ingest"
    what = "ingest"

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
