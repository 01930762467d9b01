"""The session: one open matter and everything the window (and other front ends) may do to it.

A :class:`Session` is the one door between a front end and the core. It owns the open matter
(and, for a window, the lock that makes a second window read-only), and groups what can be done
in facets named for what they hold: :attr:`pages` (what the review window shows), :attr:`search`,
:attr:`ocr`, :attr:`index` (the agency's Vaughn index), :attr:`compare` (rolling productions).
Every change goes through a :class:`~app.session.writer.Writer` bound to a reviewer and an op
id, and returns the :class:`Changes` it made; :meth:`undo` and :meth:`redo` replay an op.

A session belongs to the thread that opened it (a sqlite3 connection and PyMuPDF documents
are not shared between threads): the window opens it on its worker thread.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

from app.matter.audit import Changes
from app.matter.lock import InstanceLock
from app.matter.store import Matter
from app.review import ops
from app.session.comparing import Compare
from app.session.ocr import Ocr
from app.session.pages import Pages
from app.session.searching import Search
from app.session.vaughn import VaughnIndex
from app.session.writer import Writer


class Session:
    """An open matter and the facets that read and change it."""

    def __init__(self, matter: Matter, lock: InstanceLock | None = None) -> None:
        self._matter = matter
        self._lock = lock
        self.pages = Pages(matter)
        self.search = Search(matter)
        self.ocr = Ocr(matter)
        self.index = VaughnIndex(matter)
        self.compare = Compare(matter)

    @classmethod
    def open(cls, path: str | Path, *, create: bool = False, read_only: bool = False,
             exclusive: bool = False) -> Session:
        """Open the matter at ``path`` (``create``: make it when missing).

        ``exclusive``: one writer per matter file. When another window (in this or another
        Vaughn) holds the matter's lock, or the file cannot be written, the session opens
        read-only and :attr:`locked` says which. Raises MatterError with a plain reason.
        """
        path = Path(path)
        lock = None
        if exclusive and not read_only and path.exists():
            lock = InstanceLock(path)
            read_only = not lock.acquire() or not os.access(path, os.W_OK)
        try:
            matter = Matter.open(path, create=create, read_only=read_only)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        return cls(matter, lock)

    @property
    def path(self) -> Path:
        """The matter file."""
        return self._matter.path

    @property
    def read_only(self) -> bool:
        """Whether nothing can be changed (opened so, a read-only file, or locked elsewhere)."""
        return bool(self._matter.read_only)

    @property
    def locked(self) -> bool:
        """Whether another window holds the matter (this session then reads only)."""
        return self._lock is not None and not self._lock.held

    @property
    def matter(self) -> Matter:
        """The open matter, for the core's own modules (the CLI, benchmarks); front ends use
        the facets."""
        return self._matter

    def writer(self, reviewer: str, op_id: str | None = None) -> Writer:
        """The changes one reviewer can make, each recorded under ``op_id`` (one undo step)."""
        return Writer(self._matter, reviewer, op_id)

    def undo(self, reviewer: str, op_id: str) -> Changes:
        """Put back what op ``op_id`` changed (nothing when it wrote nothing)."""
        return ops.undo(self._matter, reviewer, op_id, missing_ok=True)

    def redo(self, reviewer: str, op_id: str) -> Changes:
        """Make op ``op_id``'s changes again after an undo."""
        return ops.redo(self._matter, reviewer, op_id, missing_ok=True)

    def close(self) -> None:
        """Close the matter and give up its lock."""
        try:
            self._matter.close()
        finally:
            if self._lock is not None:
                self._lock.release()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
