"""Saved searches, search history and encrypted-PDF passwords, driven in the real window.

The window and its fixtures are those of ``test_ui_window`` (offscreen, an ingested
production); what the window does is checked in the matter file with a fresh SQLite
connection.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

import test_ui_window as base  # noqa: E402
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402
from PySide6.QtWidgets import QInputDialog, QLineEdit  # noqa: E402
from test_ui_window import db, key, settle  # noqa: E402

template, matter_path, win = base.template, base.matter_path, base.win  # the same fixtures


def fts_pages(path: Path, word: str) -> list[int]:
    return [r[0] for r in db(path).execute(
        "SELECT rowid FROM page_text_fts WHERE page_text_fts MATCH ? ORDER BY rowid", (word,))]


def saved_rows(path: Path) -> dict[str, str]:
    return {r["name"]: r["query"] for r in db(path).execute(
        "SELECT name, query FROM saved_searches")}


def click_item(qtbot, panel, name: str) -> None:
    item = panel.item_for(name)
    assert item is not None, name
    rect = panel.list.visualItemRect(item)
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_save_run_and_delete_a_saved_search_with_its_count(qtbot, win, monkeypatch) -> None:
    expected = fts_pages(win.matter_path, "review")
    assert len(expected) >= 2
    win.searching.search_edit.setText("review")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Reviews", True))
    with qtbot.waitSignal(win.searching.savedLoaded, timeout=10000):
        qtbot.mouseClick(win.searching.saved_panel.save_button, Qt.MouseButton.LeftButton)
    assert saved_rows(win.matter_path) == {"Reviews": "review"}
    item = win.searching.saved_panel.item_for("Reviews")
    assert item is not None and f"{len(expected)} pages" in item.text()
    # clicking it runs it
    win.searching.search_edit.clear()
    with qtbot.waitSignal(win.searching.searchDone, timeout=10000):
        click_item(qtbot, win.searching.saved_panel, "Reviews")
    assert win.searching.search_edit.text() == "review"
    assert win.searching.search_panel.model.page_ids() == expected
    assert win.left.currentWidget() is win.searching.search_tab
    # delete the selected one
    assert win.searching.saved_panel.delete_button.isEnabled()
    with qtbot.waitSignal(win.searching.savedLoaded, timeout=10000):
        qtbot.mouseClick(win.searching.saved_panel.delete_button, Qt.MouseButton.LeftButton)
    assert saved_rows(win.matter_path) == {}
    assert win.searching.saved_panel.list.count() == 0


def test_saved_field_query_count_follows_review_ops(qtbot, win) -> None:
    with qtbot.waitSignal(win.searching.savedLoaded, timeout=10000):
        win.searching.save_search("Hot pages", "tag:hot")
    assert saved_rows(win.matter_path) == {"Hot pages": "tag:hot"}
    assert "0 pages" in win.searching.saved_panel.item_for("Hot pages").text()
    page = win.page_id
    with qtbot.waitSignal(win.searching.savedLoaded, timeout=10000):
        key(qtbot, win, Qt.Key.Key_H)  # tag the page "hot": one review op, counts refresh
    tagged = db(win.matter_path).execute(
        "SELECT count(*) FROM tag_links l JOIN tags t ON t.id = l.tag_id WHERE t.name = 'hot' "
        "AND l.target_kind = 'page' AND l.target_id = ?", (page,)).fetchone()[0]
    assert tagged == 1
    assert "1 page" in win.searching.saved_panel.item_for("Hot pages").text()
    with qtbot.waitSignal(win.searching.savedLoaded, timeout=10000):
        win.action_table.by_name["undo"].trigger()
    assert "0 pages" in win.searching.saved_panel.item_for("Hot pages").text()
    # a query that cannot run is refused, nothing stored
    win.searching.save_search("Broken", "(review OR")
    settle(qtbot, win)
    assert "Broken" not in saved_rows(win.matter_path)
    assert "expected" in win.statusBar().currentMessage()


def test_history_is_recorded_and_offered_in_the_search_box(qtbot, win) -> None:
    for query in ("review", "exemption:(b)(6)", "review"):
        with qtbot.waitSignal(win.searching.historyLoaded, timeout=10000):
            win.searching.search_edit.setText(query)
            qtbot.keyClick(win.searching.search_edit, Qt.Key.Key_Return)
    rows = [r[0] for r in db(win.matter_path).execute(
        "SELECT query FROM search_history ORDER BY id")]
    assert rows == ["review", "exemption:(b)(6)", "review"]
    assert win.searching.history_model.stringList() == ["review", "exemption:(b)(6)"]
    completer = win.searching.search_edit.completer()
    assert completer is win.searching.history_completer
    completer.setCompletionPrefix("(b)")
    assert completer.completionCount() == 1
    assert completer.currentCompletion() == "exemption:(b)(6)"


def test_total_not_exact_reads_at_least_then_the_exact_count(qtbot, win, monkeypatch) -> None:
    from dataclasses import replace

    import app.search.index as index

    real = index.search

    def partial(*args, **kwargs):
        r = real(*args, **kwargs)
        return replace(r, total=1, total_exact=False)

    monkeypatch.setattr(index, "search", partial)
    expected = fts_pages(win.matter_path, "review")
    win.searching.search_edit.setText("review")
    with qtbot.waitSignal(win.searching.searchDone, timeout=10000):
        qtbot.keyClick(win.searching.search_edit, Qt.Key.Key_Return)
    assert win.searching.search_panel.count_label.text().startswith("at least 1 page")
    qtbot.waitUntil(lambda: win.searching.search_panel.model.total == len(expected), timeout=10000)
    assert win.searching.search_panel.count_label.text().startswith(f"{len(expected)} pages match")


# -- encrypted PDFs -------------------------------------------------------------------------


@pytest.fixture
def locked_pdf(tmp_path) -> Path:
    import pymupdf

    path = tmp_path / "locked" / "sealed.pdf"
    path.parent.mkdir()
    doc = pymupdf.open()
    for n in range(3):
        page = doc.new_page()
        page.insert_text((72, 100), f"Sealed memorandum page {n + 1} about zanzibar", fontsize=12)
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pw", owner_pw="o")
    doc.close()
    assert pymupdf.open(path).needs_pass
    return path


def drop(w, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    w.dropEvent(event)


def sealed_pages(path: Path) -> int:
    return db(path).execute(
        "SELECT count(*) FROM pages p JOIN source_files f ON f.id = p.source_file_id "
        "WHERE f.path LIKE '%sealed.pdf'").fetchone()[0]


def test_encrypted_pdf_asks_for_the_password_and_wrong_one_asks_again(
        qtbot, win, locked_pdf, monkeypatch) -> None:
    answers = [("nope", True), ("pw", True)]
    asked: list[tuple[str, object]] = []

    def get_text(parent, title, label, echo=QLineEdit.EchoMode.Normal, *a, **k):
        asked.append((label, echo))
        return answers.pop(0)

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    before = db(win.matter_path).execute("SELECT count(*) FROM pages").fetchone()[0]
    with qtbot.waitSignal(win.ingester.passwordsDone, timeout=120000):
        drop(win, [locked_pdf])
    assert len(asked) == 2
    assert "sealed.pdf is encrypted" in asked[0][0]
    assert "wrong" in asked[1][0]
    assert all(echo == QLineEdit.EchoMode.Password for _, echo in asked)
    assert sealed_pages(win.matter_path) == 3
    assert db(win.matter_path).execute("SELECT count(*) FROM pages").fetchone()[0] == before + 3
    text = db(win.matter_path).execute(
        "SELECT count(*) FROM page_text_fts WHERE page_text_fts MATCH 'zanzibar'").fetchone()[0]
    assert text == 3
    qtbot.waitUntil(lambda: len(win.tree_model.pages) == before + 3, timeout=10000)


def test_encrypted_pdf_can_be_skipped(qtbot, win, locked_pdf, monkeypatch) -> None:
    asked: list[str] = []

    def get_text(parent, title, label, *a, **k):
        asked.append(label)
        return ("", False)

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    with qtbot.waitSignal(win.ingester.passwordsDone, timeout=120000):
        win.ingester.start_ingest([str(locked_pdf.parent)])
    assert len(asked) == 1
    assert sealed_pages(win.matter_path) == 0
    assert "Skipped sealed.pdf" in win.statusBar().currentMessage()


# -- thumbnail strip --------------------------------------------------------------------------


def test_thumbnail_strip_renders_lazily_and_goes_to_the_page(qtbot, win) -> None:
    strip = win.thumb_strip
    model = strip.thumbs
    pages = [r[0] for r in db(win.matter_path).execute("SELECT id FROM pages ORDER BY id")]
    assert model.pages == pages
    assert not model.images  # nothing rendered while the tab is hidden
    win.left.setCurrentWidget(strip)
    strip.resize(strip.width(), 400)
    qtbot.waitUntil(lambda: pages[0] in model.images, timeout=15000)
    settle(qtbot, win)

    def visible() -> list[int]:
        return [p for i, p in enumerate(pages)
                if strip.visualRect(model.index(i, 0)).intersects(strip.viewport().rect())]

    qtbot.waitUntil(lambda: visible() and set(visible()) <= set(model.images), timeout=15000)
    assert len(pages) > len(visible()) + 2, "the production is too short to show laziness"
    assert len(model.images) < len(pages)  # only rows that came on screen
    first = model.images[pages[0]]
    assert 0 < first.width() <= 110 and 0 < first.height() <= 140
    # scrolled to the end, the last page gets its thumbnail
    strip.scrollToBottom()
    qtbot.waitUntil(lambda: pages[-1] in model.images, timeout=15000)
    # clicking a thumbnail goes to its page
    row = len(pages) - 1
    rect = strip.visualRect(model.index(row, 0))
    qtbot.mouseClick(strip.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: win.page is not None and win.page.id == pages[-1], timeout=10000)
    assert strip.currentIndex().row() == row
