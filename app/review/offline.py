"""Offline review: check a batch out of a shared matter to a file, review it anywhere, check it
back in (issue #20).

:func:`checkout` copies the matter from the server into a new matter file in one consistent
snapshot (REPEATABLE READ), so the reviewer has every page, the search index and the review so
far, and marks the batch as out. The file remembers where it came from and the newest audit
row the server had (``base``). Offline the file is an ordinary matter: every change is audited.

:func:`checkin` sends the file's changes made since ``base``, one operation at a time, each in
one server transaction and audited there under the reviewer's name. An operation whose targets
another reviewer changed on the server since the checkout is not sent but listed as a
:class:`Conflict` with both sides; the reviewer resolves each (``resolve={op_id: "mine"}``
sends it over the other's change, ``"theirs"`` keeps the server's and leaves the change in the
file only). Rows the file created get new ids on the server (another reviewer may have used
the same ones meanwhile); the file keeps the mapping and the list of operations sent, so a
check-in that stops half way (connection lost) resumes without sending anything twice.
Nothing is lost either way: the file keeps every change it made.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import ReviewConflict, ReviewError
from app.matter.audit import Recorder
from app.matter.store import Matter, now_iso
from app.matter.transfer import copy_matter
from app.review import versions

SETTING = "checkout"
# columns that point at rows the file may have created (remapped to the server's ids)
_REFS = {"tag_links": {"tag_id": "tags"}}


@dataclass(frozen=True)
class Conflict:
    """An offline change not sent: another reviewer changed its target on the server."""

    op_id: str
    action: str
    target: tuple[str, int]
    mine: dict[str, Any]  # what the file's change wrote
    theirs_by: str
    theirs_at: str
    theirs: dict[str, Any]  # what the server's newest change to the target wrote


@dataclass
class CheckinReport:
    """What a check-in did."""

    sent: int = 0  # operations applied on the server
    kept_theirs: int = 0  # operations resolved "theirs": only in the file
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.conflicts


def checkout(server: Matter, dest: str | Path, reviewer: str, batch: str | None = None) -> Matter:
    """Copy the shared matter to the new file ``dest`` for ``reviewer``; the open file matter.

    With ``batch``, that batch (it must be the reviewer's) is marked as checked out.
    """
    dest = Path(dest)
    if dest.exists():
        raise ReviewError(f"{dest}: already exists; check out into a new file")
    if batch is not None:
        owner = server.scalar("SELECT reviewer FROM batches WHERE name = ?", (batch,))
        if owner is None:
            raise ReviewError(f"no batch named {batch!r}")
        if owner != reviewer:
            raise ReviewError(f"batch {batch!r} is {owner}'s, not {reviewer}'s")
    local = Matter.open(dest, create=True)
    try:
        snapshot = server.on_server
        if snapshot:
            server.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            base = int(server.scalar("SELECT coalesce(max(id), 0) FROM audit_log") or 0)
            copy_matter(server, local)
        finally:
            if snapshot:
                server.conn.execute("COMMIT")
        local.set_setting(SETTING, {"server": server.location, "batch": batch, "base": base,
                                    "reviewer": reviewer, "at": now_iso(), "sent": [],
                                    "ids": {}})
        if batch is not None:
            with server.write() as conn:
                conn.execute("UPDATE batches SET checked_out_to = ?, checked_out_at = ? "
                             "WHERE name = ?", (reviewer, now_iso(), batch))
    except BaseException:
        local.close()
        dest.unlink(missing_ok=True)
        raise
    return local


def checkin(local: Matter, server: Matter, resolve: dict[str, str] | None = None) -> CheckinReport:
    """Send the file's offline changes to the server; conflicts are listed, not sent."""
    info = local.get_setting(SETTING)
    if not info:
        raise ReviewError(f"{local.location}: not a checked-out copy of a shared matter")
    resolve = resolve or {}
    reviewer, base = str(info["reviewer"]), int(info["base"])
    sent = set(info.get("sent", []))
    ids: dict[str, int] = dict(info.get("ids", {}))
    report = CheckinReport()
    for op_id, rows in offline_ops(local, base):
        if op_id in sent:
            continue
        choice = resolve.get(op_id)
        targets = {(r["target_kind"], int(r["target_id"])) for r in rows if r["target_kind"]}
        if choice != "mine":
            try:
                versions.check(server.conn, {t: base for t in targets}, reviewer)
            except ReviewConflict as exc:
                if choice == "theirs":
                    report.kept_theirs += 1
                    sent.add(op_id)
                    _save(local, info, sent, ids)
                    continue
                report.conflicts.append(_conflict(op_id, rows, exc))
                continue
        _send(server, reviewer, rows, ids)
        report.sent += 1
        sent.add(op_id)
        _save(local, info, sent, ids)
    if report.complete and info.get("batch"):
        with server.write() as conn:
            conn.execute("UPDATE batches SET checked_out_to = NULL, checked_out_at = NULL "
                         "WHERE name = ?", (info["batch"],))
    return report


def offline_ops(local: Matter, base: int) -> list[tuple[str, list[dict[str, Any]]]]:
    """The file's operations after ``base``, oldest first, each with its audit rows."""
    ops: dict[str, list[dict[str, Any]]] = {}
    for row in local.query("SELECT * FROM audit_log WHERE id > ? ORDER BY id", (base,)):
        ops.setdefault(str(row["op_id"]), []).append(dict(row))
    return list(ops.items())


def _conflict(op_id: str, rows: list[dict[str, Any]], exc: ReviewConflict) -> Conflict:
    mine: dict[str, Any] = {}
    for r in rows:
        if (r["target_kind"], r["target_id"]) == exc.target and r["after"]:
            mine.update(json.loads(r["after"]))
    return Conflict(op_id, str(rows[0]["action"]), exc.target, mine, exc.reviewer, exc.at,
                    exc.after)


def _save(local: Matter, info: dict[str, Any], sent: set[str], ids: dict[str, int]) -> None:
    local.set_setting(SETTING, {**info, "sent": sorted(sent), "ids": ids})


def _send(server: Matter, reviewer: str, rows: list[dict[str, Any]], ids: dict[str, int]) -> None:
    """Apply one offline operation's rows on the server, audited there, in one transaction."""
    op_id = uuid.uuid4().hex
    with server.write() as conn:
        rec = Recorder(conn, reviewer, "checkin " + str(rows[0]["action"]), op_id,
                       lock=server.lock_clause())
        for r in rows:
            entity = str(r["entity"])
            after = json.loads(r["after"]) if r["after"] else None
            before = json.loads(r["before"]) if r["before"] else None
            key = f"{entity}:{r['entity_id']}"
            target = (r["target_kind"], int(r["target_id"])) if r["target_kind"] else None
            if after is not None:
                for col, ref in _REFS.get(entity, {}).items():
                    if f"{ref}:{after.get(col)}" in ids:
                        after[col] = ids[f"{ref}:{after[col]}"]
            if before is None and after is not None:
                sid = _insert(conn, entity, after)
                ids[key] = sid
                rec.record(target, entity, sid, None, rec.snapshot(entity, sid))
                continue
            sid = ids.get(key, int(r["entity_id"]))
            now = rec.snapshot(entity, sid)
            if after is None:
                conn.execute(f"DELETE FROM {entity} WHERE id = ?", (sid,))
            elif now is not None:
                values = {k: v for k, v in after.items() if k != "id"}
                sets = ", ".join(f"{k} = ?" for k in values)
                conn.execute(f"UPDATE {entity} SET {sets} WHERE id = ?", [*values.values(), sid])
            rec.record(target, entity, sid, now, rec.snapshot(entity, sid))


def _insert(conn: Any, entity: str, row: dict[str, Any]) -> int:
    """Insert a row the file created; its id on the server (an equal tag or link is reused)."""
    values = {k: v for k, v in row.items() if k != "id"}
    cols = ", ".join(values)
    cur = conn.execute(f"INSERT INTO {entity}({cols}) VALUES ({','.join('?' * len(values))}) "
                       "ON CONFLICT DO NOTHING", list(values.values()))
    if cur.rowcount:
        return int(cur.lastrowid or 0)
    if entity == "tags":
        return int(conn.execute("SELECT id FROM tags WHERE name = ?", (row["name"],)).fetchone()[0])
    if entity == "tag_links":
        return int(conn.execute(
            "SELECT id FROM tag_links WHERE tag_id = ? AND target_kind = ? AND target_id = ?",
            (row["tag_id"], row["target_kind"], row["target_id"])).fetchone()[0])
    raise ReviewError(f"could not add a {entity} row from the offline copy")
