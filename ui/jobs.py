"""The window's long work in one place: every running job (``app.session.Job``: ingest and OCR
in child processes, version matching on the matter's worker) is polled on one timer and its
events handed to whoever started it; one job of a kind at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)

if TYPE_CHECKING:
    from app.session import Event, Job

POLL_MS = 50
Handler = Callable[["Event"], None]


class JobRunner(QObject):
    """Starts jobs, polls them while any runs, and says when one of a kind is running."""

    started = Signal(str)  # the kind of a job just started
    ended = Signal(str, str)  # its kind and outcome (done, cancelled, failed, unavailable)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: dict[str, tuple[Job, Handler]] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)

    def running(self, kind: str) -> Job | None:
        """The job of this kind that is running, if any."""
        entry = self._jobs.get(kind)
        return entry[0] if entry is not None else None

    def start(self, job: Job, on_event: Handler) -> bool:
        """Start ``job`` and hand its events to ``on_event`` on the GUI thread; False (and
        nothing started) when a job of its kind is running already."""
        if job.kind in self._jobs:
            return False
        self._jobs[job.kind] = (job, on_event)
        job.start()
        self.started.emit(job.kind)
        self._timer.start()
        return True

    def cancel(self, kind: str) -> None:
        """Ask the job of this kind to stop (its last event says how it ended)."""
        job = self.running(kind)
        if job is not None:
            job.cancel()

    def abandon(self, kind: str, message: str) -> None:
        """End the job of this kind as cancelled, now: its work can no longer report (it was
        queued on a worker that is being stopped)."""
        from app.session import Finished

        entry = self._jobs.pop(kind, None)
        if entry is not None:
            job, handler = entry
            job.cancel()
            handler(Finished("cancelled", None, message))
            self.ended.emit(kind, "cancelled")

    def forget(self, kind: str) -> None:
        """Stop handing on this job's events (a matter closed under it)."""
        self._jobs.pop(kind, None)

    def poll(self) -> None:
        """Hand on what every running job has reported; drop the ones that finished."""
        from app.session import Finished

        for kind, (job, handler) in list(self._jobs.items()):
            for event in job.events():
                if isinstance(event, Finished):
                    self._jobs.pop(kind, None)
                    handler(event)
                    self.ended.emit(kind, event.outcome)
                    break
                handler(event)
        if not self._jobs:
            self._timer.stop()
