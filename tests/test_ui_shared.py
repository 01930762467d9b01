"""The review window on a shared matter on a real PostgreSQL server (issue #20): another
reviewer's change shows up by itself, and a change over it is refused, told, and shown."""

from __future__ import annotations

import pytest
from pg_harness import load_matter

from app.matter.store import Matter
from app.session import Session

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

REVIEWER = "Ann Window"


@pytest.fixture
def shared_url(pdf_matter_template, tmp_path, server_url) -> str:
    return load_matter(server_url, pdf_matter_template)


def _open(qtbot, monkeypatch, location: str):
    """The review window on ``location``, its matter work inline, shown and ready."""
    from ui.window import MainWindow

    monkeypatch.setenv("VAUGHN_REVIEWER", REVIEWER)
    w = MainWindow(inline_worker=True)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    w.open_matter(location)
    qtbot.waitUntil(w.ready, timeout=15000)
    return w


@pytest.fixture
def win(qtbot, shared_url, monkeypatch):
    w = _open(qtbot, monkeypatch, shared_url)
    yield w
    w.close()


def _settle(qtbot, w) -> None:
    qtbot.waitUntil(lambda: w.hub.in_flight == 0 and w.worker.pending() == 0, timeout=10000)
    qtbot.waitUntil(w.ready, timeout=10000)


def _page_with_redactions(w) -> int:
    with Session.open(w.matter_path) as s:
        return int(s.matter.scalar("SELECT page_id FROM redactions GROUP BY page_id "
                                   "HAVING count(*) >= 2 ORDER BY page_id LIMIT 1"))


def test_title_names_the_server_without_the_password(win) -> None:
    assert "(shared, NOT encrypted)" in win.windowTitle()  # the test server has no TLS
    assert "admin-test-only" not in win.windowTitle()


def test_another_reviewers_change_appears_by_itself(qtbot, win) -> None:
    page = _page_with_redactions(win)
    win.show_page(page)
    qtbot.waitUntil(lambda: win.page is not None and win.page.id == page, timeout=10000)
    rid = win.page.redactions[0].id
    with Session.open(win.matter_path) as bob:
        bob.writer("Bob").set_exemptions([rid], ["b5"])
    qtbot.waitUntil(lambda: win.redaction(rid).exemptions == ("(b)(5)",), timeout=5000)


def _conflict_box(w):
    from PySide6.QtWidgets import QMessageBox

    boxes = [b for b in w.findChildren(QMessageBox) if b.objectName() == "conflict_box"
             and b.isVisible()]
    return boxes[-1] if boxes else None


def _click(box, text: str) -> None:
    button = next(b for b in box.buttons() if b.text() == text)
    button.click()


def test_a_change_over_anothers_is_refused_told_and_the_reviewer_chooses(qtbot, win) -> None:
    page = _page_with_redactions(win)
    win.show_page(page)
    qtbot.waitUntil(lambda: win.page is not None and win.page.id == page, timeout=10000)
    _settle(qtbot, win)
    win.hub._watch.stop()  # Bob's change lands before this window has heard of it
    red = win.page.redactions[-1]
    with Session.open(win.matter_path) as bob:
        bob.writer("Bob").set_exemptions([red.id], ["b5"])
    win.select_redaction(red.id)
    qtbot.keyClick(win.page_view, Qt.Key.Key_1)  # (b)(1) over what she saw
    _settle(qtbot, win)
    assert "Bob changed this redaction" in win.statusBar().currentMessage()
    qtbot.waitUntil(lambda: win.redaction(red.id).exemptions == ("(b)(5)",), timeout=5000)
    assert win.hub.stack.count() == 0  # nothing to undo: nothing was written
    box = _conflict_box(win)
    assert box is not None and "Bob set the codes to (b)(5)" in box.text()
    _click(box, "Keep theirs")
    _settle(qtbot, win)
    assert win.redaction(red.id).exemptions == ("(b)(5)",) and win.hub.stack.count() == 0
    # again: Bob changes it, Ann's change is refused, and this time she applies hers
    with Session.open(win.matter_path) as bob:
        bob.writer("Bob").set_exemptions([red.id], ["b6"])
    win.activateWindow()  # the dialog has gone: the window has the keyboard again
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)
    qtbot.keyClick(win.page_view, Qt.Key.Key_1)
    _settle(qtbot, win)
    qtbot.waitUntil(lambda: _conflict_box(win) is not None, timeout=5000)
    _click(_conflict_box(win), "Apply mine")
    _settle(qtbot, win)
    qtbot.waitUntil(lambda: win.redaction(red.id).exemptions == ("(b)(6)", "(b)(1)"),
                    timeout=5000)
    assert win.hub.stack.count() == 1  # her change is one undo step


