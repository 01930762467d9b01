"""Finding a PDF's records again after OCR has given its scanned pages their text.

Before OCR a run of scanned pages shows no e-mail header or memo block, so two scanned records
in a row look like one. Once their text is in, the file's records are detected again from the
matter (one transaction per file), keeping the reviewer's splits and merges and every record
whose first page stays a first page. Files unitized by their bookmarks, or kept whole (one PDF
per document, load-file volumes), are left as they are.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from app.documents.units import PageRow, load_run, redetect
from app.matter.store import Matter


def redetect_files(matter: Matter, page_ids: Iterable[int]) -> int:
    """Detect again the records of the detected PDFs holding ``page_ids``; return how many
    records changed."""
    ids = sorted(set(page_ids))
    if not ids:
        return 0
    files: set[int] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        files.update(r[0] for r in matter.conn.execute(
            "SELECT DISTINCT p.source_file_id FROM pages p JOIN source_files f ON "
            f"f.id = p.source_file_id WHERE f.kind = 'pdf' AND p.id IN "
            f"({','.join('?' * len(chunk))})", chunk))
    changed = 0
    for file_id in sorted(files):
        with matter.write() as conn:
            sources = {r[0] for r in conn.execute(
                "SELECT DISTINCT d.boundary_source FROM documents d JOIN pages p ON "
                "p.document_id = d.id WHERE p.source_file_id = ?", (file_id,))}
            if not sources or not sources <= {"detected", "reviewer"}:
                continue
            run = load_run(conn, "p.source_file_id = ?", (file_id,))
            docs = {r.document_id for r in run}
            outside = conn.execute(
                f"SELECT count(*) FROM pages WHERE document_id IN ({','.join('?' * len(docs))}) "
                "AND source_file_id != ?", (*docs, file_id)).fetchone()[0]
            if outside:
                continue
            changed += len(redetect(conn, None, run, restarts=_label_restarts(conn, run)))
    return changed


def _label_restarts(conn: sqlite3.Connection, run: list[PageRow]) -> set[int]:
    """Where the file's page labels started again (kept in the reasons of its records)."""
    reasons = dict(conn.execute(
        "SELECT d.id, d.boundary FROM documents d WHERE d.id IN "
        f"({','.join('?' * len({r.document_id for r in run}))})",
        tuple({r.document_id for r in run})).fetchall())
    out: set[int] = set()
    seen: set[int] = set()
    for i, row in enumerate(run):
        if row.document_id in seen:
            continue
        seen.add(row.document_id)
        if "page labels start again" in (reasons.get(row.document_id) or ""):
            out.add(i)
    return out
