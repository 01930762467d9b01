"""The review window, driven for real (offscreen) on an ingested production.

Every change made through the window is checked in the matter file with a fresh SQLite
connection, not only in widget state.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import QPoint, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REVIEWER = "Test Reviewer"


@pytest.fixture
def template(pdf_matter_template) -> Path:
    return pdf_matter_template


@pytest.fixture
def matter_path(template, tmp_path) -> Path:
    path = tmp_path / "review.vaughn"
    shutil.copy(template, path)
    return path


def _open_window(qtbot, matter_path, monkeypatch, inline: bool):
    from ui.window import MainWindow

    monkeypatch.setenv("VAUGHN_REVIEWER", REVIEWER)
    w = MainWindow(inline_worker=inline)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    w.open_matter(matter_path)
    qtbot.waitUntil(w.ready, timeout=15000)
    return w


@pytest.fixture
def win(qtbot, matter_path, monkeypatch):
    """The review window on a matter, its matter work inline on the GUI thread."""
    w = _open_window(qtbot, matter_path, monkeypatch, inline=True)
    yield w
    w.close()


@pytest.fixture
def threaded_win(qtbot, matter_path, monkeypatch):
    """The same with the worker thread the program uses, for the tests about threading."""
    w = _open_window(qtbot, matter_path, monkeypatch, inline=False)
    yield w
    w.close()


def db(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


def settle(qtbot, w) -> None:
    """Wait until every queued op and read has come back and the page is painted."""
    qtbot.waitUntil(lambda: w.hub.in_flight == 0 and w.worker.pending() == 0, timeout=10000)
    qtbot.waitUntil(w.ready, timeout=10000)


def key(qtbot, w, k, mod=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(w.page_view, k, mod)


def click_redaction(qtbot, w, rid: int) -> None:
    red = w.redaction(rid)
    center = w.page_view.canvas.rect_of(red.bbox).center()
    w.page_view.ensureVisible(int(center.x()), int(center.y()))
    qtbot.mouseClick(w.page_view.canvas, Qt.MouseButton.LeftButton,
                     pos=QPoint(int(center.x()), int(center.y())))


def page_with_redactions(w, minimum: int = 2) -> int:
    conn = db(w.matter_path)
    return conn.execute("SELECT page_id FROM redactions GROUP BY page_id HAVING count(*) >= ? "
                        "ORDER BY page_id LIMIT 1", (minimum,)).fetchone()[0]


def goto(qtbot, w, page_id: int) -> None:
    w.show_page(page_id)
    qtbot.waitUntil(lambda: w.page is not None and w.page.id == page_id, timeout=10000)
    qtbot.waitUntil(w.ready, timeout=10000)


# -- opening and navigation -----------------------------------------------------------------------


def test_opens_on_first_page_with_overlays_and_navigates_by_keys(qtbot, win) -> None:
    conn = db(win.matter_path)
    pages = [r[0] for r in conn.execute("SELECT id FROM pages ORDER BY id")]
    assert win.page_id == pages[0]
    assert win.page_view.canvas.has_sharp_image()
    assert len(win.page.redactions) == conn.execute(
        "SELECT count(*) FROM redactions WHERE page_id = ?", (pages[0],)).fetchone()[0]
    assert win.tree_model.pages == pages
    key(qtbot, win, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: win.page is not None and win.page.id == pages[1])
    key(qtbot, win, Qt.Key.Key_PageUp)
    qtbot.waitUntil(lambda: win.page is not None and win.page.id == pages[0])
    # next document
    docs = [r[0] for r in conn.execute("SELECT document_id FROM pages ORDER BY id")]
    if len(set(docs)) > 1:
        first_of_next = pages[docs.index(next(d for d in docs if d != docs[0]))]
        key(qtbot, win, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: win.page is not None and win.page.id == first_of_next)
    # next redaction, across pages
    goto(qtbot, win, page_with_redactions(win))
    key(qtbot, win, Qt.Key.Key_J)
    first = win.page.redactions[0].id
    assert win.selected == first
    key(qtbot, win, Qt.Key.Key_J)
    assert win.selected == win.page.redactions[1].id
    key(qtbot, win, Qt.Key.Key_K)
    assert win.selected == first
    # the shortcut sheet lists the keys
    rows = dict((t, k) for k, t in win.action_table.shortcut_rows())
    assert rows["Next page"].startswith("PgDown")
    assert "1" in rows["(b)(1) Classified"]
    key(qtbot, win, Qt.Key.Key_Question)
    qtbot.waitUntil(lambda: win.action_table.sheet is not None
                    and win.action_table.sheet.isVisible())


def test_bates_and_zoom(qtbot, win) -> None:
    conn = db(win.matter_path)
    pid, bates = conn.execute("SELECT id, bates FROM pages WHERE bates IS NOT NULL "
                              "ORDER BY id DESC LIMIT 1").fetchone()
    win.nav.go_to_bates(bates)
    qtbot.waitUntil(lambda: win.page is not None and win.page.id == pid, timeout=10000)
    qtbot.waitUntil(win.ready)
    zoom = win.page_view.canvas.zoom
    win.action_table.by_name["zoom_in"].trigger()
    qtbot.waitUntil(win.ready)
    assert win.page_view.canvas.zoom == pytest.approx(zoom * 1.25)
    assert win.page_view.canvas.has_sharp_image()


# -- review actions, checked in the file ------------------------------------------------------------


def test_click_overlay_then_number_key_and_claims_panel_change_codes(qtbot, win) -> None:
    goto(qtbot, win, page_with_redactions(win))
    red = win.page.redactions[-1]
    click_redaction(qtbot, win, red.id)
    assert win.selected == red.id
    key(qtbot, win, Qt.Key.Key_1)  # (b)(1)
    settle(qtbot, win)
    conn = db(win.matter_path)
    row = conn.execute("SELECT exemptions, exemptions_reviewed FROM redactions WHERE id = ?",
                       (red.id,)).fetchone()
    assert row["exemptions"] == json.dumps(red.stamped)  # the stamp stays as read
    assert json.loads(row["exemptions_reviewed"]) == [*red.exemptions, "(b)(1)"]
    audit = conn.execute("SELECT reviewer, action, target_kind, target_id FROM audit_log").fetchall()
    assert [tuple(a) for a in audit] == [(REVIEWER, "toggle_exemption", "redaction", red.id)]
    # the claims panel: tick (b)(5), untick everything else
    item = win.claims.codes.item_for("(b)(5)")
    item.setCheckState(Qt.CheckState.Checked)
    settle(qtbot, win)
    codes = json.loads(db(win.matter_path).execute(
        "SELECT exemptions_reviewed FROM redactions WHERE id = ?", (red.id,)).fetchone()[0])
    assert "(b)(5)" in codes and "(b)(1)" in codes
    # a custom code
    win.claims.custom_edit.setText("(j)(2)")
    win.claims.custom_edit.returnPressed.emit()
    settle(qtbot, win)
    codes = json.loads(db(win.matter_path).execute(
        "SELECT exemptions_reviewed FROM redactions WHERE id = ?", (red.id,)).fetchone()[0])
    assert codes[-1] == "(j)(2)"
    assert list(win.redaction(red.id).exemptions) == codes  # the overlay data follows
    # page disposition
    win.claims.disposition.setCurrentIndex(win.claims.disposition.findData("released_in_part"))
    settle(qtbot, win)
    assert db(win.matter_path).execute("SELECT disposition FROM pages WHERE id = ?",
                                       (win.page_id,)).fetchone()[0] == "released_in_part"


def test_challenge_with_ground_argument_and_status(qtbot, win) -> None:
    goto(qtbot, win, page_with_redactions(win))
    rid = win.page.redactions[0].id
    click_redaction(qtbot, win, rid)
    assert win.target() == ("redaction", rid)
    qtbot.waitUntil(lambda: win.review_ready)
    win.challenge.grounds.item_for("segregability").setCheckState(Qt.CheckState.Checked)
    win.challenge.argument.setPlainText("The facts in this paragraph are segregable.")
    win.challenge.argument.commit()
    key(qtbot, win, Qt.Key.Key_C)  # mark challenged
    settle(qtbot, win)
    rows = db(win.matter_path).execute("SELECT * FROM challenges").fetchall()
    assert len(rows) == 1, [dict(r) for r in rows]
    row = rows[0]
    assert (row["target_kind"], row["target_id"]) == ("redaction", rid)
    assert json.loads(row["grounds"]) == ["segregability"]
    assert row["argument"] == "The facts in this paragraph are segregable."
    assert row["status"] == "challenge" and row["reviewer"] == REVIEWER
    assert win.redaction(rid).status == "challenge"  # overlay colour source
    qtbot.waitUntil(lambda: win.tree_model.row(win.page_id).challenged >= 1)
    # evidence and a page-level challenge
    win.challenge.kind.setCurrentIndex(win.challenge.kind.findData("page"))
    qtbot.waitUntil(lambda: win.review_ready and win.challenge.target == ("page", win.page_id))
    win.challenge.cite.setText("Decl. ¶ 12")
    win.challenge.cite.setModified(True)
    win.challenge.cite.editingFinished.emit()
    settle(qtbot, win)
    page_row = db(win.matter_path).execute(
        "SELECT evidence_cite, status FROM challenges WHERE target_kind = 'page'").fetchone()
    assert tuple(page_row) == ("Decl. ¶ 12", "not_reviewed")


def test_exhibit_note_and_new_tag_from_the_panel(qtbot, win) -> None:
    goto(qtbot, win, page_with_redactions(win))
    doc = win.page.document_id
    win.challenge.kind.setCurrentIndex(win.challenge.kind.findData("document"))
    qtbot.waitUntil(lambda: win.review_ready and win.challenge.target == ("document", doc))
    win.challenge.exhibit_number.setText("PX-7")
    win.challenge.exhibit_number.setModified(True)
    win.challenge.exhibit_desc.setText("Weekly report")
    win.challenge.exhibit_desc.setModified(True)
    win.challenge.exhibit_desc.editingFinished.emit()
    settle(qtbot, win)
    row = db(win.matter_path).execute("SELECT number, description, document_id FROM exhibits"
                                      ).fetchone()
    assert tuple(row) == ("PX-7", "Weekly report", doc)
    win.challenge.note_edit.setText("Ask the agency about the attachment")
    win.challenge.note_edit.returnPressed.emit()
    settle(qtbot, win)
    note = db(win.matter_path).execute("SELECT target_kind, target_id, text, reviewer "
                                       "FROM notes").fetchone()
    assert tuple(note) == ("document", doc, "Ask the agency about the attachment", REVIEWER)
    qtbot.waitUntil(lambda: "attachment" in win.challenge.notes_label.text())
    win.challenge.tagCreated.emit(("document", doc), "FOIA appeal", "#00aa00")
    settle(qtbot, win)
    assert tuple(db(win.matter_path).execute("SELECT name, color FROM tags").fetchone()) == (
        "FOIA appeal", "#00aa00")
    qtbot.waitUntil(lambda: "FOIA appeal" in win.challenge.tag_buttons)
    qtbot.waitUntil(lambda: win.challenge.tag_buttons["FOIA appeal"].isChecked())


def test_tag_undo_redo_each_one_step(qtbot, win) -> None:
    goto(qtbot, win, page_with_redactions(win))
    rid = win.page.redactions[0].id
    click_redaction(qtbot, win, rid)

    def links() -> list[tuple]:
        return [tuple(r) for r in db(win.matter_path).execute(
            "SELECT t.name, l.target_kind, l.target_id FROM tag_links l "
            "JOIN tags t ON t.id = l.tag_id")]

    key(qtbot, win, Qt.Key.Key_H)
    settle(qtbot, win)
    assert links() == [("hot", "redaction", rid)]
    qtbot.waitUntil(lambda: win.challenge.tag_buttons["hot"].isChecked())
    key(qtbot, win, Qt.Key.Key_2)
    settle(qtbot, win)
    assert "(b)(2)" in win.redaction(rid).exemptions
    key(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the code
    settle(qtbot, win)
    assert db(win.matter_path).execute("SELECT exemptions_reviewed FROM redactions WHERE id = ?",
                                       (rid,)).fetchone()[0] is None
    assert links() == [("hot", "redaction", rid)]
    key(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the tag
    settle(qtbot, win)
    assert links() == []
    key(qtbot, win, Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    settle(qtbot, win)
    assert links() == [("hot", "redaction", rid)]
    key(qtbot, win, Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    settle(qtbot, win)
    assert "(b)(2)" in json.loads(db(win.matter_path).execute(
        "SELECT exemptions_reviewed FROM redactions WHERE id = ?", (rid,)).fetchone()[0])
    actions = [r[0] for r in db(win.matter_path).execute("SELECT action FROM audit_log "
                                                         "ORDER BY id")]
    assert actions == ["add_tag", "add_tag", "toggle_exemption", "undo toggle_exemption",
                       "undo add_tag", "undo add_tag", "redo add_tag", "redo add_tag",
                       "redo toggle_exemption"]
    assert win.hub.stack.count() == 2


def test_search_step_hits_and_bulk_tag_results(qtbot, win) -> None:
    conn = db(win.matter_path)
    word = "review"
    expected = [r[0] for r in conn.execute(
        "SELECT rowid FROM page_text_fts WHERE page_text_fts MATCH ? ORDER BY rowid", (word,))]
    assert len(expected) >= 2
    win.searching.search_edit.setText(word)
    with qtbot.waitSignal(win.searching.searchDone, timeout=10000):
        qtbot.keyClick(win.searching.search_edit, Qt.Key.Key_Return)
    assert win.searching.search_panel.model.total == len(expected)
    assert str(len(expected)) in win.searching.search_panel.count_label.text()
    assert "<b" in win.searching.search_panel.model.data(win.searching.search_panel.model.index(0, 0),
                                                Qt.ItemDataRole.UserRole + 1)
    key(qtbot, win, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: win.page is not None and win.page.id == expected[0])
    qtbot.waitUntil(lambda: bool(win.page_view.canvas.hits), timeout=10000)
    key(qtbot, win, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: win.page is not None and win.page.id == expected[1])
    key(qtbot, win, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: win.page is not None and win.page.id == expected[0])
    # bulk tag: one transaction, one undo step
    win.searching.tag_all_results("exhibit candidate")
    settle(qtbot, win)
    tagged = [r[0] for r in db(win.matter_path).execute(
        "SELECT l.target_id FROM tag_links l JOIN tags t ON t.id = l.tag_id "
        "WHERE t.name = 'exhibit candidate' AND l.target_kind = 'page' ORDER BY 1")]
    assert tagged == expected
    assert db(win.matter_path).execute(
        "SELECT count(DISTINCT op_id) FROM audit_log").fetchone()[0] == 1
    win.filters.set_filter("tag", "exhibit candidate")
    qtbot.waitUntil(lambda: win.tree_model.pages == expected, timeout=10000)
    win.action_table.by_name["undo"].trigger()
    settle(qtbot, win)
    assert db(win.matter_path).execute("SELECT count(*) FROM tag_links").fetchone()[0] == 0


def test_filters_match_the_matter(qtbot, win) -> None:
    conn = db(win.matter_path)
    bad = [r[0] for r in conn.execute(
        "SELECT DISTINCT page_id FROM redactions WHERE bad = 1 ORDER BY 1")]
    win.filters.set_filter("bad")
    qtbot.waitUntil(lambda: win.tree_model.pages == bad, timeout=10000)
    withheld = [r[0] for r in conn.execute(
        "SELECT id FROM pages WHERE withheld_in_full = 1 ORDER BY 1")]
    win.filters.set_filter("withheld")
    qtbot.waitUntil(lambda: win.tree_model.pages == withheld, timeout=10000)
    win.filters.set_filter("exemption", "(b)(6)")
    b6 = [r[0] for r in conn.execute(
        "SELECT DISTINCT page_id FROM redactions r, json_each(r.exemptions) j "
        "WHERE j.value = '(b)(6)' ORDER BY 1")]
    qtbot.waitUntil(lambda: win.tree_model.pages == b6, timeout=10000)
    win.filters.set_filter("all")
    qtbot.waitUntil(lambda: len(win.tree_model.pages) == conn.execute(
        "SELECT count(*) FROM pages").fetchone()[0])
    # unreviewed: after accepting every redaction of a page, the page leaves the filter
    pid = page_with_redactions(win)
    goto(qtbot, win, pid)
    ids = [r.id for r in win.page.redactions]
    win._run("Accept page",
             lambda w: w.set_review([("redaction", i) for i in ids], {"status": "accept"}))
    settle(qtbot, win)
    win.filters.set_filter("unreviewed")
    qtbot.waitUntil(lambda: win.tree_model.pages and pid not in win.tree_model.pages,
                    timeout=10000)
    key(qtbot, win, Qt.Key.Key_U)  # next unreviewed redaction: on another page
    qtbot.waitUntil(lambda: win.page is not None and win.page.id != pid, timeout=10000)
    qtbot.waitUntil(lambda: win.selected is not None)
    assert win.redaction(win.selected).status == "not_reviewed"


def test_layout_and_reviewer_remembered_in_private_settings(qtbot, matter_path,
                                                             private_data_dir) -> None:
    from ui import settings as prefs
    from ui.window import MainWindow

    prefs.set_reviewer("Remembered Name")
    w = MainWindow(inline_worker=True)
    qtbot.addWidget(w)
    w.show()
    w.splitter.setSizes([250, 700, 450])
    sizes = w.splitter.sizes()
    w.open_matter(matter_path)
    qtbot.waitUntil(w.ready, timeout=15000)
    w.close()
    assert (private_data_dir / "settings.ini").exists()
    w2 = MainWindow(inline_worker=True)
    qtbot.addWidget(w2)
    assert w2.splitter.sizes() == sizes
    assert w2.reviewer() == "Remembered Name"
    assert str(matter_path.resolve()) in prefs.recent_matters()


def test_read_only_matter_shows_banner_and_refuses_changes(qtbot, matter_path,
                                                           monkeypatch) -> None:
    from ui.window import MainWindow

    monkeypatch.setenv("VAUGHN_REVIEWER", REVIEWER)
    w = MainWindow(inline_worker=True)
    qtbot.addWidget(w)
    w.show()
    w.open_matter(matter_path, read_only=True)
    qtbot.waitUntil(w.ready, timeout=15000)
    assert w.banner.isVisible() and "read-only" in w.banner.text()
    w.reviewing.set_status("accept")
    assert w.hub.stack.count() == 0
    w.close()
    assert db(matter_path).execute("SELECT count(*) FROM challenges").fetchone()[0] == 0


def test_second_window_on_a_held_matter_opens_read_only(qtbot, win, matter_path,
                                                        monkeypatch) -> None:
    """A matter another window holds opens read-only with a banner, and nothing is written."""
    import subprocess
    import sys

    from ui.window import MainWindow

    w2 = MainWindow(inline_worker=True)
    qtbot.addWidget(w2)
    w2.show()
    w2.open_matter(matter_path)
    qtbot.waitUntil(w2.ready, timeout=15000)
    assert w2.read_only and "another Vaughn window" in w2.banner.text()
    w2.reviewing.set_status("accept")
    assert w2.hub.stack.count() == 0
    # another process is refused the window lock too while the first window holds it
    code = ("import sys; from app.matter.lock import InstanceLock; "
            f"sys.exit(0 if InstanceLock({str(matter_path)!r}).acquire() else 3)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 3
    w2.close()
    assert not win.read_only
    assert db(matter_path).execute("SELECT count(*) FROM challenges").fetchone()[0] == 0


# -- never frozen ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def larger_production(pdf_production, tmp_path_factory) -> tuple[Path, int]:
    """About 1,000 pages (the issue's figure): copies of the generated PDF, each a new file."""
    import pymupdf

    src = next(pdf_production[0].glob("*.pdf"))
    out = tmp_path_factory.mktemp("larger")
    pages = 0
    copies = 0
    while pages < 1000:
        doc = pymupdf.open(src)
        doc.set_metadata({"title": f"copy {copies}"})
        doc.save(out / f"copy_{copies:03d}.pdf")
        pages += doc.page_count
        doc.close()
        copies += 1
    return out, pages


def test_event_loop_answers_while_ingesting_in_background(qtbot, threaded_win,
                                                          larger_production) -> None:
    win = threaded_win
    folder, pages = larger_production
    before = db(win.matter_path).execute("SELECT count(*) FROM pages").fetchone()[0]
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(20)
    win.ingester.start_ingest([str(folder)], production="Tranche 2")
    assert win.ingester.ingesting
    started = time.perf_counter()
    shown = []
    win.pageShown.connect(shown.append)
    navigated = 0
    while win.ingester.ingesting:
        qtbot.wait(150)
        if navigated < 20:  # the reviewer keeps working: pages load between ingest pages
            win.activateWindow()
            key(qtbot, win, Qt.Key.Key_PageDown)
            navigated += 1
        assert time.perf_counter() - started < 300
    timer.stop()
    elapsed = time.perf_counter() - started
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert elapsed > 1.0, "the ingest was too quick to prove anything"
    # the GUI thread never waits on the ingest: a blocking call would stall it for the whole
    # ingest, so no gap may come near that; and the loop answers at its pace nearly always.
    # (A fixed bound on the longest gap measured the machine's load, not Vaughn: on a busy
    # two-core runner one scheduling hiccup of a second came out as a failure.) The typical
    # gap is printed; benchmarks/ui.py measures it.
    gaps.sort()
    p95 = gaps[int(len(gaps) * 0.95)]
    assert gaps[-1] < 0.25 * elapsed, (
        f"event loop stalled {gaps[-1] * 1000:.0f} ms of a {elapsed:.1f} s ingest")
    assert p95 < 0.25, f"event loop slow: 95th-percentile gap {p95 * 1000:.0f} ms"
    assert len(shown) >= 5, f"only {len(shown)} pages loaded during a {elapsed:.1f} s ingest"
    print(f"ingest {pages} pages in {elapsed:.1f} s; event-loop gap p95 {p95 * 1000:.0f} ms, "
          f"longest {gaps[-1] * 1000:.0f} ms; {len(shown)} pages shown meanwhile")
    after = db(win.matter_path).execute("SELECT count(*) FROM pages").fetchone()[0]
    assert after - before == pages
    qtbot.waitUntil(lambda: len(win.tree_model.pages) == after, timeout=10000)


def test_ingest_can_be_cancelled(qtbot, win, larger_production) -> None:
    folder, pages = larger_production
    with qtbot.waitSignal(win.ingester.ingestDone, timeout=120000) as blocker:
        win.ingester.start_ingest([str(folder)], production="Tranche 3")
        # cancel once the first file is in: the dialog's value counts the files done
        qtbot.waitUntil(lambda: win.ingester.ingest_dialog.value() >= 1, timeout=60000)
        from PySide6.QtWidgets import QPushButton

        win.ingester.ingest_dialog.findChild(QPushButton).click()  # the dialog's Cancel button
    from app.errors import Cancelled

    assert isinstance(blocker.args[0], Cancelled)
    added = db(win.matter_path).execute(
        "SELECT count(*) FROM pages p JOIN productions pr ON pr.id = p.production_id "
        "WHERE pr.name = 'Tranche 3'").fetchone()[0]
    assert added < pages


# -- --screenshot ------------------------------------------------------------------------------------


def test_screenshot_subprocess_saves_the_painted_window(matter_path, tmp_path) -> None:
    out = tmp_path / "out.png"
    conn = db(matter_path)
    bates = conn.execute("SELECT p.bates FROM pages p JOIN redactions r ON r.page_id = p.id "
                         "WHERE p.bates IS NOT NULL ORDER BY p.id DESC LIMIT 1").fetchone()[0]
    proc = subprocess.run(
        [sys.executable, "main.py", str(matter_path), "--screenshot", str(out), "--size",
         "1600x1000", "--bates", bates],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1600, 1000)
    colours = {image.pixel(x, y) for x in range(0, 1600, 17) for y in range(0, 1000, 13)}
    assert len(colours) > 20, "the screenshot looks blank"
    # the page area holds the rendered page: lots of white and some dark text pixels
    centre = [QImage.pixelColor(image, x, 500).lightness() for x in range(500, 1100, 3)]
    assert max(centre) > 240 and min(centre) < 80


def test_window_modules_keep_heavy_imports_off_the_first_paint() -> None:
    code = ("import sys, ui.app, ui.window\n"
            "from app.search.index import SNIPPET_OPEN, SNIPPET_CLOSE\n"
            "from ui.models.hits import SNIPPET_OPEN as A, SNIPPET_CLOSE as B\n"
            "assert (A, B) == (SNIPPET_OPEN, SNIPPET_CLOSE)\n")
    code_light = ("import sys, ui.app, ui.window\n"
                  "heavy = [m for m in ('pymupdf', 'fitz', 'sqlite_utils') if m in sys.modules]\n"
                  "print(heavy)\n")
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code_light], cwd=ROOT, capture_output=True,
                         text=True, env=env)
    assert out.stdout.strip() == "[]", out.stderr
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env).returncode == 0
