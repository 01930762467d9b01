"""The agency's Vaughn index on a real ingested production: import in four formats (files made
here with openpyxl, python-docx and PyMuPDF), every finding kind against a planted answer key,
findings recomputed after review changes, a challenge from a finding, versions, the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pymupdf
import pytest

from app.errors import VaughnError
from app.matter.store import Matter
from app.review import ops
from app.vaughn_index import findings as fmod
from app.vaughn_index.imports import import_index, indexes
from app.vaughn_index.parse import read_index, read_table
from app.vaughn_index.ranges import parse_ranges
from app.vaughn_index.sample import HEADERS, make_index, write_index, write_pdf_table
from tests.conftest import ROOT

SEED = 5


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """16 records (a two-page slip sheet withheld in full first), ingested once."""
    from app import sample_production
    from app.ingest.pipeline import ingest

    out = tmp_path_factory.mktemp("vaughn-prod")
    sample_production.main([str(out / "prod"), "--docs", "16", "--seed", "7", "--layout", "pdf",
                            "--scanned-share", "0", "--bad-share", "0"])
    truth = json.loads((out / "prod" / "truth.json").read_text())
    with Matter.open(out / "template.vaughn", create=True) as m:
        ingest(m, [out / "prod"], production="Tranche 1")
    return out / "template.vaughn", truth


@pytest.fixture
def matter(production, tmp_path: Path):
    path = tmp_path / "case.vaughn"
    shutil.copy(production[0], path)
    m = Matter.open(path)
    yield m
    m.close()


def found_refs(m: Matter) -> set[tuple[str, str]]:
    out = set()
    for f in fmod.findings(m):
        ref = f["entry"]["item"] if f["entry"] else f["evidence"].get("first_bates")
        out.add((f["kind"], ref))
    return out


def test_ranges_in_one_cell() -> None:
    ranges, unread = parse_ranges("ICE-FOIA-000001 - ICE-FOIA-000003; ICE-FOIA-000007-000009\n"
                                  "Bates Nos. ICE-FOIA-000012 through 000014, ICE-FOIA-000020 "
                                  "and n/a")
    assert [(r.prefix[-7:], r.start, r.end) for r in ranges] == [
        ("ICEFOIA", 1, 3), ("ICEFOIA", 7, 9), ("ICEFOIA", 12, 14), ("ICEFOIA", 20, 20)]
    assert ranges[1].last == "ICE-FOIA-000009" and unread == ["n/a"]
    spaced, _ = parse_ranges("DHS 2022-ICLI-00012 000123 – DHS 2022-ICLI-00012 000125")
    assert [(r.start, r.end, r.prefix) for r in spaced] == [(123, 125, "DHS2022ICLI00012")]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".docx", ".pdf"])
def test_every_format_reads_the_same_entries(production, tmp_path: Path, suffix: str) -> None:
    rows, _ = make_index(production[1], SEED)
    entries = read_index(write_index(tmp_path / f"index{suffix}", rows))
    assert [e.cells["item"] for e in entries] == [r[0] for r in rows]
    for e, r in zip(entries, rows, strict=True):
        assert " ".join(e.cells["justification"].split()) == " ".join(r[6].split())
        # codes written "b5 b6 b7C", "(b)(6); (b)(7)(C)"... all read as canonical codes
        assert e.exemptions and all(c.startswith("(b)(") for c in e.exemptions)
    assert any("b7C" in r[5] for r in rows)


def test_pdf_entry_split_across_pages_and_docx_continued_table(production, tmp_path) -> None:
    rows, _ = make_index(production[1], SEED)
    pdf = write_pdf_table(tmp_path / "split.pdf", HEADERS, rows, rows_per_page=4,
                          split_last=True)
    assert len(pymupdf.open(pdf)) >= 4
    entries = read_index(pdf)
    assert len(entries) == len(rows)
    for e, r in zip(entries, rows, strict=True):
        assert " ".join(e.cells["justification"].split()) == " ".join(r[6].split())
    # Word: the table broken in two, the header repeated, one entry's text continued in a row
    # of its own, a multi-line cell with two Bates ranges.
    document = docx.Document()
    for part in (rows[:5], rows[5:]):
        table = document.add_table(rows=1, cols=len(HEADERS))
        for cell, text in zip(table.rows[0].cells, HEADERS, strict=True):
            cell.text = text
        for r in part:
            for cell, text in zip(table.add_row().cells, r, strict=True):
                cell.text = text
        document.add_paragraph("")
    cont = table.add_row().cells
    cont[6].text = "Continued: no segregable portion remains."
    two = document.tables[0].rows[1].cells
    two[1].text = "ICE-FOIA-000001\nICE-FOIA-000002"
    signature = document.add_table(rows=1, cols=2)  # not the index: left out, and counted
    signature.rows[0].cells[0].text = "Signed"
    signature.rows[0].cells[1].text = "FOIA Officer"
    path = tmp_path / "index.docx"
    document.save(str(path))
    assert read_table(path).skipped_tables == 1
    entries = read_index(path)
    assert len(entries) == len(rows)
    assert entries[-1].cells["justification"].endswith("no segregable portion remains.")
    assert [(r.start, r.end) for r in entries[0].ranges] == [(1, 1), (2, 2)]


def test_not_an_index_is_a_clear_error_and_nothing_is_imported(matter, tmp_path) -> None:
    document = docx.Document()
    document.add_paragraph("Declaration of the FOIA officer")
    document.save(str(tmp_path / "prose.docx"))
    text_pdf = pymupdf.open()
    text_pdf.new_page().insert_text((72, 72), "Declaration of the FOIA officer, no table")
    text_pdf.save(tmp_path / "prose.pdf")
    blank = pymupdf.open()
    blank.new_page()
    blank.save(tmp_path / "scan.pdf")
    (tmp_path / "cols.csv").write_text("Name,Colour\nA,blue\n")
    (tmp_path / "fake.pdf").write_text("<html>not a pdf</html>")
    (tmp_path / "index.txt").write_text("Bates,Exemptions\n")
    (tmp_path / "header.csv").write_text("Bates Range,Exemptions\n")
    expect = {"prose.docx": "no table", "prose.pdf": "no ruled table", "scan.pdf": "OCR",
              "cols.csv": "no column for bates or exemptions", "fake.pdf": "not a PDF",
              "index.txt": "CSV, XLSX, DOCX, PDF", "header.csv": "no entries"}
    for name, words in expect.items():
        with pytest.raises(VaughnError, match=words) as err:
            import_index(matter, tmp_path / name)
        assert name in str(err.value)
    for table in ("vaughn_indexes", "vaughn_entries", "vaughn_findings"):
        assert matter.scalar(f"SELECT count(*) FROM {table}") == 0


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".docx", ".pdf"])
def test_every_finding_kind_matches_the_answer_key(matter, production, tmp_path, suffix) -> None:
    rows, key = make_index(production[1], SEED)
    result = import_index(matter, write_index(tmp_path / f"index{suffix}", rows))
    assert result.version == 1 and result.entries == len(rows)
    kinds = {k for k, _ in key}
    assert kinds == set(fmod.KINDS)  # every kind is planted
    assert found_refs(matter) == set(key)


def test_findings_carry_pages_redactions_and_words(matter, production, tmp_path) -> None:
    rows, _ = make_index(production[1], SEED)
    import_index(matter, write_index(tmp_path / "index.csv", rows))
    by_kind = {}
    for f in fmod.findings(matter):
        by_kind.setdefault(f["kind"], f)
    unclaimed = by_kind["unclaimed_exemption"]
    assert unclaimed["codes"] == ["(b)(6)"] and unclaimed["redaction_ids"]
    marks = {c for rid in unclaimed["redaction_ids"] for c in json.loads(matter.scalar(
        "SELECT exemptions FROM redactions WHERE id = ?", (rid,)))}
    assert "(b)(6)" in marks
    assert by_kind["no_technique"]["evidence"]["trigger"] == ["(b)(7)(E)"]
    assert "technique" in by_kind["no_technique"]["evidence"]["looked_for"]
    assert by_kind["b5_not_deliberative"]["evidence"]["missing"]
    bp = by_kind["boilerplate"]["evidence"]
    assert bp["count"] == 4 and len(bp["entries"]) == 4 and not bp["identical"]
    assert by_kind["range_not_produced"]["evidence"]["found"] == 0
    assert by_kind["uncovered_pages"]["pages"] == ["ICE-FOIA-000002"]
    # the entry panel's read: the entry covering a page, with its findings
    page = matter.scalar("SELECT id FROM pages WHERE bates = 'ICE-FOIA-000001'")
    entries = fmod.entries_for_page(matter, page)
    assert entries and entries[0]["item"] == "1" and entries[0]["justification"]
    assert page in fmod.pages_with_findings(matter) or not entries[0]["findings"]


def test_findings_follow_review_changes(matter, production, tmp_path) -> None:
    rows, _ = make_index(production[1], SEED)
    import_index(matter, write_index(tmp_path / "index.csv", rows))
    unclaimed = fmod.findings(matter, kinds=["unclaimed_exemption"])[0]
    item = unclaimed["entry"]["item"]
    # the reviewer reads those boxes as (b)(7)(C) only: the entry no longer misses (b)(6)
    ops.set_redaction_exemptions(matter, "ana", unclaimed["redaction_ids"], ["(b)(7)(C)"])
    assert ("unclaimed_exemption", item) not in found_refs(matter)
    # a page the reviewer marks withheld in full no longer agrees with "Released in part"
    clean = [f for f in fmod.findings(matter) if f["entry"]]
    busy = {f["entry"]["item"] for f in clean}
    row = next(r for r in rows if r[0] not in busy and r[7] == "Released in part")
    rng = parse_ranges(row[1])[0][0]
    pids = [r[0] for r in matter.conn.execute(
        "SELECT id FROM pages WHERE bates_number BETWEEN ? AND ?", (rng.start, rng.end))]
    ops.set_page_disposition(matter, "ana", pids, "withheld in full")
    mismatch = [f for f in fmod.findings(matter, kinds=["page_count_mismatch"])
                if f["entry"]["item"] == row[0]]
    assert mismatch and {"field": "disposition", "index": "released in part",
                         "received": "withheld in full"} in mismatch[0]["evidence"][
        "disagreements"]


def test_challenge_from_a_finding_and_undo(matter, production, tmp_path) -> None:
    rows, _ = make_index(production[1], SEED)
    import_index(matter, write_index(tmp_path / "index.csv", rows))
    f = fmod.findings(matter, kinds=["no_technique"])[0]
    changes = fmod.challenge_finding(matter, "ana", f["id"])
    assert len(changes.challenge_ids) == len(f["redaction_ids"]) > 0
    row = matter.query("SELECT grounds, status, argument, evidence_cite, evidence_passage "
                       "FROM challenges WHERE id = ?", (min(changes.challenge_ids),))[0]
    assert json.loads(row["grounds"]) == ["not_technique"] and row["status"] == "challenge"
    assert "technique" in row["argument"] and "index.csv" in row["evidence_cite"]
    assert row["evidence_passage"] == f["entry"]["justification"][:1000]
    again = [g for g in fmod.findings(matter) if g["key"] == f["key"]][0]  # recomputed
    assert again["challenged"] and again["id"] == f["id"]
    with pytest.raises(VaughnError, match="already a challenge"):
        fmod.challenge_finding(matter, "ana", f["id"])
    ops.undo(matter, "ana", changes.op_id)
    assert not [g for g in fmod.findings(matter) if g["key"] == f["key"]][0]["challenged"]
    with pytest.raises(VaughnError, match="no page"):
        fmod.challenge_finding(matter, "ana", fmod.findings(
            matter, kinds=["range_not_produced"])[0]["id"])


def test_revised_index_keeps_both_versions_and_lists_changes(matter, production, tmp_path):
    rows, _ = make_index(production[1], SEED)
    first = import_index(matter, write_index(tmp_path / "v1.csv", rows))
    revised = [list(r) for r in rows]
    revised[0][6] = "A new, longer justification naming the deliberative process."
    removed = revised.pop(3)
    second = import_index(matter, write_index(tmp_path / "v2.xlsx", revised))
    assert (first.version, second.version) == (1, 2)
    assert second.changes["removed"] == [removed[1]]
    assert second.changes["changed"][0]["bates"] == rows[0][1]
    assert "justification" in second.changes["changed"][0]["fields"]
    versions = indexes(matter)
    assert [(v["version"], v["current"]) for v in versions] == [(2, True), (1, False)]
    assert {f["index"]["version"] for f in fmod.findings(matter)} == {2}


def vaughn(*args: str | Path, data: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "VAUGHN_DATA_DIR": str(data)}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300, env=env)


def test_cli_import_findings_challenge(matter, production, tmp_path, private_data_dir) -> None:
    rows, key = make_index(production[1], SEED)
    index = write_index(tmp_path / "index.docx", rows)
    path = matter.path
    matter.close()
    out = vaughn("vaughn-index", path, index, "--production", "Tranche 1",
                 data=private_data_dir)
    assert out.returncode == 0, out.stderr
    assert f"{len(rows)} entries" in out.stdout and "bates <- 'Bates Range'" in out.stdout
    out = vaughn("vaughn-index", path, "--findings", "--json", data=private_data_dir)
    assert out.returncode == 0, out.stderr
    listed = json.loads(out.stdout)["findings"]
    assert len(listed) == len(found_refs_json(listed)) and found_refs_json(listed) == set(key)
    target = next(f for f in listed if f["kind"] == "boilerplate")
    out = vaughn("vaughn-index", path, "--challenge", str(target["id"]), "--json",
                 data=private_data_dir)
    assert out.returncode == 0, out.stderr
    made = json.loads(out.stdout)["challenged"][0]
    assert made["challenges"]
    out = vaughn("vaughn-index", path, "--findings", "--kind", "boilerplate",
                 data=private_data_dir)
    assert "[challenged]" in out.stdout and "unclaimed" not in out.stdout
    out = vaughn("vaughn-index", path, "--undo", made["op_id"], data=private_data_dir)
    assert out.returncode == 0 and f"{len(made['challenges'])} challenge(s) removed" in out.stdout
    out = vaughn("vaughn-index", path, "--findings", "--kind", "boilerplate",
                 data=private_data_dir)
    assert "[challenged]" not in out.stdout
    out = vaughn("export", path, "index-findings", "--out", tmp_path / "f.docx",
                 data=private_data_dir)
    assert out.returncode == 0, out.stderr
    assert len(docx.Document(str(tmp_path / "f.docx")).tables[0].rows) == len(key) + 1
    revised = write_index(tmp_path / "index2.csv", rows[1:])
    out = vaughn("vaughn-index", path, revised, "--production", "Tranche 1",
                 data=private_data_dir)
    assert out.returncode == 0 and "since version 1: 0 added, 1 removed" in out.stdout
    out = vaughn("vaughn-index", path, "--versions", "--json", data=private_data_dir)
    versions = json.loads(out.stdout)["versions"]
    assert [(v["version"], v["current"], v["file_name"]) for v in versions] == [
        (2, True, "index2.csv"), (1, False, "index.docx")]
    out = vaughn("vaughn-index", path, tmp_path / "missing.xlsx", data=private_data_dir)
    assert out.returncode == 1 and "missing.xlsx" in out.stderr
    out = vaughn("vaughn-index", path, index, "--production", "Nope", data=private_data_dir)
    assert out.returncode == 1 and "no production named 'Nope'" in out.stderr


def found_refs_json(listed: list[dict]) -> set[tuple[str, str]]:
    return {(f["kind"], f["entry"]["item"] if f["entry"] else f["evidence"]["first_bates"])
            for f in listed}


def test_exports_read_back(matter, production, tmp_path) -> None:
    import openpyxl

    from app.export import export

    rows, key = make_index(production[1], SEED)
    import_index(matter, write_index(tmp_path / "index.xlsx", rows))
    f = fmod.findings(matter, kinds=["b5_no_privilege"])[0]
    fmod.challenge_finding(matter, "ana", f["id"])
    book = openpyxl.load_workbook(export(matter, "challenges", tmp_path / "ch.xlsx"))
    sheet = book.active
    table = [[c.value for c in r] for r in sheet.iter_rows()]
    assert table[0][-2:] == ["Agency's index entry", "Agency's justification"]
    assert len(table) == 1 + len(f["redaction_ids"])
    item = f["entry"]["item"]
    assert all(r[-2].startswith(f"Item {item}:") and r[-1] == f["entry"]["justification"]
               for r in table[1:])
    assert all(r[5] == "Exemption 5 defects" for r in table[1:])

    path = export(matter, "index-findings", tmp_path / "findings.xlsx")
    table = [[c.value for c in r] for r in openpyxl.load_workbook(path).active.iter_rows()]
    assert table[0][:4] == ["No.", "Finding", "Index entry", "Bates"]
    assert len(table) - 1 == len(key)
    b5 = [r for r in table[1:] if r[1] == fmod.KINDS["b5_no_privilege"]][0]
    assert b5[2] == item and b5[5] == f["entry"]["justification"] and b5[10] == "yes"
    assert "none of these words" in b5[7]
    boiler = [r for r in table[1:] if r[1] == fmod.KINDS["boilerplate"]]
    assert len(boiler) == 4 and all("4 entries" in r[7] for r in boiler)

    path = export(matter, "index-findings", tmp_path / "findings.docx")
    d = docx.Document(str(path))
    drows = [[c.text for c in r.cells] for r in d.tables[0].rows]
    assert drows[0][1] == "Finding" and len(drows) - 1 == len(key)
    assert any("Vaughn index findings" in p.text for p in d.paragraphs)


def test_findings_follow_a_new_production(matter, production, tmp_path) -> None:
    from app import sample_production
    from app.ingest.pipeline import ingest

    rows, _ = make_index(production[1], SEED)
    import_index(matter, write_index(tmp_path / "index.csv", rows))
    missing = fmod.findings(matter, kinds=["range_not_produced"])[0]
    assert missing["evidence"]["found"] == 0
    start = parse_ranges(missing["entry"]["bates"])[0][0].start
    sample_production.main([str(tmp_path / "t2"), "--docs", "2", "--seed", "4", "--start",
                            str(start), "--layout", "pdf", "--scanned-share", "0",
                            "--bad-share", "0"])
    ingest(matter, [tmp_path / "t2"], production="Tranche 2")
    now = [f for f in fmod.findings(matter) if f["entry"]
           and f["entry"]["item"] == missing["entry"]["item"]]
    still = [f for f in now if f["kind"] == "range_not_produced"]
    assert not still or still[0]["evidence"]["found"] > 0
    assert any(f["kind"] in ("unclaimed_exemption", "unused_claim") for f in now) or not still


def test_code_styles_and_a_mapping_chosen_by_the_reviewer(matter, tmp_path) -> None:
    import csv

    styles = ["(b) (6), (b) (7)(C)", "FOIA (b)(5)", "Ex. 7(E)", "b6; B7C", "(b}(6)",
              "Exemptions 6 and 7(C)"]
    path = tmp_path / "odd.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Col A", "Col B", "Col C"])  # nothing to guess from
        for n, codes in enumerate(styles, start=1):
            w.writerow([f"ICE-FOIA-{n:06d}", codes, f"text {n}"])
    with pytest.raises(VaughnError, match="no column for bates or exemptions"):
        import_index(matter, path)
    result = import_index(matter, path, mapping={"bates": 0, "exemptions": 1,
                                                 "justification": 2})
    assert result.entries == len(styles) and result.columns["bates"] == "Col A"
    got = [json.loads(r[0]) for r in matter.conn.execute(
        "SELECT exemptions FROM vaughn_entries ORDER BY row")]
    assert got[:5] == [["(b)(6)", "(b)(7)(C)"], ["(b)(5)"], ["(b)(7)(E)"],
                       ["(b)(6)", "(b)(7)(C)"], ["(b)(6)"]]
    assert "(b)(6)" in got[5] and "(b)(7)(C)" in got[5]
