"""The Compare versions and Statistics windows (issue 8), driven for real (offscreen) on a
two-tranche production whose second tranche re-releases a record with redactions lifted.

What the reviewer sees is asserted (table cells, labels, the released text, the pixels of the
highlight) and every write is checked in the matter file with a fresh SQLite connection.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

REVIEWER = "Test Reviewer"


@pytest.fixture(scope="session")
def two_tranche_template(folder_production, tmp_path_factory) -> Path:
    from app.ingest.pipeline import ingest
    from app.matter.store import Matter

    folder, _ = folder_production
    path = tmp_path_factory.mktemp("two-tranche") / "template.vaughn"
    with Matter.open(path, create=True) as m:
        for k in (1, 2):
            assert ingest(m, [folder / f"tranche_{k:02d}"], production=f"Tranche {k}").ok
    return path


@pytest.fixture
def matter_path(two_tranche_template, tmp_path) -> Path:
    path = tmp_path / "compare.vaughn"
    shutil.copy(two_tranche_template, path)
    return path


def open_window(qtbot, path: Path, monkeypatch, inline: bool = True):
    from ui.window import MainWindow

    monkeypatch.setenv("VAUGHN_REVIEWER", REVIEWER)
    w = MainWindow(inline_worker=inline)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.open_matter(path)
    qtbot.waitUntil(w.ready, timeout=15000)
    return w


@pytest.fixture
def win(qtbot, matter_path, monkeypatch):
    w = open_window(qtbot, matter_path, monkeypatch)
    yield w
    w.close()


def db(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path)


def expected_lifted(truth: dict) -> list[list[dict]]:
    """Per page of the re-released record: its lifted redactions in reading order."""
    docs = {d["doc_id"]: d for d in truth["documents"]}
    first, later = truth["rereleases"][0][:2]
    out = []
    for pa, pb in zip(docs[first]["pages"], docs[later]["pages"], strict=True):
        gone = [r for r in pa["redactions"]
                if not any(rb["bbox"] == r["bbox"] for rb in pb["redactions"])]
        out.append(sorted(gone, key=lambda r: (r["bbox"][1], r["bbox"][0])))
    return out


def activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def press(qtbot, view, key) -> None:
    activate(qtbot, view)
    qtbot.keyClick(view.diff_list, key)


def pixel(canvas, bbox, dx: float) -> QColor:
    """The colour just left of a box (where the current-difference frame is drawn)."""
    rect = canvas.rect_of(bbox)
    image = canvas.grab().toImage()
    return QColor(image.pixel(int(rect.left() + dx), int(rect.center().y())))


def open_compare(qtbot, win):
    activate(qtbot, win)
    with qtbot.waitSignal(win.action_table.by_name["compare"].triggered, timeout=2000):
        qtbot.keyClick(win.page_view, Qt.Key.Key_C,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    view = win.compare_view
    qtbot.waitUntil(lambda: not view.running and view.pairs_model.rowCount() > 0,
                    timeout=30000)
    qtbot.waitUntil(lambda: view.current == 0 and view.views is not None
                    and view.side_a.canvas.has_image() and view.side_b.canvas.has_image(),
                    timeout=15000)
    return view


def test_compare_lists_the_pair_side_by_side_and_steps_through_differences(
        qtbot, win, folder_production) -> None:
    _, truth = folder_production
    docs = {d["doc_id"]: d for d in truth["documents"]}
    first, later = (docs[x] for x in truth["rereleases"][0][:2])
    lifted = expected_lifted(truth)
    view = open_compare(qtbot, win)
    model = view.pairs_model
    assert model.rowCount() == 1  # one record re-released, no false pairs
    cells = [model.index(0, c).data() for c in range(model.columnCount())]
    assert cells[0] == f"{first['begbates']}..{first['endbates']} (Tranche 1)"
    assert cells[1] == f"{later['begbates']}..{later['endbates']} (Tranche 2)"
    assert cells[2:] == [str(len(first["pages"])), str(sum(map(len, lifted))), "0", "0"]
    assert "matched pair" in view.status.currentMessage()

    # both versions side by side, the first difference current and highlighted on both sides
    assert first["begbates"] in view.label_a.text() and "Tranche 1" in view.label_a.text()
    assert later["begbates"] in view.label_b.text() and "Tranche 2" in view.label_b.text()
    assert view.diff_list.count() == sum(map(len, lifted))
    assert view.diff_label.text().startswith(f"Difference 1 of {view.diff_list.count()}: "
                                             f"lifted")
    assert view.text_view.toPlainText().split() == lifted[0][0]["withheld_text"].split()
    for side, redacted in ((view.side_a, True), (view.side_b, False)):
        marks = side.canvas.marks
        assert len(marks) == len(lifted[0])
        current = [m for m in marks if m.current]
        assert len(current) == 1 and current[0].kind == "lifted"
        assert current[0].redacted_here is redacted
        assert pixel(side.canvas, current[0].bbox, -4) == QColor(0, 190, 255)  # the frame
    assert view.challenge_button.isEnabled()

    # J / K step through the differences, across the pair's pages
    press(qtbot, view, Qt.Key.Key_J)
    assert view.current == 1
    assert view.text_view.toPlainText().split() == lifted[0][1]["withheld_text"].split()
    assert view.diff_label.text().startswith("Difference 2 of")
    press(qtbot, view, Qt.Key.Key_K)
    assert view.current == 0
    assert view.text_view.toPlainText().split() == lifted[0][0]["withheld_text"].split()
    for _ in range(len(lifted[0])):
        press(qtbot, view, Qt.Key.Key_J)
    qtbot.waitUntil(lambda: view.page_index == 1 and view.views is not None
                    and view.views[1].bates == later["pages"][1]["bates"], timeout=10000)
    assert view.current == len(lifted[0])
    assert later["pages"][1]["bates"] in view.label_b.text()
    assert "page 2 of 2" in view.label_a.text()
    assert view.text_view.toPlainText().split() == lifted[1][0]["withheld_text"].split()
    qtbot.waitUntil(lambda: view.side_b.canvas.has_image(), timeout=10000)
    # N/P page through the pair; K goes back across the page break
    press(qtbot, view, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: view.page_index == 0 and view.views is not None
                    and view.views[0].bates == first["pages"][0]["bates"], timeout=10000)
    assert view.current == len(lifted[0]) - 1
    press(qtbot, view, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: view.page_index == 1 and view.views is not None
                    and view.views[0].bates == first["pages"][1]["bates"], timeout=10000)
    rows = dict((t, k) for k, t in view.shortcut_rows())
    assert rows["Next difference"] == "J" and rows["Challenge: inconsistent redaction"] == "C"


def test_challenge_from_a_difference_is_saved_and_shown_in_the_review_window(
        qtbot, win, folder_production) -> None:
    _, truth = folder_production
    later = {d["doc_id"]: d for d in truth["documents"]}[truth["rereleases"][0][1]]
    lifted = expected_lifted(truth)
    view = open_compare(qtbot, win)
    press(qtbot, view, Qt.Key.Key_J)  # the second lifted box of the first page
    change = view.current_change()
    assert change.kind == "lifted"
    press(qtbot, view, Qt.Key.Key_C)
    qtbot.waitUntil(lambda: win.hub.in_flight == 0 and win.worker.pending() == 0, timeout=10000)
    conn = db(win.matter_path)
    rows = conn.execute("SELECT target_kind, target_id, grounds, status, evidence_cite, "
                        "evidence_passage, reviewer FROM challenges").fetchall()
    assert len(rows) == 1
    kind, target, grounds, status, cite, passage, reviewer = rows[0]
    assert (kind, target, status, reviewer) == ("redaction", change.a_redaction, "challenge",
                                                REVIEWER)
    assert json.loads(grounds) == ["inconsistent_redaction"]
    assert later["pages"][0]["bates"] in cite and "Tranche 2" in cite
    assert passage.split() == lifted[0][1]["withheld_text"].split()
    # the review window shows the challenged redaction with the challenge in its panels
    qtbot.waitUntil(lambda: win.page is not None and win.page.id == change.a_page
                    and win.selected == change.a_redaction and win.review_ready
                    and win.challenge.grounds.checked() == ["inconsistent_redaction"],
                    timeout=10000)
    assert win.challenge.status.currentData() == "challenge"
    assert win.challenge.passage.toPlainText().split() == passage.split()
    assert later["pages"][0]["bates"] in win.challenge.cite.text()
    red = win.redaction(change.a_redaction)
    assert red.status == "challenge"
    # the compare window knows it is challenged now, and will not add it twice
    qtbot.waitUntil(lambda: "Already challenged" in view.diff_label.text(), timeout=10000)
    assert not view.challenge_button.isEnabled()
    press(qtbot, view, Qt.Key.Key_C)
    qtbot.waitUntil(lambda: win.hub.in_flight == 0 and win.worker.pending() == 0)
    assert conn.execute("SELECT count(*) FROM challenges").fetchone()[0] == 1
    # one undoable step in the review window
    activate(qtbot, win)
    qtbot.keyClick(win.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: win.hub.in_flight == 0 and win.worker.pending() == 0, timeout=10000)
    assert db(win.matter_path).execute("SELECT count(*) FROM challenges").fetchone()[0] == 0
    qtbot.waitUntil(lambda: "Already challenged" not in view.diff_label.text(), timeout=10000)
    assert view.challenge_button.isEnabled()


def test_findings_list_both_locations_and_jump_to_the_page(qtbot, win) -> None:
    view = open_compare(qtbot, win)
    assert view.findings_model.rowCount() == 0  # looked for only when asked
    qtbot.mouseClick(view.tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=view.tabs.tabBar().tabRect(1).center())
    assert view.tabs.currentIndex() == 1
    qtbot.waitUntil(lambda: view.findings_model.rowCount() > 0, timeout=30000)
    model = view.findings_model
    labels = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert "Released in the other version" in labels
    row = labels.index("Released in the other version")
    finding = model.rows[row]
    withheld, public = model.index(row, 1).data(), model.index(row, 2).data()
    assert withheld == f"{finding.first.bates} (Tranche 1)"
    assert public == f"{finding.second.bates} (Tranche 2)"
    assert model.index(row, 4).data() == finding.text and finding.text
    assert f"{model.rowCount()}" in view.tabs.tabText(1)
    table = view.findings_view
    for column, where in ((2, finding.second), (1, finding.first)):
        index = model.index(row, column)
        table.scrollTo(index)
        rect = table.visualRect(index)
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.waitUntil(lambda w=where: win.page is not None
                        and win.page.id == w.page_id, timeout=10000)
        assert win.page.bates == where.bates
    qtbot.waitUntil(lambda: win.selected == finding.first.redaction_id, timeout=10000)


def test_statistics_show_planted_gap_and_duplicate_and_save_the_letter_count(
        qtbot, matter_path, monkeypatch) -> None:
    from app.matter.store import Matter

    with Matter.open(matter_path) as m:  # plant: a two-page gap and one duplicate number
        ids = [r[0] for r in m.conn.execute(
            "SELECT p.id FROM pages p JOIN productions pr ON pr.id = p.production_id "
            "WHERE pr.tranche = 1 ORDER BY p.id")]
        with m.write() as conn:
            conn.execute("DELETE FROM pages WHERE id IN (?, ?)", (ids[3], ids[4]))
            b = conn.execute("SELECT bates, bates_number, bates_key FROM pages WHERE id = ?",
                             (ids[7],)).fetchone()
            conn.execute("UPDATE pages SET bates = ?, bates_number = ?, bates_key = ? "
                         "WHERE id = ?", (*b, ids[8]))
    win = open_window(qtbot, matter_path, monkeypatch)
    try:
        activate(qtbot, win)
        qtbot.keyClick(win.page_view, Qt.Key.Key_S,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        view = win.statistics_view
        qtbot.waitUntil(lambda: view.table.rowCount() == 2 and bool(view.rows), timeout=15000)
        headers = [view.table.horizontalHeaderItem(c).text()
                   for c in range(view.table.columnCount())]

        def cell(row: int, header: str) -> str:
            return view.table.item(row, headers.index(header)).text()

        assert cell(0, "Production") == "Tranche 1"
        assert cell(0, "Pages") == str(len(ids) - 2)
        assert cell(0, "Gaps (numbers)") == "2 (3)"
        assert cell(0, "Duplicates") == "1"
        assert cell(0, "Bates range").startswith("ICE-FOIA-000001..")
        assert cell(1, "Gaps (numbers)") == "0" and cell(1, "Withheld in full") == "1"
        assert cell(0, "Letter says") == "" and cell(0, "Difference") == ""
        details = view.details.toPlainText()
        assert "ICE-FOIA-000004 .. ICE-FOIA-000005 (2 missing)" in details
        assert "ICE-FOIA-000008 on 2 pages" in details
        assert view.figures_table.item(0, 0).text() == "Tranche 1"
        # the letter's count: typed, Enter, saved in the matter, the difference shown
        activate(qtbot, view)
        view.letter_edit.setFocus()
        qtbot.keyClicks(view.letter_edit, str(len(ids)))
        with qtbot.waitSignal(view.loaded, timeout=10000):
            qtbot.keyClick(view.letter_edit, Qt.Key.Key_Return)
        assert db(matter_path).execute(
            "SELECT letter_page_count FROM productions WHERE tranche = 1").fetchone()[0] == len(ids)
        assert cell(0, "Letter says") == str(len(ids)) and cell(0, "Difference") == "-2"
        assert "-2 against the pages received" in view.details.toPlainText()
        # cleared again with an empty field
        view.letter_edit.clear()
        with qtbot.waitSignal(view.loaded, timeout=10000):
            view.save_button.click()
        assert db(matter_path).execute(
            "SELECT letter_page_count FROM productions WHERE tranche = 1").fetchone()[0] is None
    finally:
        win.close()


def test_compare_menu_actions_are_listed(qtbot, win) -> None:
    rows = dict((t, k) for k, t in win.action_table.shortcut_rows())
    assert rows["Compare versions…"] == "Ctrl+Shift+C"
    assert rows["Statistics…"] == "Ctrl+Shift+S"


@pytest.fixture
def threaded_win(qtbot, matter_path, monkeypatch):
    """The window with its worker thread: the tests below keep the worker busy."""
    w = open_window(qtbot, matter_path, monkeypatch, inline=False)
    yield w
    w.close()


def test_matching_reports_progress_and_can_be_cancelled(qtbot, threaded_win) -> None:
    import threading

    from ui.compare.view import show_compare

    win = threaded_win

    seen: list[str] = []
    win.statusBar().messageChanged.connect(seen.append)
    gate = threading.Event()
    win.worker.submit(lambda ctx: gate.wait(10))  # the worker is busy: matching waits its turn
    view = show_compare(win)
    assert view.running and view.cancel_button.isEnabled() and view.progress.isVisible()
    assert "Matching versions" in win.statusBar().currentMessage()
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    gate.set()
    qtbot.waitUntil(lambda: not view.running, timeout=15000)
    assert view.status.currentMessage() == "Matching cancelled"
    assert view.pairs_model.rowCount() == 0 and view.run_button.isEnabled()
    # F5 matches again, with its stages shown in the review window's status bar
    press(qtbot, view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not view.running and view.pairs_model.rowCount() == 1,
                    timeout=30000)
    assert any("Matching versions: verifying candidate pairs" in m for m in seen)
    assert any(m.startswith("Counting differences: pair 1 of 1") for m in seen)
    assert "1 matched pair(s) among 20 pages" in win.statusBar().currentMessage()


def test_opening_another_matter_ends_a_matching_still_queued(qtbot, threaded_win,
                                                              matter_path, tmp_path) -> None:
    """Matching waits on the worker; another matter is opened (its worker stops, the queued
    matching never runs): the compare window stops saying it is matching, and matching can
    start again on the new matter."""
    import threading

    from ui.compare.view import show_compare

    win = threaded_win
    other = tmp_path / "other.vaughn"
    shutil.copy(matter_path, other)
    gate = threading.Event()
    win.worker.submit(lambda ctx: gate.wait(0.5))  # matching queues behind this
    view = show_compare(win)
    assert view.running and win.jobs.running("compare") is not None
    win.open_matter(other)
    assert not view.running and win.jobs.running("compare") is None
    assert view.status.currentMessage() == "Matching cancelled"
    qtbot.waitUntil(win.ready, timeout=15000)
    view = show_compare(win)  # on the new matter: matched from the start
    qtbot.waitUntil(lambda: not view.running and view.pairs_model.rowCount() == 1,
                    timeout=30000)
