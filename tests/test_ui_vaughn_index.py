"""The Vaughn index in the review window: import with the mapping confirmed, the entry panel
beside the claims panel, V to challenge a finding (Ctrl+Z undoes it), the findings filter and
the index view. Checked in the matter file."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import Qt  # noqa: E402

from tests.test_ui_window import REVIEWER, goto, key, settle  # noqa: E402


@pytest.fixture
def win(qtbot, pdf_matter_template, tmp_path, monkeypatch):
    from ui.window import MainWindow

    path = tmp_path / "vaughn.vaughn"
    shutil.copy(pdf_matter_template, path)
    monkeypatch.setenv("VAUGHN_REVIEWER", REVIEWER)
    w = MainWindow(inline_worker=True)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    w.open_matter(path)
    qtbot.waitUntil(w.ready, timeout=15000)
    yield w
    w.close()


def test_import_entry_panel_challenge_filter_and_view(qtbot, win, pdf_production, tmp_path):
    from app.vaughn_index.sample import make_index, write_index

    rows, _ = make_index(pdf_production[1], 3)
    index = write_index(tmp_path / "index.xlsx", rows)
    seen = {}

    def confirm(dialog) -> bool:
        seen["mapping"] = dialog.mapping()
        dialog.production.setCurrentIndex(dialog.production.findData("Tranche 1"))
        return True

    with qtbot.waitSignal(win.vaughn.imported, timeout=20000) as sig:
        win.vaughn.start_import(index, confirm=confirm)
    result = sig.args[0]
    assert result.entries == len(rows) and result.findings > 0
    assert seen["mapping"]["bates"] == 1 and seen["mapping"]["justification"] == 6
    conn = sqlite3.connect(win.matter_path)
    assert conn.execute("SELECT p.name FROM vaughn_indexes i JOIN productions p ON "
                        "p.id = i.production_id").fetchone() == ("Tranche 1",)

    # the entry covering the page shows beside the claims panel
    first_bates = rows[0][1].split(" - ")[0]
    pid = conn.execute("SELECT id FROM pages WHERE bates = ?", (first_bates,)).fetchone()[0]
    with qtbot.waitSignal(win.vaughn.panelLoaded, timeout=10000):
        goto(qtbot, win, pid)
    panel = win.vaughn.panel
    assert panel.isVisible() and "Item 1" in panel.heading.text()
    assert panel.justification.text() == rows[0][6]

    # a page with a finding: V challenges it, Ctrl+Z undoes
    fid, page_ids, redaction_ids = next(
        (f, json.loads(p), json.loads(r)) for f, p, r in conn.execute(
            "SELECT id, page_ids, redaction_ids FROM vaughn_findings WHERE entry_id IS NOT "
            "NULL AND redaction_ids != '[]' ORDER BY id"))
    with qtbot.waitSignal(win.vaughn.panelLoaded, timeout=10000):
        goto(qtbot, win, page_ids[0])
    ids = [panel.findings.item(i).data(Qt.ItemDataRole.UserRole)
           for i in range(panel.findings.count())]
    assert fid in ids
    panel.findings.setCurrentRow(ids.index(fid))
    key(qtbot, win, Qt.Key.Key_V)
    settle(qtbot, win)
    made = conn.execute("SELECT target_id, grounds FROM challenges WHERE target_kind = "
                        "'redaction'").fetchall()
    assert sorted(t for t, _ in made) == sorted(redaction_ids)
    qtbot.waitUntil(lambda: any("challenged" in panel.findings.item(i).text()
                                for i in range(panel.findings.count())), timeout=10000)
    key(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, win)
    assert conn.execute("SELECT count(*) FROM challenges").fetchone()[0] == 0

    # the reviewer re-reads the boxes behind an unclaimed code as the codes the entry claims:
    # once the reviewer pauses, the finding is gone from the panel
    row = conn.execute("SELECT f.id, f.page_ids, f.redaction_ids, e.exemptions FROM "
                       "vaughn_findings f JOIN vaughn_entries e ON e.id = f.entry_id WHERE "
                       "f.kind = 'unclaimed_exemption' ORDER BY f.id").fetchone()
    ufid, upages, ureds, claimed = row[0], json.loads(row[1]), json.loads(row[2]), row[3]
    with qtbot.waitSignal(win.vaughn.panelLoaded, timeout=10000):
        goto(qtbot, win, upages[0])
    assert ufid in [panel.findings.item(i).data(Qt.ItemDataRole.UserRole)
                    for i in range(panel.findings.count())]

    codes = json.loads(claimed)
    win._run("Re-read codes", lambda w: w.set_exemptions(ureds, codes))
    settle(qtbot, win)
    qtbot.waitUntil(lambda: ufid not in [panel.findings.item(i).data(Qt.ItemDataRole.UserRole)
                                         for i in range(panel.findings.count())],
                    timeout=10000)

    # the findings filter shows exactly the pages a finding names
    win.filters.set_filter("vaughn")
    settle(qtbot, win)
    want = sorted(r[0] for r in conn.execute("SELECT DISTINCT page_id FROM "
                                             "vaughn_finding_pages"))
    qtbot.waitUntil(lambda: sorted(win.tree_model.pages) == want, timeout=10000)
    assert want
    win.filters.set_filter("all")
    settle(qtbot, win)

    # the index view lists every entry with its status
    win.action_table.by_name["vaughn_view"].trigger()
    view = win.vaughn.view
    qtbot.waitUntil(lambda: view.entries.rowCount() == len(rows), timeout=10000)
    statuses = {view.entries.item(r, 5).text() for r in range(view.entries.rowCount())}
    assert any("finding" in s for s in statuses)
    assert view.findings.rowCount() == conn.execute(
        "SELECT count(*) FROM vaughn_findings").fetchone()[0]

    # a revised index: both versions kept, the view says what changed
    revised = write_index(tmp_path / "revised.csv", rows[1:])
    with qtbot.waitSignal(win.vaughn.imported, timeout=20000) as sig:
        win.vaughn.start_import(revised, confirm=confirm)
    assert sig.args[0].version == 2 and "1 removed" in win.statusBar().currentMessage()
    win.action_table.by_name["vaughn_view"].trigger()
    qtbot.waitUntil(lambda: view.entries.rowCount() == len(rows) - 1, timeout=10000)
    assert "since version 1: 0 added, 1 removed" in view.caption.text()
    assert conn.execute("SELECT count(*) FROM vaughn_indexes").fetchone()[0] == 2
    view.close()
    conn.close()


def test_import_of_a_file_that_is_not_an_index_says_why(qtbot, win, tmp_path) -> None:
    bad = tmp_path / "notes.csv"
    bad.write_text("Name,Colour\nA,blue\n")
    win.vaughn.start_import(bad, confirm=lambda d: True)
    qtbot.waitUntil(lambda: "no column chosen for bates" in win.statusBar().currentMessage(),
                    timeout=10000)
    conn = sqlite3.connect(win.matter_path)
    assert conn.execute("SELECT count(*) FROM vaughn_indexes").fetchone()[0] == 0
    conn.close()


def test_pdf_index_reports_progress_and_a_cancelled_mapping_imports_nothing(
        qtbot, win, pdf_production, tmp_path) -> None:
    from app.vaughn_index.sample import HEADERS, make_index, write_pdf_table

    rows, _ = make_index(pdf_production[1], 3)
    index = write_pdf_table(tmp_path / "index.pdf", HEADERS, rows, rows_per_page=3)
    seen: list[tuple[int, int]] = []
    real = win.vaughn._progress
    win.vaughn._progress = lambda done, total, what: (seen.append((done, total)),
                                                      real(done, total, what))
    asked = []
    win.vaughn.start_import(index, confirm=lambda d: asked.append(d.mapping()) or False)
    qtbot.waitUntil(lambda: bool(asked), timeout=20000)
    assert asked[0]["bates"] == 1 and seen and seen[-1][1] == len(seen) > 1
    settle(qtbot, win)
    conn = sqlite3.connect(win.matter_path)
    assert conn.execute("SELECT count(*) FROM vaughn_indexes").fetchone()[0] == 0
    conn.close()
