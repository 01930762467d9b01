"""Ingest productions into a matter: one transaction per source file, resumable, by hash.

``ingest()`` takes what the user pointed at (files, folders, volumes), reads each source with
PyMuPDF (and the load-file parsers), chooses Bates numbers, runs the redaction analysis, and
writes pages, text, documents and redactions in one transaction per file (per document for
load-file volumes). A file already in the matter (same sha256) is skipped and said so; a bad
file is reported by name with its reason and the rest goes on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from app.bates import Bates, BatesLearner, parse
from app.documents.filemarks import bookmarks, label_restarts
from app.errors import IngestError, LoadFileError, VaughnError
from app.ingest.archives import prune, unpack
from app.ingest.pagejobs import read_pages_budgeted
from app.ingest.pdf import PageRecord, open_document, read_pages
from app.ingest.sources import Source, discover
from app.matter.digest import sha256_of
from app.matter.stops import record_stop, stopped_pages
from app.matter.store import Matter, now_iso
from app.matter.words import store_page_text
from app.pagework import budget_for
from app.progress import CancelToken, ProgressFn, no_progress


@dataclass
class Outcome:
    """What happened to one source."""

    path: str
    status: str  # "ingested" | "skipped" | "failed"
    reason: str = ""
    pages: int = 0
    production: str = ""


@dataclass
class IngestReport:
    """The summary of one ingest run; ``changed_pages`` lists the new page ids."""

    outcomes: list[Outcome] = field(default_factory=list)
    changed_pages: list[int] = field(default_factory=list)
    productions: list[int] = field(default_factory=list)
    stopped: list[dict[str, Any]] = field(default_factory=list)  # pages over their budget

    def by_status(self, status: str) -> list[Outcome]:
        """Outcomes with the given status."""
        return [o for o in self.outcomes if o.status == status]

    @property
    def pages_added(self) -> int:
        """How many pages this run added to the matter."""
        return len(self.changed_pages)

    @property
    def ok(self) -> bool:
        """True when no source failed."""
        return not self.by_status("failed")


def ingest(
    matter: Matter,
    targets: Sequence[str | Path],
    *,
    production: str | None = None,
    password: str | None = None,
    received: str | None = None,
    analyze: bool = True,
    budget: float | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> IngestReport:
    """Ingest every production file under ``targets`` into ``matter``.

    With ``production`` all targets go into that production (created if needed); otherwise each
    target becomes (or continues) a production named after it. ``analyze=False`` exists only
    for the benchmark that measures ingest against bare extraction: without the redaction
    analysis, text under a bad box would be indexed, so no user-facing path turns it off.
    ``received`` is the date the
    agency's production arrived (ISO date). ``budget`` is the seconds each page's analysis
    may take (default: the matter's setting, see :mod:`app.pagework`); a page over it goes in
    without text, marked for a human look. Raises Cancelled when ``cancel`` is set; files
    committed before then stay.
    """
    report = IngestReport()
    check = cancel.check if cancel else (lambda: None)
    reader = PageReader(analyze, budget if budget else budget_for(matter, "analysis"), cancel)
    plan, unpacked_folders = _plan(targets, production, report)
    total = len(plan)
    for done, (name, target, src) in enumerate(plan):
        check()
        progress(done, total, src.path.name)
        writer = _Writer(matter, name, target, received)
        try:
            if src.kind == "volume":
                outcomes = _ingest_volume(writer, src, reader, check, report)
            else:
                outcomes = [_ingest_file(writer, src, password, reader, report)]
        except (VaughnError, KeyboardInterrupt):
            raise  # cancel, disk full, matter errors: stop the run, keep what was committed
        except Exception as exc:  # a file that breaks a library in an unforeseen way
            reason = f"could not be read ({type(exc).__name__}: {str(exc)[:120]})"
            outcomes = [Outcome(str(src.path), "failed", reason)]
        report.outcomes.extend(outcomes)
        if writer.production_id and writer.production_id not in report.productions:
            report.productions.append(writer.production_id)
    progress(total, total, "")
    for folder in unpacked_folders:  # what did not go in leaves no unpacked copy behind
        prune(folder, _held_under(matter, folder))
    if report.changed_pages:
        added = set(report.changed_pages)
        report.stopped = [s for s in stopped_pages(matter) if s["page_id"] in added]
    return report


def _plan(targets: Sequence[str | Path], production: str | None,
          report: IngestReport) -> tuple[list[tuple[str, Path, Source]], list[Path]]:
    """What to ingest: (production name, target, source) for every production file under
    ``targets``, zips unpacked into their files; and the folders they were unpacked to. What is
    skipped or cannot be read goes in ``report`` at once."""
    plan: list[tuple[str, Path, Source]] = []
    unpacked_folders: list[Path] = []
    for target in targets:
        target = Path(target).expanduser().resolve()
        name = production or _production_name(target)
        found = discover(target)
        for path, reason in found.skipped:
            report.outcomes.append(Outcome(str(path), "skipped", reason))
        for path, reason in found.failed:
            report.outcomes.append(Outcome(str(path), "failed", reason))
        for src in found.sources:
            if src.kind != "zip":
                plan.append((name, target, src))
                continue
            try:  # unpack now; its files join the plan under the same production
                unpacked = unpack(src.path, sha256_of(src.path))
            except IngestError as exc:
                report.outcomes.append(Outcome(str(src.path), "failed", exc.reason))
                continue
            unpacked_folders.append(unpacked.folder)
            if unpacked.skipped:
                report.outcomes.append(Outcome(
                    str(src.path), "skipped", f"{unpacked.skipped} file(s) in the zip are not "
                    "production files (left packed)"))
            report.outcomes.extend(Outcome(f"{src.path} » {member}", "failed", reason)
                                   for member, reason in unpacked.failed)
            inner = discover(unpacked.folder)
            zip_name = production or (name if target.is_file() else src.path.stem)
            report.outcomes.extend(Outcome(str(p), "skipped", r) for p, r in inner.skipped)
            report.outcomes.extend(Outcome(str(p), "failed", r) for p, r in inner.failed)
            plan.extend((zip_name, src.path, s) for s in inner.sources if s.kind != "zip")
    return plan, unpacked_folders


@dataclass
class PageReader:
    """How ingest reads a file's pages: in child processes under ``budget`` (see
    :mod:`app.ingest.pagejobs`), or, with ``analyze`` off (the benchmark's bare ingest), here."""

    analyze: bool
    budget: float
    cancel: CancelToken | None = None

    def pages(self, doc: Any, path: Path, kind: str,
              password: str | None = None) -> list[PageRecord]:
        """Every page of the open ``doc`` (the file at ``path``); IngestError if one is broken."""
        if not self.analyze:
            check = self.cancel.check if self.cancel else (lambda: None)
            return list(read_pages(doc, path, None, check))
        return list(read_pages_budgeted(path, kind, range(doc.page_count), budget=self.budget,
                                        password=password, cancel=self.cancel))


def _held_under(matter: Matter, folder: Path) -> set[Path]:
    """Source files of the matter inside ``folder`` (an unpacked archive)."""
    prefix = str(folder.resolve()).rstrip("/") + "/"
    return {Path(r["path"]) for r in matter.query(
        "SELECT path FROM source_files WHERE substr(path, 1, ?) = ?", (len(prefix), prefix))}


def _production_name(target: Path) -> str:
    return target.stem if target.is_file() else target.name


class _Writer:
    """Writes rows for one production, creating it lazily inside the first transaction."""

    def __init__(self, matter: Matter, name: str, target: Path, received: str | None) -> None:
        self.matter = matter
        self.name = name
        self.target = target
        self.received = received
        row = matter.query("SELECT id FROM productions WHERE name = ?", (name,))
        self.production_id: int | None = row[0]["id"] if row else None

    def ensure_production(self, conn: Any) -> int:
        if self.production_id is None:
            tranche = (self.matter.scalar("SELECT MAX(tranche) FROM productions") or 0) + 1
            cur = conn.execute(
                "INSERT INTO productions(name, tranche, source_path, received_date, loaded_at) "
                "VALUES (?,?,?,?,?)",
                (self.name, tranche, str(self.target), self.received, now_iso()),
            )
            self.production_id = cur.lastrowid
        return self.production_id

    def learner(self) -> BatesLearner:
        known: Iterable[str] = ()
        if self.production_id is not None:
            known = [
                r[0]
                for r in self.matter.conn.execute(
                    "SELECT DISTINCT bates_prefix FROM pages WHERE production_id = ? "
                    "AND bates_prefix IS NOT NULL",
                    (self.production_id,),
                )
            ]
        return BatesLearner(known)

    def add_source_file(self, conn: Any, path: Path, kind: str, sha: str, pages: int) -> int:
        cur = conn.execute(
            "INSERT INTO source_files(production_id, path, kind, sha256, size, page_count, "
            "ingested_at) VALUES (?,?,?,?,?,?,?)",
            (self.ensure_production(conn), str(path), kind, sha, path.stat().st_size, pages,
             now_iso()),
        )
        return int(cur.lastrowid)

    def add_document(self, conn: Any, source_file_id: int | None, pages: list[Bates | None],
                     meta: dict[str, Any] | None = None, title: str | None = None,
                     doc_type: str | None = None, *, record: Any = None,
                     boundary: Any = None) -> int:
        """Insert one record; ``record`` (RecordMeta) and ``boundary`` come from detection."""
        numbers = [b.text for b in pages if b is not None]
        meta = meta or {}
        doc_date = _first(meta, "DATESENT", "DATE", "DOCDATE", "DATECREATED")
        author, recipients = _first(meta, "FROM", "AUTHOR", "CUSTODIAN"), _first(meta, "TO")
        if record is not None:
            title = record.title or title
            doc_type, doc_date = record.doc_type, record.doc_date
            author, recipients = record.author, record.recipients
        source = boundary.source if boundary is not None else "loadfile"
        reasons = boundary.reasons if boundary is not None else ["the load file's document"]
        cur = conn.execute(
            "INSERT INTO documents(production_id, source_file_id, begbates, endbates, title, "
            "doc_type, doc_date, author, recipients, page_count, metadata, boundary_source, "
            "boundary) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                self.ensure_production(conn), source_file_id,
                numbers[0] if numbers else None, numbers[-1] if numbers else None,
                title, doc_type, doc_date, author, recipients,
                len(pages), json.dumps(meta), source, json.dumps(reasons),
            ),
        )
        return int(cur.lastrowid)

    def add_page(self, conn: Any, document_id: int, source_file_id: int, sha: str,
                 rec: PageRecord, bates: Bates | None, text_source: str) -> int:
        cur = conn.execute(
            "INSERT INTO pages(production_id, document_id, source_file_id, source_sha256, "
            "page_index, bates, bates_prefix, bates_number, bates_key, width, height, rotation, "
            "text_layer, text_source, needs_ocr, withheld_in_full, redaction_count, "
            "redacted_share, analyzed, body_bottom) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                self.ensure_production(conn), document_id, source_file_id, sha, rec.page_index,
                bates.text if bates else None, bates.prefix_key if bates else None,
                bates.number if bates else None, bates.key if bates else None,
                rec.width, rec.height, rec.rotation, int(rec.text_layer), text_source,
                int(rec.needs_ocr), int(rec.withheld_in_full), len(rec.redactions),
                rec.redacted_share, int(rec.analyzed), rec.body_bottom,
            ),
        )
        page_id = int(cur.lastrowid)
        store_page_text(conn, page_id, rec.text, new=True)
        if rec.stopped:
            record_stop(conn, page_id, "analysis", rec.stopped)
        if rec.redactions:
            write_redactions(conn, page_id, rec.redactions)
        return page_id


