"""Ingest: every page of every layout lands with the answer key's Bates number, once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pymupdf

from app.ingest.pipeline import ingest
from app.matter.listing import find_bates, pages
from app.matter.store import Matter
from tests.conftest import truth_pages


def _bates_by_location(matter: Matter, base: Path) -> dict[tuple[str, int], str | None]:
    out = {}
    for p in pages(matter):
        rel = Path(p["file"]).resolve().relative_to(base.resolve()).as_posix()
        out[(rel, p["page_index"])] = p["bates"]
    return out


def test_pdf_layout_every_page_with_its_bates(matter: Matter, pdf_production) -> None:
    folder, truth = pdf_production
    report = ingest(matter, [folder])
    assert report.ok
    assert [o.path for o in report.by_status("skipped")] == [str(folder / "truth.json")]
    got = _bates_by_location(matter, folder)
    expected = {(p["file"], p["page_index"]): p["bates"] for p in truth_pages(truth)}
    assert got == expected


def test_folder_layout_with_two_tranches(matter: Matter, folder_production) -> None:
    folder, truth = folder_production
    for n in (1, 2):
        report = ingest(matter, [folder / f"tranche_{n:02d}"], production=f"Tranche {n}")
        assert report.ok
    got = _bates_by_location(matter, folder)
    expected = {}
    for doc in truth["documents"]:
        for p in doc["pages"]:
            expected[(f"tranche_{doc['tranche']:02d}/{p['file']}", p["page_index"])] = p["bates"]
    assert got == expected
    prods = matter.query("SELECT name, tranche FROM productions ORDER BY tranche")
    assert [(r["name"], r["tranche"]) for r in prods] == [("Tranche 1", 1), ("Tranche 2", 2)]
    # one document per PDF, with its Bates range
    docs = matter.query("SELECT begbates, endbates FROM documents ORDER BY id")
    assert [(d["begbates"], d["endbates"]) for d in docs] == [
        (d["begbates"], d["endbates"]) for d in truth["documents"]]


def test_loadfile_volume(matter: Matter, loadfile_production) -> None:
    folder, truth = loadfile_production
    report = ingest(matter, [folder])
    assert report.ok, report.by_status("failed")
    got = _bates_by_location(matter, folder / "VOL001")
    expected = {(p["file"], 0): p["bates"] for p in truth_pages(truth)}
    assert got == expected
    docs = matter.query("SELECT begbates, endbates, title, doc_type, page_count FROM documents "
                        "ORDER BY id")
    assert [(d["begbates"], d["endbates"], d["title"]) for d in docs] == [
        (d["begbates"], d["endbates"], d["title"]) for d in truth["documents"]]
    # text comes from the volume's TEXT files, page by page
    first = truth_pages(truth)[0]
    text = matter.scalar("SELECT t.text FROM page_text t JOIN pages p ON p.id = t.page_id "
                         "WHERE p.bates = ?", (first["bates"],))
    assert text.split() == first["visible_text"].split()
    assert matter.scalar("SELECT count(*) FROM pages WHERE text_source = 'loadfile'") == len(
        truth_pages(truth))


def test_reingest_is_a_noop_by_hash(matter: Matter, pdf_production) -> None:
    folder, _ = pdf_production
    ingest(matter, [folder])
    before = matter.scalar("SELECT count(*) FROM pages")
    again = ingest(matter, [folder])
    assert again.pages_added == 0
    assert any("already in the matter" in o.reason for o in again.by_status("skipped"))
    assert matter.scalar("SELECT count(*) FROM pages") == before


def test_interrupted_volume_resumes_without_duplicates(matter: Matter, loadfile_production,
                                                      tmp_path: Path) -> None:
    folder, truth = loadfile_production
    vol = tmp_path / "VOL001"
    shutil.copytree(folder / "VOL001", vol)
    missing = next((vol / "IMAGES" / "IMG0001").glob("*.tif"))
    hidden = missing.rename(missing.with_suffix(".moved"))
    first = ingest(matter, [vol])
    assert not first.ok
    assert "image missing from the volume" in first.by_status("failed")[0].reason
    partial = matter.scalar("SELECT count(*) FROM pages")
    assert 0 < partial < len(truth_pages(truth))
    hidden.rename(missing)
    second = ingest(matter, [vol])
    assert second.ok
    assert matter.scalar("SELECT count(*) FROM pages") == len(truth_pages(truth))
    assert matter.scalar("SELECT count(DISTINCT bates) FROM pages") == len(truth_pages(truth))


def _good_pdf(path: Path, text: str = "Good page", pages: int = 2) -> Path:
    doc = pymupdf.open()
    for i in range(pages):
        page = doc.new_page()
        page.insert_text((72, 100), f"{text} {i}")
        page.insert_text((400, 770), f"GOOD-{i + 1:06d}")
    doc.save(path)
    return path


def test_bad_files_are_named_with_reasons_and_the_rest_goes_in(matter: Matter,
                                                                tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    _good_pdf(folder / "good.pdf")
    (folder / "empty.pdf").write_bytes(b"")
    whole = _good_pdf(tmp_path / "whole.pdf", pages=6).read_bytes()
    (folder / "truncated.pdf").write_bytes(whole[: len(whole) // 2])
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret")
    doc.save(folder / "encrypted.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256,
             user_pw="userpw", owner_pw="ownerpw")
    (folder / "webpage.pdf").write_text("<!DOCTYPE html><html><body>Not found</body></html>")
    (folder / "index.json").write_text("{}")
    report = ingest(matter, [folder])
    reasons = {Path(o.path).name: o.reason for o in report.by_status("failed")}
    assert set(reasons) == {"empty.pdf", "truncated.pdf", "encrypted.pdf", "webpage.pdf"}
    assert "empty" in reasons["empty.pdf"]
    assert "truncated" in reasons["truncated.pdf"] or "damaged" in reasons["truncated.pdf"]
    assert "encrypted" in reasons["encrypted.pdf"]
    assert "HTML" in reasons["webpage.pdf"]
    assert [Path(o.path).name for o in report.by_status("skipped")] == ["index.json"]
    assert [Path(o.path).name for o in report.by_status("ingested")] == ["good.pdf"]
    assert matter.scalar("SELECT count(*) FROM pages") == 2
    assert matter.scalar("SELECT count(*) FROM source_files") == 1
    # the password opens it
    again = ingest(matter, [folder / "encrypted.pdf"], password="userpw")
    assert again.ok and again.pages_added == 1


def test_no_bates_gives_null_never_a_made_up_number(matter: Matter, tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "A memo about file 1234567 with no stamp at all")
    page.insert_text((72, 770), "Page 1 of 1")
    doc.save(tmp_path / "plain.pdf")
    ingest(matter, [tmp_path / "plain.pdf"])
    assert [p["bates"] for p in pages(matter)] == [None]


def test_bates_in_rotated_pages_and_spaced_prefixes(matter: Matter, tmp_path: Path) -> None:
    doc = pymupdf.open()
    for i in range(3):
        page = doc.new_page(width=612, height=792)
        page.insert_text((72, 100), f"Landscape table {i}")
        if i == 1:  # stamp written along the visual bottom of a page shown rotated
            page.set_rotation(90)
            page.insert_text((30, 600), f"DHS 2022-ICLI-00012 {i + 1:06d}", rotate=90)
        else:
            page.insert_text((330, 770), f"DHS 2022-ICLI-00012 {i + 1:06d}")
    doc.save(tmp_path / "rot.pdf")
    ingest(matter, [tmp_path / "rot.pdf"])
    got = [p["bates"] for p in pages(matter)]
    assert got == [f"DHS 2022-ICLI-00012 {i:06d}" for i in (1, 2, 3)]
    assert [p["bates"] for p in find_bates(matter, "dhs 2022-icli-00012 000002")] == [got[1]]
    ranged = find_bates(matter, "DHS 2022-ICLI-00012 000002..DHS 2022-ICLI-00012 000003")
    assert [p["bates"] for p in ranged] == got[1:]


def test_scans_are_marked_for_ocr(matter: Matter, pdf_production) -> None:
    folder, truth = pdf_production
    ingest(matter, [folder])
    scanned = {p["bates"] for p in truth_pages(truth) if p["scanned"]}
    assert scanned, "the fixture should hold scans"
    marked = {p["bates"] for p in pages(matter) if p["needs_ocr"]}
    assert marked == scanned
    assert {p["bates"] for p in pages(matter) if not p["text_layer"]} == scanned


def test_hidden_text_under_bad_redactions_is_not_indexed(matter: Matter, pdf_production) -> None:
    folder, truth = pdf_production
    ingest(matter, [folder])
    bad = [(p["bates"], r["withheld_text"]) for p in truth_pages(truth)
           for r in p["redactions"] if r["bad"]]
    assert bad, "the fixture should hold bad redactions"
    for bates, hidden in bad:
        text = matter.scalar("SELECT t.text FROM page_text t JOIN pages p ON p.id = t.page_id "
                             "WHERE p.bates = ?", (bates,))
        assert hidden not in text


def test_zip_production_is_unpacked_and_ingested(matter: Matter, tmp_path: Path) -> None:
    import zipfile

    pdf = _good_pdf(tmp_path / "doc.pdf", pages=3)
    archive = tmp_path / "tranche3.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(pdf, "PROD003/doc.pdf")
        zf.writestr("PROD003/readme.txt", "cover letter")
    report = ingest(matter, [archive])
    assert report.ok and report.pages_added == 3
    assert matter.scalar("SELECT name FROM productions") == "tranche3"
    # pages point at the unpacked copy, which stays for rendering
    assert all(Path(p["file"]).exists() for p in pages(matter))
    assert ingest(matter, [archive]).pages_added == 0  # same archive again: nothing new


def test_zip_slip_and_zip_bombs_are_refused(matter: Matter, tmp_path: Path,
                                            private_data_dir: Path) -> None:
    import zipfile

    slip = tmp_path / "slip.zip"
    with zipfile.ZipFile(slip, "w") as zf:
        zf.writestr("ok.txt", "x")
        zf.writestr("../../escaped.pdf", "%PDF-1.4 evil")
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.pdf", b"\0" * (64 << 20))  # 64 MiB of zeros: ~1000x
    report = ingest(matter, [slip, bomb])
    reasons = {Path(o.path).name: o.reason for o in report.by_status("failed")}
    assert "zip-slip" in reasons["slip.zip"]
    assert "zip bomb" in reasons["bomb.zip"]
    assert not list(private_data_dir.rglob("escaped.pdf"))
    assert not list(private_data_dir.glob("unpacked/*"))  # nothing half-unpacked stays
    assert matter.scalar("SELECT count(*) FROM pages") == 0


def test_slip_sheets_in_a_tiff_volume_are_read_from_its_text(matter: Matter,
                                                            loadfile_production) -> None:
    folder, truth = loadfile_production
    ingest(matter, [folder])
    want = {p["bates"]: p["redactions"][0]["exemptions"] for p in truth_pages(truth)
            if p["withheld_in_full"]}
    assert want, "the fixture should hold slip sheets"
    got = {r["bates"]: r["exemptions"] for r in matter.query(
        "SELECT p.bates, r.exemptions FROM redactions r JOIN pages p ON p.id = r.page_id "
        "WHERE r.withheld_in_full = 1")}
    assert {b: json.loads(e) for b, e in got.items()} == want
