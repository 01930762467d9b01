"""The summary report carries the page accounting (issue 8): gaps, duplicates, letter count."""

from __future__ import annotations

import re
from pathlib import Path

import pymupdf

from app.compare import accounting
from app.export.summary import export_summary
from app.ingest.pipeline import ingest
from app.matter.store import Matter


def test_summary_report_lists_page_accounting(matter: Matter, folder_production,
                                              tmp_path: Path) -> None:
    folder, _ = folder_production
    report = ingest(matter, [folder / "tranche_01"], production="Tranche 1")
    assert report.ok, report.by_status("failed")
    assert ingest(matter, [folder / "tranche_02"], production="Tranche 2").ok
    ids = [r[0] for r in matter.conn.execute(
        "SELECT p.id FROM pages p JOIN productions pr ON pr.id = p.production_id "
        "WHERE pr.tranche = 1 ORDER BY p.id")]
    n = len(ids)
    with matter.write() as conn:  # plant: a two-page gap and one duplicate number
        conn.execute("DELETE FROM pages WHERE id IN (?, ?)", (ids[3], ids[4]))
        b = conn.execute("SELECT bates, bates_number, bates_key FROM pages WHERE id = ?",
                         (ids[7],)).fetchone()
        conn.execute("UPDATE pages SET bates = ?, bates_number = ?, bates_key = ? WHERE id = ?",
                     (*b, ids[8]))
    accounting.set_letter_page_count(matter, accounting.find_production(matter, "Tranche 1"), n)
    out = export_summary(matter, tmp_path / "summary.pdf")
    text = " ".join(" ".join(p.get_text().split()) for p in pymupdf.open(out))
    assert "Page accounting" in text
    assert "gap ICE-FOIA-000004 to ICE-FOIA-000005 (2 missing)" in text
    assert "duplicate ICE-FOIA-000008 (2 pages)" in text
    # the Tranche 1 row: pages received, the letter's count and the difference
    row = re.search(r"Tranche 1 (\d+) ICE-FOIA-000001 to ICE-FOIA-\d+ (\d+) \((\d+)\) (\d+) "
                    r"(\d+) (\d+) (\d+) ([-+]\d+)", text)
    assert row, text
    assert row.groups() == (str(n - 2), "2", "3", "1", "0", "0", str(n), "-2")
    assert re.search(r"Tranche 2 \d+ ICE-FOIA-000012 to ICE-FOIA-000020 0 \(0\) 0 0 1", text)
