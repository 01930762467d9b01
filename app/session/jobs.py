"""One model for long work (ingest, OCR, re-OCR, version matching): a :class:`Job` is started,
reports typed events, and can be cancelled, whether it runs in a child process
(:class:`ChildJob`: ingest and OCR, whose PyMuPDF and Tesseract calls hold the GIL) or on a
thread of this process (:class:`ThreadJob`: matching on the matter's worker).

Whoever runs a job polls ``events()``: :class:`Progress` (units done of total, the item),
:class:`Notice` (something the job has to say that is neither, such as OCR "holding" once paused),
and one :class:`Finished` last, whose ``outcome`` is done, cancelled, failed or unavailable (a
missing OCR engine). The window polls every running job on one timer (``ui.jobs``); a second job
of a kind already running is refused there. No Qt here.
"""

from __future__ import annotations

import queue as queue_mod
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from app.progress import CancelToken
from app.session.child import Message, drain

Outcome = Literal["done", "cancelled", "failed", "unavailable"]


@dataclass(frozen=True)
class Progress:
    """``done`` of ``total`` units finished; ``what`` is the current item."""

    done: int
    total: int
    what: str = ""


@dataclass(frozen=True)
class Notice:
    """A message of the job's own (``kind`` and its values)."""

    kind: str
    values: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Finished:
    """The job's last event: how it ended, its result when done, the reason when not."""

    outcome: Outcome
    result: Any = None
    message: str = ""


Event = Progress | Notice | Finished


class Job(Protocol):
    """What a runner needs of a job."""

    kind: str  # ingest, ocr, reocr, compare: one of a kind at a time
    finished: bool

    def start(self) -> None: ...

    def cancel(self) -> None: ...

    def events(self) -> list[Event]: ...


_FINAL: dict[str, Outcome] = {"done": "done", "cancelled": "cancelled", "error": "failed",
                              "unavailable": "unavailable"}


def event_of(msg: Message) -> Event:
    """A child's message as an event: ("progress", done, total, what), a final ("done",
    result) / ("cancelled" | "error" | "unavailable", text), or anything else as a Notice."""
    kind = msg[0]
    if kind == "progress":
        return Progress(int(msg[1]), int(msg[2]), str(msg[3] or ""))
    if kind in _FINAL:
        outcome = _FINAL[kind]
        if outcome == "done":
            return Finished("done", msg[1] if len(msg) > 1 else None)
        return Finished(outcome, None, str(msg[1]) if len(msg) > 1 else "")
    return Notice(kind, tuple(msg[1:]))


class ChildJob:
    """A job in a child process that reports over a queue and stops on an event (subclasses
    make ``process``, ``queue`` and ``cancel_event``; ``ongoing`` names their non-final
    messages)."""

    kind = "job"
    ongoing: tuple[str, ...] = ("progress",)
    what = "job"  # in "the … process ended unexpectedly"
    process: Any
    queue: Any
    cancel_event: Any
    finished: bool

    def start(self) -> None:
        """Start the child."""
        self.process.start()

    def cancel(self) -> None:
        """Ask the child to stop at its next unit (what it committed stays)."""
        self.cancel_event.set()

    def events(self) -> list[Event]:
        """The events the child has sent since the last call (never blocks on a live child;
        a child that died without a last word ends the job as failed)."""
        return [event_of(m) for m in drain(self, self.ongoing, self.what)]


@dataclass
class ThreadJob:
    """A job whose work runs on another thread of this process: that thread calls
    :meth:`progress` and, once, :meth:`finish`; it checks ``token`` to stop early."""

    kind: str
    token: CancelToken = field(default_factory=CancelToken)
    finished: bool = False
    _events: queue_mod.Queue[Event] = field(default_factory=queue_mod.Queue)

    def start(self) -> None:
        """Nothing to start: whoever made the job has handed its work to a thread."""

    def cancel(self) -> None:
        """Ask the work to stop at its next check (it raises ``Cancelled``)."""
        self.token.cancel()

    def progress(self, done: int, total: int, what: str = "") -> None:
        """From the working thread: ``done`` of ``total``."""
        self._events.put(Progress(done, total, what))

    def finish(self, outcome: Outcome, result: Any = None, message: str = "") -> None:
        """From the working thread: the last event."""
        self._events.put(Finished(outcome, result, message))

    def events(self) -> list[Event]:
        """The events reported since the last call."""
        out: list[Event] = []
        while True:
            try:
                event = self._events.get_nowait()
            except queue_mod.Empty:
                return out
            out.append(event)
            if isinstance(event, Finished):
                self.finished = True
