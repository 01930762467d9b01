"""The session: one open matter and everything the window (and other front ends) may do to it.

A :class:`Session` is the one door between a front end and the core. It owns the open matter
(and, for a window, the lock that makes a second window read-only), and groups what can be done
in facets named for what they hold: :attr:`pages` (what the review window shows), :attr:`search`,
:attr:`ocr`, :attr:`index` (the agency's Vaughn index), :attr:`compare` (rolling productions),
:attr:`batches` (pages assigned to reviewers).
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
from app.matter.server import is_server_url
from app.matter.store import Matter
from app.matter.watch import ChangeWatch
from app.review import ops
from app.review.versions import Versions
from app.session.batching import Batches
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
        self._own_ops: set[str] = set()
        self._watch: ChangeWatch | None = None
        self.pages = Pages(matter)
        self.search = Search(matter)
        self.ocr = Ocr(matter)
        self.index = VaughnIndex(matter)
        self.compare = Compare(matter)
        self.batches = Batches(matter)

    @classmethod
    def open(cls, path: str | Path, *, create: bool = False, read_only: bool = False,
             exclusive: bool = False) -> Session:
        """Open the matter at ``path`` (``create``: make it when missing).

        ``exclusive``: one writer per matter file. When another window (in this or another
        Vaughn) holds the matter's lock, or the file cannot be written, the session opens
        read-only and :attr:`locked` says which. Raises MatterError with a plain reason.
        A ``postgresql://`` URL opens a shared matter on a server (no lock: the server orders
        the writers).
        """
        if is_server_url(path):
            return cls(Matter.open(str(path), create=create, read_only=read_only))
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
    def location(self) -> str:
        """What the matter is, for a title bar: its file, or its server URL (no password)."""
        return self._matter.location

    @property
    def shared(self) -> bool:
        """Whether the matter is on a server, shared with other reviewers."""
        return self._matter.on_server

    @property
    def encrypted(self) -> bool | None:
        """For a shared matter, whether its connection runs over TLS; None for a file."""
        return bool(getattr(self._matter, "encrypted", False)) if self.shared else None

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

    def writer(self, reviewer: str, op_id: str | None = None,
               expect: Versions | None = None) -> Writer:
        """The changes one reviewer can make, each recorded under ``op_id`` (one undo step);
        with ``expect`` (target versions as read), refused with ReviewConflict where another
        reviewer changed a target since."""
        if op_id:  # the window's ops (it picks their ids): not news to this window
            self._own_ops.add(op_id)
        return Writer(self._matter, reviewer, op_id, expect)

    def others_changes(self) -> Changes:
        """What other reviewers (other windows, on a shared matter other people) wrote since
        the last call; the first call only starts watching (app/matter/watch.py)."""
        if self._watch is None:
            self._watch = ChangeWatch(self._matter, own=self._own_ops.__contains__)
            return Changes()
        return self._watch.poll()

    def undo(self, reviewer: str, op_id: str, *, force: bool = False) -> Changes:
        """Put back what op ``op_id`` changed (nothing when it wrote nothing); ReviewConflict
        where another reviewer changed one of its targets since (``force``: undo anyway)."""
        return ops.undo(self._matter, reviewer, op_id, missing_ok=True, force=force)

    def redo(self, reviewer: str, op_id: str, *, force: bool = False) -> Changes:
        """Make op ``op_id``'s changes again after an undo (ReviewConflict as for undo)."""
        return ops.redo(self._matter, reviewer, op_id, missing_ok=True, force=force)

    def close(self) -> None:
        """Close the matter and give up its lock."""
        if self._watch is not None:
            self._watch.close()
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
