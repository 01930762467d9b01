"""The hub: review actions go out to the worker as undoable commands, Changes come back.

Every review action the window offers is an :class:`OpCommand` pushed on the window's
``QUndoStack`` (one command per action; a bulk action is one command). Its first ``redo`` runs
the op, a method of the session's ``Writer`` (``app.session``), on the matter worker with an op
id chosen here, so that ``undo`` (``Session.undo``) and later ``redo`` (``Session.redo``) can be
queued at once, in order, without waiting for the first run to finish. An op refused on its
first run (a merge at a file's first record) wrote nothing and leaves no step on the stack.
Each result's :class:`Changes` is broadcast by :attr:`Hub.changed`; panels decide for
themselves whether to reload.

On a shared matter (issue #20) the first run of each op carries the versions of the targets
the window shows (``versions``, read when the action is taken): when another reviewer changed
one of them since, the op is refused (ReviewConflict), the reviewer is told who changed what,
and the panels reload to show the other's values; doing the action again then applies it.
:meth:`Hub.watch` polls for other reviewers' changes (LISTEN/NOTIFY on the server) about once
a second and broadcasts them like the window's own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from app.errors import ReviewConflict, ServerUnavailable
from ui.worker import NORMAL, URGENT, WRITE, MatterWorker

if TYPE_CHECKING:
    from app.session import Changes, Versions, Writer

OpFn = Callable[["Writer"], "Changes"]  # one op of the session's Writer


class Hub(QObject):
    """Runs review ops through the worker and broadcasts what changed."""

    changed = Signal(object)  # app.session.Changes
    failed = Signal(str)
    notice = Signal(str)  # news that is not a failure (changes kept while the server is away)
    conflicted = Signal(object)  # a Refused action: the reviewer chooses whose change stands
    settled = Signal()  # emitted after every op result (tests wait on it)

    def __init__(self, worker: MatterWorker, reviewer: Callable[[], str],
                 parent: QObject | None = None,
                 versions: Callable[[], Versions] | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.reviewer = reviewer
        self.versions = versions or dict
        self.stack = QUndoStack(self)
        self.in_flight = 0
        self._watch = QTimer(self)
        self._watch.timeout.connect(self._poll_others)
        self._polling = False
        # actions the server could not be reached for, oldest first: sent again, in order,
        # on the watch's ticks until it answers (never dropped)
        self.outbox: list[OpCommand] = []
        self._sending = False

    def watch(self, interval_ms: int = 1000) -> None:
        """Show other reviewers' changes as they land (a shared matter)."""
        self._watch.start(interval_ms)

    def _poll_others(self) -> None:
        if self.outbox and not self._sending:
            self._send_next()
        if self._polling:
            return
        self._polling = True
        self.worker.submit(lambda ctx: ctx.session.others_changes(), self._others,
                           self._others_failed, priority=NORMAL)

    def _others(self, changes: Any) -> None:
        self._polling = False
        if changes is not None and not changes.empty:
            self.changed.emit(changes)

    def _others_failed(self, exc: BaseException) -> None:
        self._polling = False  # the server is away: the next tick tries again

    def run(self, text: str, fn: OpFn, over: Versions | None = None) -> None:
        """Do a review action as one undoable step (``over``: versions the reviewer has seen
        and chosen to write over)."""
        self.stack.push(OpCommand(self, text, fn, over))

    def apply_mine(self, refused: Refused) -> None:
        """After a conflict, the reviewer's own change over the other's (now seen)."""
        conflict = refused.conflict
        self.run(refused.text, refused.fn, {conflict.target: conflict.version})

    def _submit(self, fn: Callable[[Any], Any], first: OpCommand | None = None) -> None:
        self.in_flight += 1
        on_error = self._error if first is None else lambda exc: self._refused(first, exc)
        # URGENT, like the window's reads: jobs of one priority run in order, so a read queued
        # after an op sees what the op wrote
        self.worker.submit(fn, self._done, on_error, priority=URGENT, kind=WRITE)

    def _done(self, changes: Any) -> None:
        self.in_flight -= 1
        if changes is not None and not changes.empty:
            self.changed.emit(changes)
        self.settled.emit()

    def _error(self, exc: BaseException) -> None:
        self.in_flight -= 1
        self.failed.emit(str(exc))
        self.settled.emit()

    def _send_next(self) -> None:
        """Send the oldest kept action again (its first run, with the versions it was taken
        with: a conflict meanwhile is refused and told as always)."""
        cmd = self.outbox[0]
        self._sending = True

        def sent(changes: Any) -> None:
            self._sending = False
            if self.outbox and self.outbox[0] is cmd:
                self.outbox.pop(0)
            self._done(changes)
            if not self.outbox:
                self.notice.emit("The server is back: every change kept meanwhile was sent")

        def failed(exc: BaseException) -> None:
            self._sending = False
            if isinstance(exc, ServerUnavailable):
                self.in_flight -= 1  # still away: keep it and try on the next tick
                self.settled.emit()
                return
            if self.outbox and self.outbox[0] is cmd:
                self.outbox.pop(0)
            self._refused(cmd, exc)

        self.in_flight += 1
        self.worker.submit(cmd.first_run, sent, failed, priority=URGENT, kind=WRITE)

    def _refused(self, cmd: OpCommand, exc: BaseException) -> None:
        """An op refused on its first run wrote nothing: it leaves no undo step. On top of the
        stack it goes at once; under newer steps (or undone already) Qt drops it, without
        running it, when undo or redo reaches it. Refused over another reviewer's change, the
        panels reload to show it."""
        if isinstance(exc, ServerUnavailable) and self._watch.isActive():
            self.outbox.append(cmd)  # a shared matter's server is away: keep it, send later
            self.in_flight -= 1
            self.notice.emit(f"{exc}. Your change is kept ({len(self.outbox)} waiting) and "
                             "sent when the server is back")
            self.settled.emit()
            return
        refused = Refused(cmd.text(), cmd.fn, exc) if isinstance(exc, ReviewConflict) else None
        cmd.setObsolete(True)  # (Qt deletes an obsolete command: read it before)
        top = self.stack.count() - 1
        if top >= 0 and self.stack.index() == top + 1 and self.stack.command(top) is cmd:
            self.stack.undo()  # an obsolete command is removed, its undo() is not called
        if refused is not None:
            self.changed.emit(_target_changes(refused.conflict.target))
            self._error(RuntimeError(f"{exc} — it now shows their change"))
            self.conflicted.emit(refused)
            return
        self._error(exc)


