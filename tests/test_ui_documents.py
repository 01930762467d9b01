"""Record boundaries in the review window: B splits, Shift+B merges, Ctrl+Z undoes; the tree
shows each record with its type, date and title. Checked in the matter file and the tree."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import Qt  # noqa: E402

from tests.test_ui_window import REVIEWER, goto, key, settle  # noqa: E402


@pytest.fixture
def win(qtbot, pdf_matter_template, tmp_path, monkeypatch):
    from ui.window import MainWindow

    path = tmp_path / "docs.vaughn"
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
    qtbot.waitUntil(lambda: bool(w.tree_model.docs), timeout=15000)
    yield w
    w.close()


def records(path) -> list[tuple[str, int]]:
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT d.begbates, count(p.id) FROM documents d JOIN pages p ON "
                        "p.document_id = d.id GROUP BY d.id ORDER BY min(p.id)").fetchall()
    conn.close()
    return [tuple(r) for r in rows]


def test_split_merge_undo_by_keys_and_tree(qtbot, win) -> None:
    path = win.matter_path
    before = records(path)
    conn = sqlite3.connect(path)
    doc_id, = conn.execute("SELECT document_id FROM pages GROUP BY document_id "
                           "HAVING count(*) >= 3 ORDER BY min(id) LIMIT 1").fetchone()
    second, bates = conn.execute("SELECT id, bates FROM pages WHERE document_id = ? "
                                 "ORDER BY id LIMIT 1 OFFSET 1", (doc_id,)).fetchone()
    conn.close()
    labels = [d[2] for d in win.tree_model.docs]
    assert any(" · e-mail · " in label for label in labels)  # type and date in the tree

    goto(qtbot, win, second)
    key(qtbot, win, Qt.Key.Key_B)
    settle(qtbot, win)
    after = records(path)
    assert len(after) == len(before) + 1 and (bates, after[[b for b, _ in after].index(bates)][1])
    qtbot.waitUntil(lambda: len(win.tree_model.docs) == len(before) + 1, timeout=10000)
    assert any(d[2].startswith(bates) for d in win.tree_model.docs)
    assert win.tree_model.doc_of_page[second] != doc_id

    key(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, win)
    assert records(path) == before
    qtbot.waitUntil(lambda: len(win.tree_model.docs) == len(before), timeout=10000)

    conn = sqlite3.connect(path)
    first_page, = conn.execute("SELECT min(id) FROM pages").fetchone()
    other, = conn.execute("SELECT max(id) FROM pages WHERE document_id = (SELECT document_id "
                          "FROM pages WHERE id = (SELECT min(id) FROM pages WHERE document_id "
                          "!= (SELECT document_id FROM pages WHERE id = ?)))",
                          (first_page,)).fetchone()
    conn.close()
    goto(qtbot, win, first_page)  # the first record has nothing before it: refused, said so
    key(qtbot, win, Qt.Key.Key_B, Qt.KeyboardModifier.ShiftModifier)
    settle(qtbot, win)
    assert records(path) == before
    assert "nothing to merge" in win.statusBar().currentMessage()
    stack = win.hub.stack  # the refused merge wrote nothing: it leaves no undo step
    assert not stack.canUndo() and "Merge" not in stack.undoText(), stack.undoText()
    assert stack.count() == stack.index()

    goto(qtbot, win, other)  # Shift+B on any page: its record joins the one before it
    key(qtbot, win, Qt.Key.Key_B, Qt.KeyboardModifier.ShiftModifier)
    settle(qtbot, win)
    merged = records(path)
    assert len(merged) == len(before) - 1
    conn = sqlite3.connect(path)
    actions = [r[0] for r in conn.execute("SELECT DISTINCT action FROM audit_log "
                                          "WHERE reviewer = ? ORDER BY id", (REVIEWER,))]
    conn.close()
    assert actions[:3] == ["split_document", "undo split_document", "merge_document"]
    assert merged[0] == (before[0][0], before[0][1] + before[1][1])
    win.action_table.by_name["undo"].trigger()
    settle(qtbot, win)
    assert records(path) == before
