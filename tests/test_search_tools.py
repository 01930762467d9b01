"""Around the query: saved searches, history, term reports (CSV/XLSX), hit boxes, the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from app.cli import main
from app.errors import QueryError
from app.ingest.pipeline import ingest
from app.matter.store import Matter
from app.search import saved
from app.search.highlight import hit_boxes
from app.search.report import parse_terms, read_terms, safe_cell, term_report, write_report

TEXTS = [
    "Operation Falcon Ridge arrests. Falcon team detained John Doe.",
    "Operation Iron Gate removals and a residence check",
    "=HYPERLINK surveillance memo by the falcon unit",
]


@pytest.fixture
def small(matter: Matter, tmp_path: Path) -> tuple[Matter, Path, list[int]]:
    import pymupdf

    doc = pymupdf.open()
    for n, text in enumerate(TEXTS):
        page = doc.new_page()
        page.insert_text((72, 100), text, fontsize=11)
        page.insert_text((page.rect.width - 160, page.rect.height - 24),
                         f"ICE-FOIA-{n + 1:06d}", fontsize=9)
    pdf = tmp_path / "small.pdf"
    doc.save(pdf)
    ingest(matter, [pdf], production="Tranche 1", analyze=False)
    ids = [r[0] for r in matter.conn.execute("SELECT id FROM pages ORDER BY id")]
    return matter, pdf, ids


def test_saved_searches_keep_names_and_count_live(small) -> None:
    matter, _, ids = small
    saved.save_search(matter, "Falcon pages", "falcon")
    saved.save_search(matter, "ops", "operation NOT gate", ocr_tolerant=True)
    listed = saved.saved_searches(matter, counts=True)
    assert [(s.name, s.count) for s in listed] == [("Falcon pages", 2), ("ops", 1)]
    assert listed[1].ocr_tolerant
    with pytest.raises(saved.SavedSearchError):
        saved.save_search(matter, "falcon PAGES", "x", overwrite=False)  # names ignore case
    saved.save_search(matter, "falcon pages", "falcon AND operation")  # replaces
    assert saved.get_saved_search(matter, "FALCON PAGES").query == "falcon AND operation"
    with pytest.raises(QueryError):
        saved.save_search(matter, "broken", "(falcon")
    with pytest.raises(saved.SavedSearchError):
        saved.save_search(matter, "   ", "falcon")
    saved.rename_saved_search(matter, "ops", "Operations")
    with pytest.raises(saved.SavedSearchError):
        saved.rename_saved_search(matter, "Operations", "falcon pages")
    # live: a tag added later changes the count without touching the saved search
    saved.save_search(matter, "hot", "tag:hot")
    assert saved.saved_searches(matter, counts=True)[1].count == 0
    from app.review import ops

    ops.add_tag(matter, "t", "hot", [("page", ids[1])])
    counts = {s.name: s.count for s in saved.saved_searches(matter, counts=True)}
    assert counts == {"falcon pages": 1, "hot": 1, "Operations": 1}
    assert saved.delete_saved_search(matter, "hot")
    assert not saved.delete_saved_search(matter, "hot")


def test_history_newest_first_without_repeats(small) -> None:
    matter, _, _ = small
    for q in ["falcon", "falcon", "gate", "falcon"]:
        saved.record_history(matter, q, 1)
    assert [h.query for h in saved.history(matter)] == ["falcon", "gate"]
    saved.clear_history(matter)
    assert saved.history(matter) == []


def test_term_report_counts_and_exports(small, tmp_path: Path) -> None:
    matter, _, _ = small
    terms_file = tmp_path / "terms.txt"
    terms_file.write_text("\ufefffalcon\r\noperation\r\n\r\n=cmd|' /C calc'!A0\r\n(broken\r\n"
                          "falcon w/1 team\r\ntag:hot\r\n", encoding="utf-8")
    terms = read_terms(terms_file)
    assert terms[0] == "falcon" and "" not in terms
    report = term_report(matter, terms)
    rows = {r.term: r for r in report.rows}
    assert (rows["falcon"].pages, rows["falcon"].hits) == (2, 3)  # Falcon twice on page 1
    assert rows["operation"].pages == 2 and rows["operation"].unique_pages == 1  # page 2
    assert rows["(broken"].error and rows["(broken"].pages == 0
    assert rows["falcon w/1 team"].pages == 1
    assert rows["tag:hot"].pages == 0 and rows["tag:hot"].hits == 0
    assert report.total_pages == 3
    assert rows["falcon"].documents == 1
    csv_path = write_report(report, tmp_path / "out" / "report.csv")
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0][0] == "Term" and table[-1][0] == "All terms (unique)"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)
    assert any(cell == "'=cmd|' /C calc'!A0" for row in table for cell in row)
    xlsx = write_report(report, tmp_path / "report.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(xlsx).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "'=cmd|' /C calc'!A0" in values and ws["B2"].value == 2
    assert not list(tmp_path.glob(".*part"))  # the temp files were moved into place


def test_safe_cell_and_pasted_terms() -> None:
    assert [safe_cell(v) for v in ["=1+1", "+x", "-y", "@z", "\tq", "ok", 5]] == [
        "'=1+1", "'+x", "'-y", "'@z", "'\tq", "ok", 5]
    assert parse_terms("a\n\n b \na\n") == ["a", "b"]


def test_hit_boxes_mark_words_and_never_text_under_a_box(small) -> None:
    matter, pdf, ids = small
    import pymupdf

    with pymupdf.open(pdf) as doc:
        words = doc[0].get_text("words")
    falcons = [w for w in words if w[4].lower().startswith("falcon")]
    assert len(falcons) == 2
    boxes = hit_boxes(matter, ids[0], "falcon")
    assert [tuple(round(v, 1) for v in b) for b in boxes] == [
        tuple(round(v, 1) for v in w[:4]) for w in falcons]
    assert len(hit_boxes(matter, ids[0], '"john doe"')) == 2
    assert len(hit_boxes(matter, ids[0], "joh* w/0 doe")) == 2
    assert hit_boxes(matter, ids[0], "tag:hot") == []
    assert len(hit_boxes(matter, ids[0], "falkon~")) == 2
    x0, y0, x1, y1 = falcons[1][:4]  # a box over the second Falcon: hidden, never marked
    with matter.write() as conn:
        conn.execute("INSERT INTO redactions(page_id, x0, y0, x1, y1, source, exemptions, bad) "
                     "VALUES (?, ?, ?, ?, ?, 'vector', '[]', 1)", (ids[0], x0 - 1, y0 - 1,
                                                                     x1 + 1, y1 + 1))
    assert len(hit_boxes(matter, ids[0], "falcon")) == 1


def test_cli_search_json_shape_and_report(small, tmp_path: Path, capsys) -> None:
    matter, _, _ = small
    path = matter.path
    matter.close()
    assert main(["search", str(path), "falcon w/3 ridge OR bates:ICE-FOIA-000002", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"total", "hits"} and out["total"] == 2
    assert set(out["hits"][0]) == {"bates", "file", "page_index", "snippet", "score"}
    assert main(["search", str(path), "exemptoin:b6"]) == 1
    assert "did you mean" in capsys.readouterr().err
    terms = tmp_path / "t.txt"
    terms.write_text("falcon\ngate\n")
    assert main(["report", str(path), "--terms", str(terms), "--out",
                 str(tmp_path / "r.xlsx")]) == 0
    assert (tmp_path / "r.xlsx").exists()
    assert "3 unique page(s) for 2 term(s)" in capsys.readouterr().out


def test_hit_boxes_on_an_ocr_page_use_the_stored_word_boxes(small) -> None:
    matter, _, ids = small
    with matter.write() as conn:
        conn.execute("UPDATE pages SET text_source = 'ocr' WHERE id = ?", (ids[1],))
        for n, (word, x, stamp) in enumerate([("0peration", 10, 0), ("Iron", 80, 0),
                                              ("(b)(6)", 120, 1), ("Gate", 160, 0)]):
            conn.execute("INSERT INTO ocr_words(page_id, n, x0, y0, x1, y1, text, line, stamp) "
                         "VALUES (?, ?, ?, 10, ?, 20, ?, 0, ?)", (ids[1], n, x, x + 30, word,
                                                                  stamp))
    assert hit_boxes(matter, ids[1], '"iron gate"') == [(80, 10, 110, 20), (160, 10, 190, 20)]
    assert hit_boxes(matter, ids[1], "operation") == []
    assert hit_boxes(matter, ids[1], "operation", ocr_tolerant=True) == [(10, 10, 40, 20)]
    assert hit_boxes(matter, ids[1], "b6") == []  # a stamp label is not a hit