def test_next_in_my_batches_and_the_progress_in_statistics(qtbot, win) -> None:
    from ui.compare.statistics import show_statistics

    with Session.open(win.matter_path) as lead:
        pages = [r[0] for r in lead.matter.conn.execute(
            "SELECT DISTINCT page_id FROM redactions ORDER BY page_id DESC LIMIT 2")]
        from app.review.batches import assign

        assign(lead.matter, "Lee Lead", "Ann's pages", REVIEWER, pages)
    win.action_table.by_name["next_batch"].trigger()
    qtbot.waitUntil(lambda: win.page is not None and win.page.id == min(pages), timeout=5000)
    win.action_table.by_name["next_batch"].trigger()
    qtbot.waitUntil(lambda: win.page is not None and win.page.id == max(pages), timeout=5000)
    view = show_statistics(win)
    assert view is not None
    qtbot.waitUntil(lambda: view.batches_table.rowCount() == 2 or 'Error' in view.status.text(),
                    timeout=5000)
    assert view.batches_table.rowCount() == 2, view.status.text()
    assert view.batches_table.item(0, 0).text() == "Ann's pages"
    assert view.batches_table.item(0, 2).text() == "2"
    view.close()


def test_a_change_made_while_the_server_is_down_is_kept_and_sent(
        qtbot, pdf_matter_template, tmp_path, monkeypatch) -> None:
    """The server dies mid-review: the action is kept, the window says so, and when the
    server is back it is sent by itself; the window goes on working on the same connection
    object (it reconnects)."""
    import pg_harness

    server = pg_harness.LocalServer()
    server.start()
    try:
        url = pg_harness.load_matter(server.new_database("down"), pdf_matter_template)
        w = _open(qtbot, monkeypatch, url)
        page = _page_with_redactions(w)
        w.show_page(page)
        qtbot.waitUntil(lambda: w.page is not None and w.page.id == page, timeout=10000)
        _settle(qtbot, w)
        red = w.page.redactions[0]
        server.stop("immediate")
        w.select_redaction(red.id)
        qtbot.keyClick(w.page_view, Qt.Key.Key_5)  # (b)(5), while the server is away
        qtbot.waitUntil(lambda: "kept (1 waiting)" in w.statusBar().currentMessage(),
                        timeout=10000)
        assert len(w.hub.outbox) == 1
        server.start()
        qtbot.waitUntil(lambda: not w.hub.outbox, timeout=20000)
        assert "every change kept meanwhile was sent" in w.statusBar().currentMessage()
        with Matter.open(url) as check:
            codes = check.scalar("SELECT exemptions_reviewed FROM redactions WHERE id = ?",
                                 (red.id,))
            assert "(b)(5)" in codes
        w.close()
    finally:
        server.close()


def test_the_search_box_searches_the_shared_matter(qtbot, win, pdf_matter_template) -> None:
    """A query typed in the window finds on the server the pages it finds in the file, and
    the first hit's page shows its hits highlighted."""
    from app.search.index import page_ids

    _settle(qtbot, win)
    with Session.open(str(pdf_matter_template)) as s:
        want = page_ids(s.matter, "memo OR officer")
    assert want
    with qtbot.waitSignal(win.searching.searchDone, timeout=10000):
        win.searching.run_search("memo OR officer")
    model = win.searching.search_panel.model
    qtbot.waitUntil(lambda: model.total == len(want), timeout=10000)
    assert model.page_ids() == want[:len(model.page_ids())]
    win.show_page(want[0])
    qtbot.waitUntil(lambda: win.page_id == want[0] and bool(win.page_view.canvas.hits),
                    timeout=10000)
