"""Records written to the matter: a file's pages grouped into ``documents`` rows.

:func:`reconcile` makes the documents of a run of pages match a list of boundaries while
keeping the id of every record whose first page stays a first page (so tags, exhibits and
challenges on it stay put). Records that disappear hand their exhibits, tags, notes and
challenges to the record that now holds their first page. With a recorder (app/review/ops.py)
every row written is audited, so the change can be undone; without one (ingest, re-analysis)
the rows are simply written. The caller owns the transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.documents.boundaries import Boundary, detect
from app.documents.metadata import RecordMeta, describe
from app.documents.signals import PageInfo, PageSignals, read_page

META_PAGES = 2  # a record's metadata is read from its first pages


@dataclass
class PageRow:
    """One page of the run, as the matter holds it."""

    id: int
    document_id: int
    bates: str | None
    doc_break: int | None
    info: PageInfo


def load_run(conn: sqlite3.Connection, where: str, params: Sequence[Any]) -> list[PageRow]:
    """Pages matching ``where`` (over ``pages p``) in production order, with their text."""
    rows = conn.execute(
        "SELECT p.id, p.document_id, p.bates, p.doc_break, p.width, p.height, p.text_layer, "
        "p.withheld_in_full, p.body_bottom, coalesce(t.text, '') FROM pages p "
        f"LEFT JOIN page_text t ON t.page_id = p.id WHERE {where} ORDER BY p.id", tuple(params))
    return [PageRow(r[0], r[1], r[2], r[3],
                    PageInfo(r[9], r[4], r[5], bool(r[6]), bool(r[7]), r[8], r[2]))
            for r in rows]


def with_reviewer(found: list[Boundary], breaks: Sequence[int | None]) -> list[Boundary]:
    """Boundaries after the reviewer's decisions (1: starts here, 0: joined to the one before)."""
    by_start = {b.start: b for b in found}
    for i, value in enumerate(breaks):
        if i == 0 or value is None:
            continue
        if value == 1 and (i not in by_start or by_start[i].source != "reviewer"):
            by_start[i] = Boundary(i, ["split here by the reviewer"], "reviewer")
        elif value == 0:
            by_start.pop(i, None)
    return [by_start[i] for i in sorted(by_start)]


def metas(pages: Sequence[PageInfo], found: Sequence[Boundary],
          signals: Sequence[PageSignals] | None = None) -> list[RecordMeta]:
    """Each record's metadata, read from its first pages (``signals``: already read)."""
    out = []
    for n, b in enumerate(found):
        end = min(found[n + 1].start if n + 1 < len(found) else len(pages), b.start + META_PAGES)
        out.append(describe(list(signals[b.start:end]) if signals is not None
                            else [read_page(p) for p in pages[b.start:end]]))
    return out


def redetect(conn: sqlite3.Connection, rec: Any, run: list[PageRow], *,
             marks: dict[int, str] | None = None, restarts: set[int] | None = None,
             whole_file: bool = False) -> set[int]:
    """Detect the run's records again, keep the reviewer's decisions, write the result."""
    infos = [r.info for r in run]
    for i, info in enumerate(infos):
        info.bookmark = (marks or {}).get(i)
        info.label_restart = i in (restarts or set())
    sigs = [read_page(p) for p in infos]
    found = with_reviewer(detect(infos, whole_file=whole_file, signals=sigs),
                          [r.doc_break for r in run])
    return reconcile(conn, rec, run, found, metas(infos, found, sigs))


def _meta_values(meta: RecordMeta | None) -> dict[str, Any]:
    if meta is None:
        return {}
    values = {"doc_type": meta.doc_type, "doc_date": meta.doc_date, "title": meta.title,
              "author": meta.author, "recipients": meta.recipients}
    if not meta.title:
        del values["title"]  # nothing read: a record keeps the title it had (its file's name)
    return values


