"""Optimistic versions of review targets: no reviewer silently overwrites another (issue #20).

A target's version is the id of the newest audit-log row that touched it (0: never reviewed);
every audited write makes a new one, on a file or a server alike, so no column has to be kept
in step. A window reads the versions with the page (``RedactionData.version``,
``PageData.version``, ``Review.version``) and passes them back as ``expect`` with the change.
The operation locks its target rows first (a server's ``SELECT ... FOR UPDATE``; a file's write
lock holds everything), then :func:`check` refuses with :class:`ReviewConflict` when another
reviewer has written to the target since: the second writer is told who, when, and what the
target holds now, and chooses (write again with the new version, or keep theirs).
Changes the same reviewer made meanwhile (in another window) are not conflicts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from app.errors import ReviewConflict
from app.matter.audit import Target
from app.matter.store import id_chunks

Versions = Mapping[Target, int]


def versions(conn: Any, targets: Iterable[Target]) -> dict[Target, int]:
    """The current version of each target."""
    out: dict[Target, int] = {}
    by_kind: dict[str, list[int]] = {}
    for kind, tid in targets:
        out[(kind, int(tid))] = 0
        by_kind.setdefault(kind, []).append(int(tid))
    for kind, ids in by_kind.items():
        for chunk in id_chunks(sorted(set(ids))):
            marks = ",".join("?" * len(chunk))
            for tid, top in conn.execute(
                    "SELECT target_id, max(id) FROM audit_log WHERE target_kind = ? "
                    f"AND target_id IN ({marks}) GROUP BY target_id", (kind, *chunk)):
                out[(kind, int(tid))] = int(top)
    return out


def check(conn: Any, expect: Versions, reviewer: str) -> None:
    """Raise ReviewConflict for the first target another reviewer wrote after ``expect``."""
    for (kind, tid), seen in sorted(expect.items()):
        row = conn.execute(
            "SELECT id, reviewer, at, entity, after FROM audit_log WHERE target_kind = ? "
            "AND target_id = ? AND id > ? AND reviewer <> ? ORDER BY id DESC LIMIT 1",
            (kind, int(tid), int(seen), reviewer)).fetchone()
        if row is not None:
            raise _conflict(conn, (kind, int(tid)), row)


def check_undo(conn: Any, op_rows: Iterable[tuple[str | None, int | None]], after_id: int,
               reviewer: str) -> None:
    """Refuse to undo (or redo) an op over a change another reviewer made to its targets
    after it (audit id ``after_id``): undo puts back only your own changes."""
    check(conn, {(k, int(t)): after_id for k, t in op_rows if k and t is not None}, reviewer)


def _conflict(conn: Any, target: Target, row: tuple[Any, ...]) -> ReviewConflict:
    version = versions(conn, [target])[target]
    after = json.loads(row[4]) if row[4] else {}
    return ReviewConflict(target, version, str(row[1]), str(row[2]),
                          {"entity": row[3], **after} if isinstance(after, dict) else {})


def describe(conflict: ReviewConflict) -> str:
    """What the other reviewer did to the target, in words: "Bob set the codes to (b)(5)"."""
    after: dict[str, Any] = dict(conflict.after)
    entity = str(after.pop("entity", ""))
    kind, tid = conflict.target
    return f"{conflict.reviewer} {_what(entity, after)} (this {kind}, {tid}) at {conflict.at}"


def _what(entity: str, after: dict[str, Any]) -> str:
    if entity == "redactions":
        codes = after.get("exemptions_reviewed")
        return "set the codes to " + (", ".join(json.loads(codes)) if codes else "the stamp's")
    if entity == "pages":
        return (f"set the disposition to {after['disposition']}" if after.get("disposition")
                else "changed the page's record")
    if entity == "challenges":
        grounds = json.loads(after.get("grounds") or "[]")
        return (f"set the challenge to {after.get('status', '?')}"
                + (" on " + ", ".join(grounds) if grounds else ""))
    if entity == "tag_links":
        return "tagged it" if after else "took a tag off"
    if entity == "notes":
        return f"wrote a note: {str(after.get('text', ''))[:80]}" if after else "deleted a note"
    if entity == "exhibits":
        return f"made it exhibit {after.get('number', '')}" if after else "removed an exhibit"
    return "changed it"
