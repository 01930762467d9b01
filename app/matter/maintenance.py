"""Checks and repairs a reviewer can run on a matter: integrity, index, moved source files."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import MatterError
from app.matter.digest import sha256_of
from app.matter.stops import illegible_labels, stopped_pages
from app.matter.store import Matter

SERVER_KEPT = "kept by the PostgreSQL server"


@dataclass
class CheckReport:
    """What `vaughn check` found."""

    integrity: str = "ok"
    fts: str = "ok"
    files: int = 0
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    # pages whose analysis or OCR was stopped
    stopped: list[dict[str, Any]] = field(default_factory=list)
    # pages with stamp codes not legible
    illegible: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file, the index and every source file are as expected."""
        server = self.integrity == SERVER_KEPT
        return ((self.integrity == "ok" or server) and (self.fts == "ok" or server)
                and not self.missing and not self.changed)

    def lines(self) -> list[str]:
        """The report as lines of plain text."""
        out = [f"database integrity: {self.integrity}", f"full-text index: {self.fts}",
               f"source files: {self.files} checked, {len(self.missing)} missing, "
               f"{len(self.changed)} changed since ingest"]
        out += [f"  missing: {p}" for p in self.missing]
        out += [f"  changed: {p}" for p in self.changed]
        if self.missing:
            out.append("  (if the files moved: vaughn relink MATTER FOLDER)")
        out.append(f"pages stopped over their time budget: {len(self.stopped)}")
        for s in self.stopped:
            where = s["bates"] or f"{Path(s['file']).name} p.{s['page_index'] + 1}"
            out.append(f"  {where}: {s['note']}")
        if self.stopped:
            out.append("  (retry: vaughn analyze MATTER --page B, vaughn ocr MATTER --redo B)")
        out.append(f"pages with stamp codes not legible: {len(self.illegible)}")
        for s in self.illegible:
            where = s["bates"] or f"{Path(s['file']).name} p.{s['page_index'] + 1}"
            out.append(f"  {where}: {s['n']} box(es)")
        if self.illegible:
            out.append("  (look at the page and set the codes in the window's claims panel)")
        return out


def check(matter: Matter, *, hashes: bool = True) -> CheckReport:
    """Integrity of the SQLite file and the FTS5 index; presence and hash of every source.

    On a shared matter the server keeps its own storage whole (said so instead of "ok"); its
    search index is whole when every page has its search vector."""
    report = CheckReport()
    if matter.on_server:
        report.integrity = SERVER_KEPT
        missing = matter.scalar("SELECT count(*) FROM page_text WHERE tsv IS NULL")
        report.fts = "ok" if not missing else (
            f"{missing} page(s) without a search vector; rebuild with vaughn check --repair")
    else:
        report.integrity = "; ".join(r[0] for r in matter.conn.execute("PRAGMA integrity_check"))
        try:  # a write statement: run it in its own short transaction, never left open
            with matter.write() as conn:
                conn.execute(
                    "INSERT INTO page_text_fts(page_text_fts, rank) VALUES ('integrity-check', 1)")
        except (sqlite3.DatabaseError, MatterError) as exc:
            report.fts = f"damaged ({exc}); rebuild with vaughn check --repair"
    for row in matter.query("SELECT path, sha256 FROM source_files ORDER BY id"):
        report.files += 1
        path = Path(matter.local_path(row["path"]))
        if not path.exists():
            report.missing.append(row["path"])
        elif hashes and sha256_of(path) != row["sha256"]:
            report.changed.append(row["path"])
    report.stopped = stopped_pages(matter)
    report.illegible = illegible_labels(matter)
    return report


def rebuild_index(matter: Matter) -> None:
    """Rebuild the FTS5 index from the page text (one transaction); on a server, every
    page's search vector (a transaction per batch of pages)."""
    if matter.on_server:
        matter.reindex_text(every=True)  # type: ignore[attr-defined]
        return
    with matter.write() as conn:
        conn.execute("INSERT INTO page_text_fts(page_text_fts) VALUES ('rebuild')")


def relink(matter: Matter, folder: Path) -> tuple[int, list[str]]:
    """Point missing source files at copies under ``folder`` with the same sha256.

    Returns (files relinked, paths still missing). Only files of a matching size are hashed.
    """
    missing = [r for r in matter.query("SELECT id, path, sha256, size FROM source_files")
               if not Path(matter.local_path(r["path"])).exists()]
    if not missing:
        return 0, []
    wanted: dict[int, list[Any]] = defaultdict(list)
    for r in missing:
        wanted[r["size"]].append(r)
    found: dict[int, str] = {}
    for candidate in Path(folder).rglob("*"):
        if not candidate.is_file():
            continue
        rows = wanted.get(candidate.stat().st_size)
        if not rows:
            continue
        digest = sha256_of(candidate)
        for r in rows:
            if r["sha256"] == digest and r["id"] not in found:
                found[r["id"]] = str(candidate.resolve())
    by_id = {r["id"]: r["path"] for r in missing}
    # a file matter records the new paths; a shared one, this machine's (the server keeps
    # everyone else's)
    matter.remember_paths({by_id[i]: p for i, p in found.items()})
    return len(found), [r["path"] for r in missing if r["id"] not in found]