def reconcile(conn: sqlite3.Connection, rec: Any, run: list[PageRow], found: list[Boundary],
              meta: Sequence[RecordMeta | None]) -> set[int]:
    """Make the documents of ``run`` match ``found``; return the ids of documents changed."""
    if not run:
        return set()
    first_of: dict[int, int] = {}
    for i, row in enumerate(run):
        first_of.setdefault(row.document_id, i)
    keep_by_start = {i: d for d, i in first_of.items()}
    template = _snapshot(conn, run[0].document_id)
    assert template is not None
    changed: set[int] = set()
    unit_doc: list[int] = []
    for n, b in enumerate(found):
        end = found[n + 1].start if n + 1 < len(found) else len(run)
        pages = run[b.start:end]
        values = {
            "begbates": next((p.bates for p in pages if p.bates), None),
            "endbates": next((p.bates for p in reversed(pages) if p.bates), None),
            "page_count": len(pages), "boundary_source": b.source,
            "boundary": json.dumps(b.reasons), **_meta_values(meta[n] if n < len(meta) else None),
        }
        doc_id = keep_by_start.get(b.start)
        if doc_id is None:
            new_row = {k: template[k] for k in ("production_id", "source_file_id")}
            new_row.update({"title": None, "doc_type": None, "doc_date": None, "author": None,
                            "recipients": None, "metadata": "{}", **values})
            cur = conn.execute(f"INSERT INTO documents({', '.join(new_row)}) "
                               f"VALUES ({','.join('?' * len(new_row))})",
                               list(new_row.values()))
            doc_id = int(cur.lastrowid or 0)
            _record(rec, ("document", doc_id), "documents", doc_id, None, _snapshot(conn, doc_id))
            changed.add(doc_id)
        else:
            before = _snapshot(conn, doc_id)
            assert before is not None
            if any(before.get(k) != v for k, v in values.items()):
                sets = ", ".join(f"{k} = ?" for k in values)
                conn.execute(f"UPDATE documents SET {sets} WHERE id = ?",
                             [*values.values(), doc_id])
                _record(rec, ("document", doc_id), "documents", doc_id,
                        {k: before[k] for k in values}, values)
                changed.add(doc_id)
        unit_doc.extend([doc_id] * len(pages))
    for row, doc_id in zip(run, unit_doc, strict=True):
        if row.document_id != doc_id:
            conn.execute("UPDATE pages SET document_id = ? WHERE id = ?", (doc_id, row.id))
            _record(rec, ("page", row.id), "pages", row.id, {"document_id": row.document_id},
                    {"document_id": doc_id})
            changed.update((row.document_id, doc_id))
    kept = set(unit_doc)
    for old, i in first_of.items():
        if old in kept:
            continue
        _hand_over(conn, rec, old, unit_doc[i])
        before = _snapshot(conn, old)
        conn.execute("DELETE FROM documents WHERE id = ?", (old,))
        _record(rec, ("document", old), "documents", old, before, None)
        changed.add(old)
    return changed


def _snapshot(conn: sqlite3.Connection, doc_id: int) -> dict[str, Any] | None:
    cur = conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,))
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row, strict=True))


def _record(rec: Any, target: Any, entity: str, entity_id: int, before: Any, after: Any) -> None:
    if rec is not None:
        rec.record(target, entity, entity_id, before, after)


def _hand_over(conn: sqlite3.Connection, rec: Any, old: int, new: int) -> None:
    """Exhibits, tags, notes and challenges of a record that goes, to the one that holds it."""
    for eid, in conn.execute("SELECT id FROM exhibits WHERE document_id = ?", (old,)).fetchall():
        conn.execute("UPDATE exhibits SET document_id = ? WHERE id = ?", (new, eid))
        _record(rec, ("document", new), "exhibits", eid, {"document_id": old},
                {"document_id": new})
    for table in ("challenges", "notes", "tag_links"):
        rows = conn.execute(f"SELECT * FROM {table} WHERE target_kind = 'document' "
                            "AND target_id = ?", (old,))
        names = [d[0] for d in rows.description]
        for values in rows.fetchall():
            row = dict(zip(names, values, strict=True))
            clash = table == "tag_links" and conn.execute(
                "SELECT 1 FROM tag_links WHERE tag_id = ? AND target_kind = 'document' "
                "AND target_id = ?", (row["tag_id"], new)).fetchone()
            if clash:
                conn.execute("DELETE FROM tag_links WHERE id = ?", (row["id"],))
                _record(rec, ("document", new), table, row["id"], row, None)
            else:
                conn.execute(f"UPDATE {table} SET target_id = ? WHERE id = ?", (new, row["id"]))
                _record(rec, ("document", new), table, row["id"], {"target_id": old},
                        {"target_id": new})
