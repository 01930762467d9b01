"""The reviewer's boundary fixes: split a record at a page, merge a record into the one before.

Each is one ``matter.write()`` transaction audited through app/matter/audit.py (as every review
op is), so Ctrl+Z (or :func:`app.review.ops.undo`) puts every row back. The decision is kept on the page
(``pages.doc_break``): a re-run of detection (``vaughn analyze``) keeps it.
"""

from __future__ import annotations

import json

from app.documents.boundaries import Boundary
from app.documents.units import PageRow, load_run, metas, reconcile
from app.errors import ReviewError
from app.matter.audit import Changes, Recorder, begin
from app.matter.store import Matter


def page_for(matter: Matter, bates: str) -> int:
    """The id of the page with Bates number ``bates`` (case, spaces, hyphens do not matter)."""
    from app.bates import bates_key

    key = bates_key(bates)
    rows = matter.conn.execute("SELECT id FROM pages WHERE bates_key = ? ORDER BY id",
                               (key,)).fetchall()
    if not rows:
        raise ReviewError(f"no page has the Bates number {bates}")
    if len(rows) > 1:
        raise ReviewError(f"{len(rows)} pages have the Bates number {bates}; name one by id")
    return int(rows[0][0])


def _existing(run: list[PageRow]) -> dict[int, Boundary]:
    """The run's boundaries as the matter holds them now (a record's first page starts it)."""
    out: dict[int, Boundary] = {}
    seen: set[int] = set()
    for i, row in enumerate(run):
        if row.document_id not in seen:
            seen.add(row.document_id)
            out[i] = Boundary(i, ["kept"], "kept")
    return out


def _apply(matter: Matter, reviewer: str, action: str, page_id: int, op_id: str | None,
           split: bool) -> Changes:
    reviewer, op_id = begin(matter, reviewer, action, op_id)
    with matter.write() as conn:
        rec = Recorder(conn, reviewer, action, op_id)
        row = conn.execute("SELECT document_id, production_id, doc_break FROM pages "
                           "WHERE id = ?", (page_id,)).fetchone()
        if row is None:
            raise ReviewError(f"no such page: {page_id}")
        doc_id, production_id, old_break = row
        first = conn.execute("SELECT min(id) FROM pages WHERE document_id = ?",
                             (doc_id,)).fetchone()[0]
        if split:
            if first == page_id:
                raise ReviewError("this page already starts a record")
            docs = [doc_id]
        else:
            if first != page_id:
                raise ReviewError("only a record's first page can be merged with the record "
                                  "before it")
            prev = conn.execute("SELECT document_id FROM pages WHERE production_id = ? AND "
                                "id < ? ORDER BY id DESC LIMIT 1",
                                (production_id, page_id)).fetchone()
            if prev is None:
                raise ReviewError("this is the production's first record: nothing to merge "
                                  "it with")
            docs = [prev[0], doc_id]
        marks = ",".join("?" * len(docs))
        run = load_run(conn, f"p.document_id IN ({marks})", docs)
        starts = _existing(run)
        at = next(i for i, r in enumerate(run) if r.id == page_id)
        if split:
            starts[at] = Boundary(at, ["split here by the reviewer"], "reviewer")
        else:
            starts.pop(at)
        found = [starts[i] for i in sorted(starts)]
        infos = [r.info for r in run]
        described = metas(infos, found)
        keep = {b.start for b in found if b.source == "kept"}
        for b in found:  # a record that keeps its first page keeps its metadata and reasons
            if b.start in keep:
                doc = conn.execute("SELECT boundary_source, boundary FROM documents WHERE id = ?",
                                   (run[b.start].document_id,)).fetchone()
                b.source, b.reasons = doc[0], _reasons(doc[1])
        metas_kept = [None if b.start in keep else m for b, m in zip(found, described,
                                                                       strict=True)]
        reconcile(conn, rec, run, found, metas_kept)
        value = 1 if split else 0
        if old_break != value:
            conn.execute("UPDATE pages SET doc_break = ? WHERE id = ?", (value, page_id))
            rec.record(("page", page_id), "pages", page_id, {"doc_break": old_break},
                       {"doc_break": value})
        return rec.changes()


def _reasons(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def split_at(matter: Matter, reviewer: str, page_id: int, *, op_id: str | None = None) -> Changes:
    """Start a new record at ``page_id`` (the rest of its record goes with it)."""
    return _apply(matter, reviewer, "split_document", page_id, op_id, split=True)


def record_start(matter: Matter, page_id: int) -> int:
    """The first page of the record that holds ``page_id``."""
    row = matter.conn.execute("SELECT min(p2.id) FROM pages p JOIN pages p2 ON "
                              "p2.document_id = p.document_id WHERE p.id = ?",
                              (page_id,)).fetchone()
    if row is None or row[0] is None:
        raise ReviewError(f"no such page: {page_id}")
    return int(row[0])


def merge_record(matter: Matter, reviewer: str, page_id: int, *,
                 op_id: str | None = None) -> Changes:
    """Join the record holding ``page_id`` (any of its pages) to the record before it."""
    return merge_at(matter, reviewer, record_start(matter, page_id), op_id=op_id)


def merge_at(matter: Matter, reviewer: str, page_id: int, *, op_id: str | None = None) -> Changes:
    """Join the record that starts at ``page_id`` to the record before it."""
    return _apply(matter, reviewer, "merge_document", page_id, op_id, split=False)
