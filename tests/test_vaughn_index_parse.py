"""Reading real CSV and XLSX Vaughn index files; hostile files give a clear error."""

import csv

import openpyxl
import pytest

from app.errors import VaughnError
from app.vaughn_index.parse import read_index

HEAD = ["Bates Range", "Exemption(s)", "Justification"]
ROWS = [["ICE-FOIA-000001 - ICE-FOIA-000003", "b6, B7C", "Names of agents."],
        ["ICE-FOIA-000004", "Ex. 5", "Deliberative draft."]]


def test_csv_codes_canonical(tmp_path):
    p = tmp_path / "index.csv"
    with p.open("w", newline="") as fh:
        csv.writer(fh).writerows([HEAD, *ROWS])
    entries = read_index(p)
    assert [e.exemptions for e in entries] == [["(b)(6)", "(b)(7)(C)"], ["(b)(5)"]]
    assert entries[1].cells["bates"] == "ICE-FOIA-000004"


def test_xlsx(tmp_path):
    p = tmp_path / "index.xlsx"
    book = openpyxl.Workbook()
    for r in [HEAD, *ROWS]:
        book.active.append(r)
    book.save(p)
    assert len(read_index(p)) == 2


def test_empty_and_unmapped(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(VaughnError, match="empty.csv"):
        read_index(empty)
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(VaughnError, match="bates"):
        read_index(bad)


def test_header_repeated_and_continuation_rows(tmp_path):
    p = tmp_path / "index.csv"
    with p.open("w", newline="") as fh:
        csv.writer(fh).writerows([HEAD, ROWS[0], ["", "", "(continued) and their families."],
                                  HEAD, ROWS[1]])
    entries = read_index(p)
    assert len(entries) == 2
    assert entries[0].cells["justification"] == "Names of agents.\n(continued) and their families."


def test_hostile_files_are_plain_errors(tmp_path):
    import pymupdf

    (tmp_path / "nul.csv").write_bytes(b"Bates,Exemptions\nICE-000001\x00,b6\n")
    (tmp_path / "huge.csv").write_text("Bates,Exemptions,Justification\nICE-FOIA-000001,b6,"
                                       + "x" * 200_000 + "\n")
    (tmp_path / "junk.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (tmp_path / "junk.docx").write_bytes(b"\x00" * 64)
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret index")
    doc.save(tmp_path / "locked.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pw",
             owner_pw="pw")
    assert read_index(tmp_path / "nul.csv")[0].cells["bates"] == "ICE-000001"  # NUL dropped
    for name in ("huge.csv", "junk.xlsx", "junk.docx", "locked.pdf"):
        with pytest.raises(VaughnError) as err:
            read_index(tmp_path / name)
        assert name in str(err.value)


def test_merged_cells_formulas_and_a_sheet_too_long(tmp_path):
    """An XLSX with a justification merged over two entries' rows, a formula cell, and a
    50,000-row sheet: the first two read as the reviewer sees them, the last is refused by
    name before it is read whole."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEAD + ["Pages"])
    sheet.append(["ICE-FOIA-000001", "b6", "Names of agents and of witnesses.", 1])
    sheet.append(["ICE-FOIA-000002", "b6", None, "=D2+1"])
    sheet.merge_cells("C2:C3")  # one justification for both entries, as agencies lay it out
    sheet.append(["ICE-FOIA-000003", "Ex. 5", "Deliberative draft.", 1])
    book.save(tmp_path / "merged.xlsx")
    entries = read_index(tmp_path / "merged.xlsx")
    assert [e.cells["bates"] for e in entries] == [
        "ICE-FOIA-000001", "ICE-FOIA-000002", "ICE-FOIA-000003"]
    assert [e.exemptions for e in entries] == [["(b)(6)"], ["(b)(6)"], ["(b)(5)"]]
    # a formula saved without a computed value is not taken for text
    assert entries[1].cells.get("pages", "") in ("", "2")
    assert "=" not in entries[1].cells.get("pages", "")

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEAD)
    for n in range(50_000):
        sheet.append([f"ICE-FOIA-{n + 1:06d}", "b6", "Names."])
    book.save(tmp_path / "long.xlsx")
    with pytest.raises(VaughnError, match="long.xlsx.*more than"):
        read_index(tmp_path / "long.xlsx")