def write_redactions(conn: Any, page_id: int, redactions: Iterable[Any]) -> None:
    """Insert the analyser's redaction records for one page."""
    conn.executemany(
        "INSERT INTO redactions(page_id, x0, y0, x1, y1, source, label, exemptions, statute, "
        "bad, hidden_chars, withheld_in_full, label_place) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (page_id, *(round(v, 2) for v in r.bbox), r.source, r.label,
             json.dumps(list(r.exemptions)), r.statute, int(r.bad), r.hidden_chars,
             int(r.withheld_in_full), getattr(r, "label_place", ""))
            for r in redactions
        ],
    )


def _first(meta: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = meta.get(key)
        if value:
            return str(value)
    return None


def _already(matter: Matter, sha: str, kinds: tuple[str, ...]) -> str | None:
    marks = ",".join("?" * len(kinds))
    return cast("str | None", matter.scalar(
        f"SELECT path FROM source_files WHERE sha256 = ? AND kind IN ({marks}) LIMIT 1",
        (sha, *kinds),
    ))


def _ingest_file(writer: _Writer, src: Source, password: str | None, reader: PageReader,
                 report: IngestReport) -> Outcome:
    path = src.path
    try:
        if path.stat().st_size == 0:
            raise IngestError(str(path), "empty file (0 bytes)")
        sha = sha256_of(path)
        earlier = _already(writer.matter, sha, ("pdf", "image"))
        if earlier:
            return Outcome(str(path), "skipped", f"already in the matter (same file as {earlier})")
        doc = open_document(path, src.kind, password)
        try:
            records = reader.pages(doc, path, src.kind, password)
            marks = bookmarks(doc) if src.kind == "pdf" else {}
            restarts = label_restarts(doc) if src.kind == "pdf" else set()
        finally:
            doc.close()
    except IngestError as exc:
        return Outcome(str(path), "failed", exc.reason)
    learner = writer.learner()
    learner.observe([r.candidates for r in records])
    bates = [learner.choose(r.candidates) for r in records]
    if src.kind == "image" and len(records) == 1 and bates[0] is None:
        bates[0] = _bates_from_name(path)
    found, described = _records_of(path, src.kind, records, bates, marks, restarts)
    with writer.matter.write() as conn:
        file_id = writer.add_source_file(conn, path, src.kind, sha, len(records))
        for n, boundary in enumerate(found):
            start = boundary.start
            end = found[n + 1].start if n + 1 < len(found) else len(records)
            doc_id = writer.add_document(conn, file_id, bates[start:end],
                                         title=path.stem if len(found) == 1 else None,
                                         record=described[n],
                                         boundary=boundary)
            for rec, number in zip(records[start:end], bates[start:end], strict=True):
                text_source = "pdf" if rec.text else "none"
                report.changed_pages.append(
                    writer.add_page(conn, doc_id, file_id, sha, rec, number, text_source)
                )
    return Outcome(str(path), "ingested", pages=len(records), production=writer.name)


def _records_of(path: Path, kind: str, records: list[PageRecord], bates: list[Bates | None],
                marks: dict[int, str], restarts: set[int]) -> tuple[list[Any], list[Any]]:
    """The records inside one file (app/documents) and the metadata of each."""
    from app.documents.boundaries import detect
    from app.documents.signals import PageInfo, read_page
    from app.documents.units import metas

    infos = [PageInfo(r.text, r.width, r.height, r.text_layer, r.withheld_in_full,
                      r.body_bottom, b.text if b else None, marks.get(i), i in restarts)
             for i, (r, b) in enumerate(zip(records, bates, strict=True))]
    whole = kind != "pdf" or named_by_first_bates(path, bates)
    sigs = None if whole else [read_page(i) for i in infos]
    found = detect(infos, whole_file=whole, signals=sigs)
    described = metas(infos, found, sigs)
    for boundary, meta in zip(found, described, strict=True):
        if boundary.source == "bookmarks":
            meta.title = marks.get(boundary.start) or meta.title
    if found and found[0].source == "file" and kind != "pdf":
        found[0].reasons = ["one image file, one record"]
    return found, described


def named_by_first_bates(path: Path, bates: list[Bates | None]) -> bool:
    """A PDF named by its first page's Bates number is one record (one PDF per document)."""
    first = bates[0] if bates else None
    named = _bates_from_name(path)
    return first is not None and named is not None and named.key == first.key


def _bates_from_name(path: Path) -> Bates | None:
    from app.bates import candidates_in_line

    found = candidates_in_line(path.stem)
    return found[0].bates if found and found[0].whole_line else None


# -- load-file volumes ---------------------------------------------------------------------


def _ingest_volume(writer: _Writer, src: Source, reader: PageReader,
                   check: Callable[[], None], report: IngestReport) -> list[Outcome]:
    from app.ingest import loadfile

    assert src.root is not None
    opt_path = src.path
    try:
        opt_sha = sha256_of(opt_path)
        earlier = _already(writer.matter, opt_sha, ("loadfile",))
        if earlier:
            return [Outcome(str(opt_path), "skipped", f"already in the matter (as {earlier})")]
        records = loadfile.parse_opt(opt_path)
        dat = loadfile.parse_dat(src.dat) if src.dat else None
    except LoadFileError as exc:
        return [Outcome(str(exc.path), "failed", str(exc).split(": ", 1)[-1])]
    if not records:
        return [Outcome(str(opt_path), "failed", "the OPT file lists no page images")]
    rows_by_key = _dat_rows_by_key(dat)
    present = _present_begbates(writer)
    outcomes: list[Outcome] = []
    pages_done = 0
    for group in loadfile.group_documents(records):
        check()
        first = parse(group[0].image_key)
        if first is not None and writer.production_id is not None and first.key in present:
            continue  # committed by an earlier, interrupted run
        try:
            pages_done += _ingest_volume_document(writer, src, group, rows_by_key, reader, report)
        except IngestError as exc:
            outcomes.append(Outcome(exc.path, "failed", exc.reason))
    if not any(o.status == "failed" for o in outcomes):
        with writer.matter.write() as conn:
            writer.add_source_file(conn, opt_path, "loadfile", opt_sha, len(records))
    outcomes.insert(0, Outcome(str(opt_path), "ingested", pages=pages_done,
                               production=writer.name))
    return outcomes


def _dat_rows_by_key(dat: Any) -> dict[str, dict[str, str]]:
    if dat is None:
        return {}
    out: dict[str, dict[str, str]] = {}
    for row in dat.rows:
        key = row.get("BEGBATES") or row.get("BEGDOC") or row.get("CONTROL NUMBER")
        if key is None and dat.fields:
            key = row.get(dat.fields[0].upper().strip())
        if key:
            b = parse(key)
            out.setdefault(b.key if b else key, row)
    return out


def _present_begbates(writer: _Writer) -> set[str]:
    if writer.production_id is None:
        return set()
    return {
        r[0]
        for r in writer.matter.conn.execute(
            "SELECT p.bates_key FROM documents d JOIN pages p ON p.document_id = d.id "
            "WHERE d.production_id = ? AND p.bates = d.begbates",
            (writer.production_id,),
        )
        if r[0]
    }


def _ingest_volume_document(writer: _Writer, src: Source, group: list[Any],
                            rows_by_key: dict[str, dict[str, str]], reader: PageReader,
                            report: IngestReport) -> int:
    from app.ingest import loadfile

    assert src.root is not None
    first = parse(group[0].image_key)
    row = rows_by_key.get(first.key if first else group[0].image_key, {})
    texts = _document_texts(src.root, row, len(group))
    pages: list[tuple[Path, str, PageRecord, Bates | None, str]] = []
    for k, rec in enumerate(group):
        image = loadfile.resolve_volume_path(src.root, rec.path)
        if image is None:
            raise IngestError(str(src.path),
                              f"image missing from the volume: {rec.path} (line {rec.line})")
        try:
            doc = open_document(image, "image")
        except IngestError as exc:
            raise IngestError(str(image), exc.reason) from exc
        try:
            page_rec = reader.pages(doc, image, "image")[0]
        finally:
            doc.close()
        sidecar = image.with_suffix(".txt")
        text = texts[k] if texts is not None else (
            loadfile.read_text_file(sidecar) if sidecar.exists() else "")
        if text.strip():
            page_rec.text = text.strip()
            page_rec.needs_ocr = False
            if reader.analyze and not page_rec.stopped:
                _slip_sheet_from_text(page_rec)
        source = "loadfile" if text.strip() else "none"
        pages.append((image, sha256_of(image), page_rec, parse(rec.image_key), source))
    meta = {k: v for k, v in row.items() if k not in ("TEXTPATH", "NATIVEPATH")}
    with writer.matter.write() as conn:
        doc_id = writer.add_document(
            conn, None, [p[3] for p in pages], meta=meta,
            title=_first(row, "TITLE", "SUBJECT", "FILENAME", "DOCTITLE"),
            doc_type=_first(row, "DOCTYPE", "DOCUMENT TYPE", "FILETYPE"),
        )
        for image, sha, page_rec, bates, source in pages:
            file_id = writer.add_source_file(conn, image, "volume_image", sha, 1)
            report.changed_pages.append(
                writer.add_page(conn, doc_id, file_id, sha, page_rec, bates, source))
    return len(pages)


def _slip_sheet_from_text(rec: PageRecord) -> None:
    """A page image whose load-file text says it was withheld in full is a slip sheet.

    The stamp on a TIFF page is only pixels, but the volume's text file carries its words
    ("WITHHELD IN FULL PURSUANT TO (b)(5)"): one record for the whole page, with its codes.
    """
    from app.redactions import Redaction
    from app.redactions.stamps import slip_sheet_codes

    if rec.withheld_in_full or len(rec.text.split()) > 120:
        return
    is_slip, codes, statute = slip_sheet_codes(rec.text)
    if not is_slip:
        return
    label = next((ln.strip() for ln in rec.text.splitlines()
                  if slip_sheet_codes(ln)[0]), rec.text.strip())[:200]
    width, height = (rec.height, rec.width) if rec.rotation in (90, 270) else (
        rec.width, rec.height)
    rec.redactions = [Redaction((0.0, 0.0, width, height), "slip_sheet", label, tuple(codes),
                                statute, False, 0, True)]
    rec.withheld_in_full = True
    rec.redacted_share = 1.0


def _document_texts(root: Path, row: dict[str, str], pages: int) -> list[str] | None:
    """Per-page text from the DAT's TEXTPATH (pages split by form feeds), or None."""
    from app.ingest import loadfile

    written = _first(row, "TEXTPATH", "TEXT PATH", "EXTRACTED TEXT", "OCRPATH", "TEXTLINK")
    if not written:
        return None
    path = loadfile.resolve_volume_path(root, written)
    if path is None:
        return None
    text = loadfile.read_text_file(path)
    parts = text.split("\f")
    if len(parts) == pages:
        return parts
    return [text] + [""] * (pages - 1)
