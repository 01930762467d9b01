"""Every review write: claims, dispositions, challenges, tags, exhibits, notes, undo and redo.

Each operation takes the open :class:`Matter`, the reviewer's name and its targets, runs in ONE
``matter.write()`` transaction (bulk variants take many targets, still one transaction), writes
one ``audit_log`` row per database row it touched (reviewer, time, action, target, before/after
JSON) and returns a frozen :class:`Changes` saying what changed, so a window refreshes only what
it must. All the rows of one call share an ``op_id`` (pass your own to know it in advance, as
the window's undo stack does); :func:`undo` and :func:`redo` replay an op's before/after
snapshots, and are audited in turn. An op that changes nothing writes nothing.

Targets are ``(kind, id)`` pairs with kind in ``redaction``, ``page``, ``document``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, cast

from app import vocabulary as vocab
from app.errors import ReviewError
from app.matter.audit import ENTITY_KIND as _ENTITY_KIND
from app.matter.audit import KINDS, Changes, Target  # noqa: F401  (KINDS: this module's API)
from app.matter.audit import Recorder as _Recorder
from app.matter.audit import begin as _begin
from app.matter.store import Matter, id_chunks, retrying
from app.review import versions
from app.review.versions import Versions

_TARGET_TABLE = {"redaction": "redactions", "page": "pages", "document": "documents"}

DEFAULT_TAG_COLORS = {"hot": "#d62728", "exhibit candidate": "#1f77b4"}
CHALLENGE_FIELDS = (
    "grounds", "status", "priority", "argument", "evidence_cite", "evidence_link",
    "evidence_file", "evidence_passage",
)


def _targets(rec: _Recorder, targets: Iterable[Target]) -> list[Target]:
    """Validated, de-duplicated targets in the order given, their rows locked until the commit
    (on a server) and their versions checked against what the reviewer saw (``rec.expect``).

    Rows are locked in one order, redactions, pages, documents, each by id, and a redaction's
    page with it (its search-code counts change with it): two writers never wait on each other
    in a circle.
    """
    conn = rec.conn
    seen: dict[Target, None] = {}
    for kind, tid in targets:
        if kind not in _TARGET_TABLE:
            raise ReviewError(f"{kind!r} is not a target kind; use redaction, page or document")
        seen[(kind, int(tid))] = None
    out = list(seen)
    extra_pages: set[int] = set()
    for kind in _TARGET_TABLE:
        ids = sorted({t for k, t in out if k == kind})
        wanted = set(ids)
        lock_only = sorted(extra_pages - wanted) if kind == "page" else []
        for chunk in id_chunks(sorted(ids + lock_only)):
            marks = ",".join("?" * len(chunk))
            found = {r[0] for r in conn.execute(
                f"SELECT id FROM {_TARGET_TABLE[kind]} WHERE id IN ({marks}) ORDER BY id"
                + rec.lock, chunk)}
            missing = [i for i in chunk if i not in found and i in wanted]
            if missing:
                raise ReviewError(f"no such {kind}: {', '.join(map(str, missing[:10]))}")
            if kind == "redaction" and rec.lock:
                extra_pages |= {int(r[0]) for r in conn.execute(
                    f"SELECT DISTINCT page_id FROM redactions WHERE id IN ({marks})", chunk)}
    if rec.expect:
        versions.check(conn, {t: v for t, v in rec.expect.items() if t in seen}, rec.reviewer)
    return out


def _recorder(matter: Matter, conn: sqlite3.Connection, reviewer: str, action: str, op_id: str,
              expect: Versions | None = None) -> _Recorder:
    return _Recorder(conn, reviewer, action, op_id, lock=matter.lock_clause(), expect=expect)


def _codes(codes: Iterable[str]) -> list[str]:
    out: list[str] = []
    for code in codes:
        canonical = vocab.exemption_code(code)
        if canonical not in out:
            out.append(canonical)
    return out


def effective_exemptions(stamped: str | None, reviewed: str | None) -> list[str]:
    """A redaction's codes: the reviewer's when set, else as read from the stamp (JSON in)."""
    if reviewed is not None:
        return cast("list[str]", json.loads(reviewed))
    return cast("list[str]", json.loads(stamped or "[]"))


# -- claims -------------------------------------------------------------------------------------


@retrying
def set_redaction_exemptions(matter: Matter, reviewer: str, redaction_ids: Iterable[int],
                             codes: Sequence[str] | None, *, op_id: str | None = None, expect: Versions | None = None) -> Changes:
    """Set the exemption codes a reviewer reads on redactions (None: back to the stamp's)."""
    reviewer, op_id = _begin(matter, reviewer, "set_exemptions", op_id)
    value = None if codes is None else json.dumps(_codes(codes))
    with matter.write() as conn:
        rec = _recorder(matter, conn, reviewer, "set_exemptions", op_id, expect)
        for _, rid in _targets(rec, (("redaction", i) for i in redaction_ids)):
            before = rec.snapshot("redactions", rid, ["exemptions_reviewed"])
            conn.execute("UPDATE redactions SET exemptions_reviewed = ? WHERE id = ?",
                         (value, rid))
            rec.record(("redaction", rid), "redactions", rid, before,
                       {"exemptions_reviewed": value})
        return rec.changes()


@retrying
def toggle_redaction_exemption(matter: Matter, reviewer: str, redaction_ids: Iterable[int],
                               code: str, *, op_id: str | None = None, expect: Versions | None = None) -> Changes:
    """Add ``code`` to every redaction's codes, or remove it when all of them already have it."""
    reviewer, op_id = _begin(matter, reviewer, "toggle_exemption", op_id)
    code = vocab.exemption_code(code)
    with matter.write() as conn:
        rec = _recorder(matter, conn, reviewer, "toggle_exemption", op_id, expect)
        ids = [t for _, t in _targets(rec, (("redaction", i) for i in redaction_ids))]
        current = {}
        for rid in ids:
            row = conn.execute("SELECT exemptions, exemptions_reviewed FROM redactions "
                               "WHERE id = ?", (rid,)).fetchone()
            current[rid] = (row[1], effective_exemptions(row[0], row[1]))
        remove = bool(ids) and all(code in codes for _, codes in current.values())
        for rid, (old, codes) in current.items():
            new = [c for c in codes if c != code] if remove else (
                codes if code in codes else [*codes, code])
            value = json.dumps(new)
            if value == old:
                continue
            conn.execute("UPDATE redactions SET exemptions_reviewed = ? WHERE id = ?",
                         (value, rid))
            rec.record(("redaction", rid), "redactions", rid, {"exemptions_reviewed": old},
                       {"exemptions_reviewed": value})
        return rec.changes()


@retrying
def set_page_disposition(matter: Matter, reviewer: str, page_ids: Iterable[int],
                         disposition: str | None, *, op_id: str | None = None, expect: Versions | None = None) -> Changes:
    """Set the disposition of pages (a key or label of vocab.DISPOSITIONS; None clears it)."""
    reviewer, op_id = _begin(matter, reviewer, "set_disposition", op_id)
    value = None if disposition is None else vocab.resolve("disposition", disposition)
    with matter.write() as conn:
        rec = _recorder(matter, conn, reviewer, "set_disposition", op_id, expect)
        for _, pid in _targets(rec, (("page", i) for i in page_ids)):
            before = rec.snapshot("pages", pid, ["disposition"])
            conn.execute("UPDATE pages SET disposition = ? WHERE id = ?", (value, pid))
            rec.record(("page", pid), "pages", pid, before, {"disposition": value})
        return rec.changes()


# -- challenges ---------------------------------------------------------------------------------


def _challenge_values(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(CHALLENGE_FIELDS)
    if unknown:
        raise ReviewError(f"unknown challenge field(s): {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "grounds":
            grounds: list[str] = []
            for g in value or ():
                key = vocab.resolve("ground", g)
                if key not in grounds:
                    grounds.append(key)
            out[name] = json.dumps(grounds)
        elif name == "status":
            out[name] = vocab.resolve("status", value or "not_reviewed")
        elif name == "priority":
            out[name] = None if not value else vocab.resolve("priority", value)
        else:
            out[name] = (value or "").strip() if name != "argument" else (value or "")
    return out


def _insert_challenge(rec: _Recorder, target: Target, values: dict[str, Any]) -> int:
    row = {"target_kind": target[0], "target_id": target[1], **values,
           "reviewer": rec.reviewer, "created_at": rec.at, "updated_at": rec.at}
    cols = ", ".join(row)
    cur = rec.conn.execute(
        f"INSERT INTO challenges({cols}) VALUES ({','.join('?' * len(row))})", list(row.values()))
    cid = int(cur.lastrowid or 0)
    rec.record(target, "challenges", cid, None, rec.snapshot("challenges", cid))
    return cid


def _update_challenge(rec: _Recorder, cid: int, values: dict[str, Any]) -> None:
    before = rec.snapshot("challenges", cid)
    if before is None:
        raise ReviewError(f"no such challenge: {cid}")
    if all(before[k] == v for k, v in values.items()):
        return
    sets = ", ".join(f"{k} = ?" for k in values)
    rec.conn.execute(f"UPDATE challenges SET {sets}, updated_at = ?, reviewer = ? WHERE id = ?",
                     [*values.values(), rec.at, rec.reviewer, cid])
    rec.record((before["target_kind"], before["target_id"]), "challenges", cid, before,
               rec.snapshot("challenges", cid))


@retrying
def add_challenge(matter: Matter, reviewer: str, targets: Iterable[Target], *,
                  op_id: str | None = None, expect: Versions | None = None, **fields: Any) -> Changes:
    """Add a challenge to each target (fields: grounds, status, priority, argument, evidence_*).

    ``status`` defaults to ``challenge``.
    """
    reviewer, op_id = _begin(matter, reviewer, "add_challenge", op_id)
    values = _challenge_values({"status": "challenge", **fields})
    with matter.write() as conn:
        rec = _recorder(matter, conn, reviewer, "add_challenge", op_id, expect)
        for target in _targets(rec, targets):
            _insert_challenge(rec, target, values)
        return rec.changes()


@retrying
def update_challenge(matter: Matter, reviewer: str, challenge_ids: Iterable[int], *,
                     op_id: str | None = None, **fields: Any) -> Changes:
    """Change fields of existing challenges."""
    reviewer, op_id = _begin(matter, reviewer, "update_challenge", op_id)
    values = _challenge_values(fields)
    with matter.write() as conn:
        rec = _recorder(matter, conn, reviewer, "update_challenge", op_id)
        for cid in dict.fromkeys(challenge_ids):
            _update_challenge(rec, int(cid), values)
        return rec.changes()


@retrying
def set_review(matter: Matter, reviewer: str, targets: Iterable[Target], *,
               op_id: str | None = None, expect: Versions | None = None, **fields: Any) -> Changes:
    """Update each target's latest challenge with ``fields``, creating one where none exists.

    This is what the challenge panel and the status keys call: one challenge record per target
    in practice, several allowed.
    """
    reviewer, op_id = _begin(matter, reviewer, "set_review", op_id)
    values = _challenge_values(fields)
    with matter.write() as conn:
        rec = _recorder(matter, conn, reviewer, "set_review", op_id, expect)
        for target in _targets(rec, targets):
            row = conn.execute(
                "SELECT id FROM challenges WHERE target_kind = ? AND target_id = ? "
                "ORDER BY id DESC LIMIT 1", target).fetchone()
            if row:
                _update_challenge(rec, row[0], values)
            else:
                _insert_challenge(rec, target, _challenge_values(
                    {"status": "not_reviewed", **fields}))
        return rec.changes()


@retrying
def delete_challenge(matter: Matter, reviewer: str, challenge_ids: Iterable[int], *,
                     op_id: str | None = None) -> Changes:
    """Delete challenges (undo brings them back)."""
    reviewer, op_id = _begin(matter, reviewer, "delete_challenge", op_id)
    with matter.write() as conn:
        rec = _recorder(matter, conn, reviewer, "delete_challenge", op_id)
        for cid in dict.fromkeys(int(c) for c in challenge_ids):
            before = rec.snapshot("challenges", cid)
            if before is None:
                raise ReviewError(f"no such challenge: {cid}")
            conn.execute("DELETE FROM challenges WHERE id = ?", (cid,))
            rec.record((before["target_kind"], before["target_id"]), "challenges", cid,
                       before, None)
        return rec.changes()


# -- tags ---------------------------------------------------------------------------------------


def _tag(rec: _Recorder, name: str, color: str | None, create: bool) -> int | None:
    name = " ".join(name.split())
    if not name:
        raise ReviewError("a tag needs a name")
    row = rec.conn.execute("SELECT id, color FROM tags WHERE name = ?", (name,)).fetchone()
    if row:
        if color and color != row[1]:
            before = rec.snapshot("tags", row[0])
            rec.conn.execute("UPDATE tags SET color = ? WHERE id = ?", (color, row[0]))
            rec.record(None, "tags", row[0], before, rec.snapshot("tags", row[0]))
        return int(row[0])
    if not create:
        return None
    color = color or DEFAULT_TAG_COLORS.get(name.lower(), "#808080")
    cur = rec.conn.execute("INSERT INTO tags(name, color, created_at) VALUES (?, ?, ?) "
                           "ON CONFLICT DO NOTHING", (name, color, rec.at))
    if not cur.rowcount:  # another reviewer made it a moment ago (a server): use theirs
        return int(rec.conn.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()[0])
    tid = int(cur.lastrowid or 0)
    rec.record(None, "tags", tid, None, rec.snapshot("tags", tid))
    return tid


@retrying
def create_tag(matter: Matter, reviewer: str, name: str, color: str | None = None, *,
               op_id: str | None = None) -> Changes:
    """Create a tag (or recolour an existing one); names are unique ignoring case."""
    reviewer, op_id = _begin(matter, reviewer, "create_tag", op_id)
    with matter.write() as conn:
        rec = _recorder(matter, conn, reviewer, "create_tag", op_id)
        _tag(rec, name, color, create=True)
        return rec.changes()


@retrying
def add_tag(matter: Matter, reviewer: str, name: str, targets: Iterable[Target], *,
            color: str | None = None, op_id: str | None = None, expect: Versions | None = None) -> Changes:
    """Tag every target with ``name`` (created with ``color`` when new); one transaction."""
    reviewer, op_id = _begin(matter, reviewer, "add_tag", op_id)
    with matter.write() as conn:
        rec = _recorder(matter, conn, reviewer, "add_tag", op_id, expect)
        targets = _targets(rec, targets)
        tid = _tag(rec, name, color, create=True)
        for target in targets:
            cur = conn.execute("INSERT INTO tag_links(tag_id, target_kind, target_id) "
                               "VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (tid, *target))
            if cur.rowcount:
                lid = int(cur.lastrowid or 0)
                rec.record(target, "tag_links", lid, None, rec.snapshot("tag_links", lid))
        return rec.changes()


@retrying
def remove_tag(matter: Matter, reviewer: str, name: str, targets: Iterable[Target], *,
               op_id: str | None = None, expect: Versions | None = None) -> Changes:
    """Remove tag ``name`` from every target (the tag itself stays)."""
    reviewer, op_id = _begin(matter, reviewer, "remove_tag", op_id)
    with matter.write() as conn:
        rec = _recorder(matter, conn, reviewer, "remove_tag", op_id, expect)
        targets = _targets(rec, targets)
        tid = _tag(rec, name, None, create=False)
        if tid is None:
            raise ReviewError(f"no such tag: {name}")
        for target in targets:
            row = conn.execute("SELECT id FROM tag_links WHERE tag_id = ? AND target_kind = ? "
                               "AND target_id = ?", (tid, *target)).fetchone()
            if row:
                before = rec.snapshot("tag_links", row[0])
                conn.execute("DELETE FROM tag_links WHERE id = ?", (row[0],))
                rec.record(target, "tag_links", row[0], before, None)
        return rec.changes()


# -- exhibits -----------------------------------------------------------------------------------


@retrying
def set_exhibit(matter: Matter, reviewer: str, number: str, *, document_id: int | None = None,
                first_page_id: int | None = None, last_page_id: int | None = None,
                description: str = "", status: str = "planned",
                op_id: str | None = None) -> Changes:
    """Create or update exhibit ``number`` for a document or a page range."""
    reviewer, op_id = _begin(matter, reviewer, "set_exhibit", op_id)
    number = " ".join(str(number).split())
    if not number:
        raise ReviewError("an exhibit needs a number")
    if document_id is None and first_page_id is None:
        raise ReviewError("an exhibit needs a document or a first page")
    status = vocab.resolve("exhibit_status", status)
    last_page_id = last_page_id if last_page_id is not None else first_page_id
    with matter.write() as conn:
        rec = _recorder(matter, conn, reviewer, "set_exhibit", op_id)
        wanted = [("document", document_id)] if document_id is not None else []
        wanted += [("page", p) for p in (first_page_id, last_page_id) if p is not None]
        _targets(rec, wanted)
        target: Target = (("document", document_id) if document_id is not None
                          else ("page", int(first_page_id or 0)))
        values = {"description": description.strip(), "document_id": document_id,
                  "first_page_id": first_page_id, "last_page_id": last_page_id,
                  "status": status}
        row = conn.execute("SELECT id FROM exhibits WHERE number = ?", (number,)).fetchone()
        if row:
            before = rec.snapshot("exhibits", row[0])
            assert before is not None
            if any(before[k] != v for k, v in values.items()):
                sets = ", ".join(f"{k} = ?" for k in values)
                conn.execute(f"UPDATE exhibits SET {sets}, reviewer = ?, updated_at = ? "
                             "WHERE id = ?", [*values.values(), reviewer, rec.at, row[0]])
                rec.record(target, "exhibits", row[0], before, rec.snapshot("exhibits", row[0]))
        else:
            full = {"number": number, **values, "reviewer": reviewer, "created_at": rec.at,
                    "updated_at": rec.at}
            cur = conn.execute(f"INSERT INTO exhibits({', '.join(full)}) "
                               f"VALUES ({','.join('?' * len(full))})", list(full.values()))
            eid = int(cur.lastrowid or 0)
            rec.record(target, "exhibits", eid, None, rec.snapshot("exhibits", eid))
        return rec.changes()


@retrying
def delete_exhibit(matter: Matter, reviewer: str, number: str, *,
                   op_id: str | None = None) -> Changes:
    """Delete exhibit ``number``."""
    reviewer, op_id = _begin(matter, reviewer, "delete_exhibit", op_id)
    with matter.write() as conn:
        rec = _recorder(matter, conn, reviewer, "delete_exhibit", op_id)
        row = conn.execute("SELECT id FROM exhibits WHERE number = ?", (number,)).fetchone()
        if row is None:
            raise ReviewError(f"no such exhibit: {number}")
        before = rec.snapshot("exhibits", row[0])
        assert before is not None
        conn.execute("DELETE FROM exhibits WHERE id = ?", (row[0],))
        rec.record(_exhibit_target(before), "exhibits", row[0], before, None)
        return rec.changes()


def _exhibit_target(row: dict[str, Any]) -> Target | None:
    if row.get("document_id") is not None:
        return ("document", row["document_id"])
    if row.get("first_page_id") is not None:
        return ("page", row["first_page_id"])
    return None


# -- notes --------------------------------------------------------------------------------------


@retrying
def add_note(matter: Matter, reviewer: str, targets: Iterable[Target], text: str, *,
             op_id: str | None = None, expect: Versions | None = None) -> Changes:
    """Attach a note to each target."""
    reviewer, op_id = _begin(matter, reviewer, "add_note", op_id)
    if not text.strip():
        raise ReviewError("a note needs some text")
    with matter.write() as conn:
        rec = _recorder(matter, conn, reviewer, "add_note", op_id, expect)
        for target in _targets(rec, targets):
            cur = conn.execute(
                "INSERT INTO notes(target_kind, target_id, text, reviewer, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?)", (*target, text, reviewer, rec.at, rec.at))
            nid = int(cur.lastrowid or 0)
            rec.record(target, "notes", nid, None, rec.snapshot("notes", nid))
        return rec.changes()


@retrying
def update_note(matter: Matter, reviewer: str, note_id: int, text: str, *,
                op_id: str | None = None) -> Changes:
    """Replace a note's text (empty text deletes it)."""
    reviewer, op_id = _begin(matter, reviewer, "update_note", op_id)
    with matter.write() as conn:
        rec = _recorder(matter, conn, reviewer, "update_note", op_id)
        before = rec.snapshot("notes", note_id)
        if before is None:
            raise ReviewError(f"no such note: {note_id}")
        target = (before["target_kind"], before["target_id"])
        if not text.strip():
            conn.execute("DELETE FROM notes WHERE id = ?", (note_id,))
            rec.record(target, "notes", note_id, before, None)
        elif text != before["text"]:
            conn.execute("UPDATE notes SET text = ?, reviewer = ?, updated_at = ? WHERE id = ?",
                         (text, reviewer, rec.at, note_id))
            rec.record(target, "notes", note_id, before, rec.snapshot("notes", note_id))
        return rec.changes()


# -- undo / redo --------------------------------------------------------------------------------


@retrying
def undo(matter: Matter, reviewer: str, op_id: str, *, missing_ok: bool = False,
         force: bool = False) -> Changes:
    """Put back every row ``op_id`` touched as it was before (newest row first).

    An op that wrote nothing raises ReviewError, or with ``missing_ok`` returns empty Changes.
    """
    return _replay(matter, reviewer, op_id, "before", reverse=True, missing_ok=missing_ok,
                   force=force)


@retrying
def redo(matter: Matter, reviewer: str, op_id: str, *, missing_ok: bool = False,
         force: bool = False) -> Changes:
    """Apply ``op_id`` again from its recorded after-snapshots (oldest row first)."""
    return _replay(matter, reviewer, op_id, "after", reverse=False, missing_ok=missing_ok,
                   force=force)


def _replay(matter: Matter, reviewer: str, op_id: str, side: str, reverse: bool,
            missing_ok: bool, force: bool = False) -> Changes:
    reviewer, new_op = _begin(matter, reviewer, side, None)
    with matter.write() as conn:
        rows = conn.execute(
            "SELECT action, target_kind, target_id, entity, entity_id, before, after "
            "FROM audit_log WHERE op_id = ? ORDER BY id" + (" DESC" if reverse else ""),
            (op_id,)).fetchall()
        if not rows:
            if missing_ok:
                return Changes(op_id=new_op)
            raise ReviewError(f"nothing recorded for op {op_id}")
        action = ("undo " if reverse else "redo ") + rows[0][0]
        rec = _recorder(matter, conn, reviewer, action, new_op)
        if not force:  # put back only your own changes, never over another reviewer's
            _targets(rec, {(r[1], r[2]) for r in rows if r[1] and _exists(conn, r[1], r[2])})
            top = conn.execute("SELECT max(id) FROM audit_log WHERE op_id = ?",
                               (op_id,)).fetchone()[0]
            versions.check_undo(conn, [(r[1], r[2]) for r in rows], int(top), reviewer)
        for _, tkind, tid, entity, eid, before_j, after_j in rows:
            if entity not in _ENTITY_KIND:
                raise ReviewError(f"cannot replay writes to {entity}")
            want = json.loads(before_j if reverse else after_j) if (
                before_j if reverse else after_j) is not None else None
            other = json.loads(after_j if reverse else before_j) if (
                after_j if reverse else before_j) is not None else None
            target = (tkind, tid) if tkind else None
            columns = list(want or other or {})
            now = rec.snapshot(entity, eid, None if want is None or other is None else columns)
            if want is None:
                conn.execute(f"DELETE FROM {entity} WHERE id = ?", (eid,))
            elif other is None:
                _check_columns(conn, entity, want)
                update = ", ".join(f"{k} = excluded.{k}" for k in want if k != "id")
                conn.execute(f"INSERT INTO {entity}({', '.join(want)}) "
                             f"VALUES ({','.join('?' * len(want))}) "
                             f"ON CONFLICT(id) DO UPDATE SET {update}", list(want.values()))
            else:
                _check_columns(conn, entity, want)
                sets = ", ".join(f"{k} = ?" for k in want)
                conn.execute(f"UPDATE {entity} SET {sets} WHERE id = ?", [*want.values(), eid])
            after = rec.snapshot(entity, eid, None if want is None or other is None else columns)
            rec.record(target, entity, eid, now, after)
            rec.note(target, entity, eid, set(want or other or {}))
        return rec.changes()


def _exists(conn: sqlite3.Connection, kind: str, target_id: int) -> bool:
    return conn.execute(f"SELECT 1 FROM {_TARGET_TABLE[kind]} WHERE id = ?",
                        (target_id,)).fetchone() is not None


def _check_columns(conn: sqlite3.Connection, entity: str, values: dict[str, Any]) -> None:
    known = {r[1] for r in conn.execute(f"PRAGMA table_info({entity})")}
    unknown = set(values) - known
    if unknown:
        raise ReviewError(f"cannot replay unknown columns of {entity}: {sorted(unknown)}")