@dataclass(frozen=True)
class Refused:
    """An action refused over another reviewer's change: what it was and the conflict."""

    text: str
    fn: OpFn
    conflict: ReviewConflict


class OpCommand(QUndoCommand):
    """One review action: first redo runs the op, undo/redo replay its audit snapshots."""

    def __init__(self, hub: Hub, text: str, fn: OpFn, over: Versions | None = None) -> None:
        super().__init__(text)
        self.hub = hub
        self.fn = fn
        self.over = dict(over or {})
        self.op_id = uuid.uuid4().hex
        self.ran = False
        self.first_run: Callable[[Any], Any] = lambda ctx: None

    def redo(self) -> None:
        reviewer = self.hub.reviewer()
        op_id = self.op_id
        if not self.ran:
            self.ran = True
            fn = self.fn
            seen = {**self.hub.versions(), **self.over}  # what the reviewer saw when acting
            self.first_run = lambda ctx: fn(ctx.session.writer(reviewer, op_id, seen))
            self.hub._submit(self.first_run, first=self)
        else:
            self.hub._submit(lambda ctx: ctx.session.redo(reviewer, op_id))

    def undo(self) -> None:
        if self in self.hub.outbox:  # never sent: take it back out, redo sends it anew
            self.hub.outbox.remove(self)
            self.ran = False
            return
        reviewer = self.hub.reviewer()
        op_id = self.op_id
        self.hub._submit(lambda ctx: ctx.session.undo(reviewer, op_id))



def _target_changes(target: tuple[str, int]) -> Changes:
    """Changes that make every panel showing ``target`` read it again."""
    from app.session import Changes

    kind, tid = target
    ids = frozenset({tid})
    return Changes(redactions=ids if kind == "redaction" else frozenset(),
                   pages=ids if kind == "page" else frozenset(),
                   documents=ids if kind == "document" else frozenset(),
                   kinds=frozenset({"claims", "challenges", "tags", "notes", "exhibits"}))
