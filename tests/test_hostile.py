"""Hostile PDFs (qpdf's malformed and encrypted fixtures): each is ingested or rejected by name
with a plain reason, in one run, and nothing half-written stays behind."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.ingest.pipeline import ingest
from app.matter.store import Matter

DATA = Path(__file__).parent / "data" / "hostile"

EXPECTED = {
    "append-xref-loop.pdf": "no pages",
    "bad1.pdf": "not a PDF",
    "bad-xref.pdf": 1,
    "broken-lzw.pdf": 1,
    "damaged-stream.pdf": 1,
    "deep-pages.pdf": "damaged at page 1",
    "enc-R2,V1,U=view,O=master.pdf": "encrypted",
    "enc-XI-R6,V5,U=view,O=master.pdf": "encrypted",
    "encrypted-with-images.pdf": 2,  # empty user password: opens without asking
    "issue-141a.pdf": "not a PDF",
    "issue-1688a.pdf": "damaged at page 1",
    "leading-junk.pdf": 30,
    "object-stream-self-ref.pdf": "no pages",
    "outlines-with-loop.pdf": 30,
    "pages-loop.pdf": 1,
    "rotated.pdf": 20,
}


def test_every_hostile_file_ingested_or_named_with_a_reason(matter: Matter,
                                                             tmp_path: Path) -> None:
    folder = tmp_path / "hostile"
    shutil.copytree(DATA, folder)
    report = ingest(matter, [folder])
    got: dict[str, object] = {}
    for o in report.outcomes:
        name = Path(o.path).name
        if o.status == "ingested":
            got[name] = o.pages
        elif o.status == "failed":
            got[name] = next((v for v in EXPECTED.values()
                              if isinstance(v, str) and v in o.reason), o.reason)
    assert got == EXPECTED
    pages = sum(v for v in EXPECTED.values() if isinstance(v, int))
    assert matter.scalar("SELECT count(*) FROM pages") == pages
    assert matter.scalar("SELECT count(*) FROM source_files") == sum(
        isinstance(v, int) for v in EXPECTED.values())
    assert matter.scalar("PRAGMA integrity_check") == "ok"
    # no orphan rows from the failed files
    assert matter.scalar("SELECT count(*) FROM documents WHERE id NOT IN "
                         "(SELECT document_id FROM pages)") == 0


def test_passwords_open_every_encryption_revision(matter: Matter, tmp_path: Path) -> None:
    with Matter.open(tmp_path / "other.vaughn", create=True) as other:
        wrong = ingest(other, [DATA / "enc-R2,V1,U=view,O=master.pdf"], password="nope")
        assert "the password given is wrong" in wrong.by_status("failed")[0].reason
    for name in ("enc-R2,V1,U=view,O=master.pdf", "enc-XI-R6,V5,U=view,O=master.pdf"):
        report = ingest(matter, [DATA / name], password="view")
        assert report.ok and report.pages_added == 30, report.outcomes
    again = ingest(matter, [DATA / "enc-R2,V1,U=view,O=master.pdf"], password="nope")
    assert again.by_status("skipped")  # already in the matter by hash: no password needed


def test_passwords_are_saslprepped(matter: Matter, tmp_path: Path) -> None:
    """PDF 2.0 passwords go through SASLprep: "S\\u00aaSL\\u00adprep" opens a file saved with
    "SaSLprep" (feminine ordinal -> "a" by NFKC, soft hyphen mapped to nothing)."""
    import pymupdf

    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "protected page")
    doc.save(tmp_path / "r6.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256,
             user_pw="SaSLprep", owner_pw="owner-pw")
    report = ingest(matter, [tmp_path / "r6.pdf"], password="S\u00aaSL\u00adprep")
    assert report.ok and report.pages_added == 1, report.outcomes


def test_mupdf_complaints_never_spoil_json_output(tmp_path: Path) -> None:
    """MuPDF prints "format error: cycle in page tree" on its own; --json must stay JSON."""
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    files = [str(root / "tests" / "data" / "hostile" / n)
             for n in ("pages-loop.pdf", "broken-lzw.pdf", "deep-pages.pdf",
                       "object-stream-self-ref.pdf", "append-xref-loop.pdf")]
    out = subprocess.run([sys.executable, str(root / "main.py"), "ingest",
                          str(tmp_path / "m.vaughn"), *files, "--json"],
                         cwd=root, capture_output=True, text=True, timeout=300)
    assert out.returncode in (0, 2), out.stderr
    summary = json.loads(out.stdout)
    assert {Path(o["path"]).name for o in summary["outcomes"]} == {Path(f).name for f in files}
