"""Other reviewers' changes as they land, so every window shows them within a second or two.

A :class:`ChangeWatch` remembers the newest audit-log row it has seen. :meth:`poll` returns
the :class:`Changes` of the rows written since by anyone but this window's own ops, built from
the audit rows the same way an operation builds its own (so panels refresh only what those
touched). On a server matter it first listens on ``vaughn_changes`` (LISTEN/NOTIFY, one
notification per operation, app/matter/pg_schema.py) on a connection of its own, and reads the
audit log only when something was written; on a matter file (another process may write it
too) it asks for the newest audit id, one indexed lookup. Call it from the matter's thread.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

from app.matter.audit import ENTITY_KIND, Changes, Recorder
from app.matter.store import Matter

MAX_ROWS = 5000  # more than this at once: the window reloads everything (``everything``)


class ChangeWatch:
    """What others wrote to ``matter`` since the last :meth:`poll`."""

    def __init__(self, matter: Matter, own: Callable[[str], bool] | None = None) -> None:
        self.matter = matter
        self.own = own or (lambda op_id: False)
        self.last = int(matter.scalar("SELECT coalesce(max(id), 0) FROM audit_log") or 0)
        self._listen: Any = None
        self._url: str | None = getattr(matter, "url", None)
        self._next_try = 0.0
        self._relisten()

    def _relisten(self) -> None:
        """(Re)open the listening connection; while the server is down, try every 10 s."""
        if self._url is None or time.monotonic() < self._next_try:
            return
        import psycopg

        self._next_try = time.monotonic() + 10
        with contextlib.suppress(psycopg.Error):
            listen = psycopg.connect(self._url, autocommit=True, connect_timeout=2)
            listen.execute("LISTEN vaughn_changes")
            self._listen = listen

    def poll(self) -> Changes:
        """The Changes of rows written since the last poll by other ops (empty: none)."""
        if self._url is not None and self._listen is None:
            self._relisten()  # until it is back, the audit log is read directly
        if self._listen is not None and not self._woken():
            return Changes()
        top = int(self.matter.scalar("SELECT coalesce(max(id), 0) FROM audit_log") or 0)
        if top <= self.last:
            return Changes()
        rows = self.matter.conn.execute(
            "SELECT op_id, target_kind, target_id, entity, entity_id, before, after "
            "FROM audit_log WHERE id > ? AND id <= ? ORDER BY id LIMIT ?",
            (self.last, top, MAX_ROWS)).fetchall()
        self.last = top
        rec = Recorder(self.matter.conn, "", "", "")
        for op_id, tkind, tid, entity, eid, before, after in rows:
            if self.own(op_id) or entity not in ENTITY_KIND:
                continue
            columns = set(_keys(before)) | set(_keys(after))
            rec.note((tkind, tid) if tkind else None, entity, eid, columns)
        return rec.changes()

    def _woken(self) -> bool:
        import psycopg

        try:
            return any(True for _ in self._listen.notifies(timeout=0.0))
        except psycopg.Error:  # the server went away: read the log directly until it is back
            with contextlib.suppress(Exception):
                self._listen.close()
            self._listen = None
            return True

    def close(self) -> None:
        if self._listen is not None:
            with contextlib.suppress(Exception):
                self._listen.close()


def _keys(snapshot: str | None) -> list[str]:
    if not snapshot:
        return []
    value = json.loads(snapshot)
    return list(value) if isinstance(value, dict) else []
