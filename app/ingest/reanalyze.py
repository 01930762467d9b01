"""Re-run the redaction analysis over a matter's pages (``vaughn analyze``).

Pages are re-read from their source files, one transaction per file. A redaction found again
(same place) keeps its id, so review work attached to it survives; new ones are added, and
ones no longer found are removed. Text taken from a PDF text layer is rebuilt so that text
under a bad redaction never stays in the index; text from load files or OCR is kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.bates import parse
from app.documents.filemarks import bookmarks, label_restarts
from app.documents.units import load_run, redetect
from app.errors import IngestError
from app.ingest.pagejobs import read_pages_budgeted
from app.ingest.pdf import Word, open_document
from app.ingest.pipeline import named_by_first_bates, write_redactions
from app.matter.stops import clear_stop, record_stop
from app.matter.store import Matter
from app.matter.words import store_page_text
from app.pagework import budget_for
from app.progress import CancelToken, ProgressFn, no_progress


@dataclass
class AnalyzeSummary:
    """What a re-analysis did."""

    pages: int = 0
    redactions: int = 0
    bad: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    stopped: list[tuple[str, str]] = field(default_factory=list)  # (Bates or file:page, note)
    documents: int = 0  # records whose boundaries or metadata changed

    def __str__(self) -> str:
        text = f"{self.pages} pages analysed: {self.redactions} redactions, {self.bad} bad"
        if self.stopped:
            text += f", {len(self.stopped)} stopped over the budget (need a human look)"
        if self.documents:
            text += f"; {self.documents} records changed"
        for path, reason in self.failed or []:
            text += f"\nFAILED {path}: {reason}"
        for where, note in self.stopped or []:
            text += f"\nSTOPPED {where}: {note}"
        return text


def reanalyze(matter: Matter, *, password: str | None = None, progress: ProgressFn = no_progress,
              cancel: CancelToken | None = None, page_ids: list[int] | None = None,
              budget: float | None = None) -> AnalyzeSummary:
    """Analyse every page (or those in ``page_ids``) again from its source file.

    Each page runs under ``budget`` seconds (default: the matter's analysis budget); a page over
    it keeps what it had and is marked for a human look; one that finishes loses its mark.
    """
    budget = budget or budget_for(matter, "analysis")
    summary = AnalyzeSummary(failed=[], stopped=[])
    has_ocr = "ocr_words" in matter.table_names()
    scope = ""
    params: tuple[int, ...] = ()
    if page_ids is not None:
        scope = f" AND id IN ({','.join('?' * len(page_ids))})"
        params = tuple(page_ids)
    files = matter.query("SELECT id, path, kind FROM source_files WHERE kind != 'loadfile' "
                         "AND id IN (SELECT source_file_id FROM pages WHERE 1=1" + scope + ") "
                         "ORDER BY id", params)
    for n, f in enumerate(files):
        if cancel:
            cancel.check()
        progress(n, len(files), Path(f["path"]).name)
        here = Path(matter.local_path(f["path"]))  # where this machine has the original
        pages = matter.query("SELECT id, page_index, text_source, bates FROM pages "
                             "WHERE source_file_id = ?" + scope + " ORDER BY page_index",
                             (f["id"], *params))
        if not pages:
            continue
        words = {p["page_index"]: _ocr_words(matter, p["id"]) for p in pages} if has_ocr else {}
        kind = "pdf" if f["kind"] == "pdf" else "image"
        try:
            read = read_pages_budgeted(here, kind, [p["page_index"] for p in pages],
                                       budget=budget, password=password, cancel=cancel,
                                       ocr_words={i: w for i, w in words.items() if w})
            records = dict(zip([p["id"] for p in pages], read, strict=True))
        except (IngestError, OSError) as exc:
            summary.failed.append((f["path"], getattr(exc, "reason", str(exc))[:200]))
            continue
        marks, restarts = (_file_marks(here, password) if f["kind"] == "pdf"
                           else ({}, set()))
        with matter.write() as conn:
            for p in pages:
                rec = records[p["id"]]
                if rec.stopped:
                    record_stop(conn, p["id"], "analysis", rec.stopped)
                    summary.stopped.append((p["bates"] or f"{f['path']}:{p['page_index'] + 1}",
                                            rec.stopped))
                    continue
                clear_stop(conn, p["id"], "analysis")
                replace_redactions(conn, p["id"], rec.redactions)
                conn.execute(
                    "UPDATE pages SET withheld_in_full = ?, redaction_count = ?, "
                    "redacted_share = ?, analyzed = 1, body_bottom = ? WHERE id = ?",
                    (int(rec.withheld_in_full), len(rec.redactions), rec.redacted_share,
                     rec.body_bottom, p["id"]),
                )
                if p["text_source"] == "pdf" or (p["text_source"] == "none" and rec.text):
                    store_page_text(conn, p["id"], rec.text, new=False)
                    if p["text_source"] == "none" and rec.text:
                        conn.execute("UPDATE pages SET text_source = 'pdf' WHERE id = ?",
                                     (p["id"],))
                summary.pages += 1
                summary.redactions += len(rec.redactions)
                summary.bad += sum(1 for r in rec.redactions if r.bad)
            if f["kind"] == "pdf":
                summary.documents += _redetect_file(conn, f, marks, restarts)
    progress(len(files), len(files), "")
    return summary


def _ocr_words(matter: Matter, page_id: int) -> tuple[Word, ...]:
    """The page's stored OCR words, so that stamps read by OCR are kept."""
    return tuple(tuple(r) for r in matter.conn.execute(
        "SELECT x0, y0, x1, y1, text, 0, line, n FROM ocr_words WHERE page_id = ? ORDER BY n",
        (page_id,)).fetchall())


def _file_marks(path: Path, password: str | None) -> tuple[dict[int, str], set[int]]:
    """A PDF's bookmarks and page-label restarts (signals of where its records start)."""
    try:
        doc = open_document(path, "pdf", password)
    except IngestError:
        return {}, set()
    try:
        return bookmarks(doc), label_restarts(doc)
    finally:
        doc.close()


def _redetect_file(conn: Any, f: Any, marks: dict[int, str], restarts: set[int]) -> int:
    """Find the records of one PDF again (the reviewer's splits and merges are kept)."""
    run = load_run(conn, "p.source_file_id = ?", (f["id"],))
    docs = {r.document_id for r in run}
    marks_ = ",".join("?" * len(docs))
    outside = conn.execute(f"SELECT count(*) FROM pages WHERE document_id IN ({marks_}) "
                           "AND source_file_id != ?", (*docs, f["id"])).fetchone()[0]
    if not run or outside:  # a record the reviewer merged across files: leave it as it is
        return 0
    first = parse(run[0].bates) if run[0].bates else None
    whole = named_by_first_bates(Path(f["path"]), [first])
    return len(redetect(conn, None, run, marks=marks, restarts=restarts, whole_file=whole))


def replace_redactions(conn: Any, page_id: int, found: list[Any]) -> None:
    """Make a page's redaction rows match ``found`` (a fresh analysis or OCR of the page): a box
    found again in the same place keeps its row, and so its claims; the others go or come."""
    old = conn.execute("SELECT id, x0, y0, x1, y1 FROM redactions WHERE page_id = ?",
                       (page_id,)).fetchall()
    unmatched = list(found)
    for rid, *box in old:
        match = next((r for r in unmatched if _same_place(box, r.bbox)), None)
        if match is None:
            conn.execute("DELETE FROM redactions WHERE id = ?", (rid,))
            continue
        unmatched.remove(match)
        conn.execute(
            "UPDATE redactions SET x0=?, y0=?, x1=?, y1=?, source=?, label=?, exemptions=?, "
            "statute=?, bad=?, hidden_chars=?, withheld_in_full=?, label_place=? WHERE id = ?",
            (*(round(v, 2) for v in match.bbox), match.source, match.label,
             json.dumps(list(match.exemptions)), match.statute, int(match.bad),
             match.hidden_chars, int(match.withheld_in_full),
             getattr(match, "label_place", ""), rid),
        )
    if unmatched:
        write_redactions(conn, page_id, unmatched)


def _same_place(a: list[float], b: tuple[float, ...]) -> bool:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return union > 0 and inter / union >= 0.8
