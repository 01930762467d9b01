"""The claims panel says where a code was printed, and says "code not legible" (and the page
needs a human look) when a label is there but could not be read."""

from __future__ import annotations

import sqlite3

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import Qt  # noqa: E402

from tests.test_ui_window import REVIEWER, goto, key  # noqa: E402


@pytest.fixture
def win(qtbot, tmp_path, monkeypatch):
    from app.ingest.pipeline import ingest
    from app.matter.store import Matter
    from benchmarks.styles import make
    from ui.window import MainWindow

    prod = make(tmp_path / "prod", layout="text", pages=2, seed=3, styles=("margin-left-doj",))
    path = tmp_path / "places.vaughn"
    with Matter.open(path, create=True) as m:
        ingest(m, sorted(prod.glob("*.pdf")))
        # one label that OCR could not read, as the OCR step writes it (app/ocr/queue.py)
        with m.write() as conn:
            conn.execute(
                "UPDATE redactions SET label_place = 'illegible', exemptions = '[]', "
                "label = 'bé6 57C' WHERE id = (SELECT id FROM redactions ORDER BY page_id, "
                "y0, x0 LIMIT 1 OFFSET 1)")
    monkeypatch.setenv("VAUGHN_REVIEWER", REVIEWER)
    w = MainWindow(inline_worker=True)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.open_matter(path)
    qtbot.waitUntil(w.ready, timeout=15000)
    yield w
    w.close()


def test_claims_panel_says_where_the_code_was_and_when_it_is_not_legible(qtbot, win) -> None:
    conn = sqlite3.connect(win.matter_path)
    page_id, = conn.execute("SELECT page_id FROM redactions ORDER BY page_id LIMIT 1").fetchone()
    conn.close()
    goto(qtbot, win, page_id)
    key(qtbot, win, Qt.Key.Key_J)
    text = win.claims.stamp_label.text()
    assert "printed in the margin of its line" in text
    assert win.page.redactions[0].label_place == "margin"
    key(qtbot, win, Qt.Key.Key_J)
    assert "code not legible" in win.claims.stamp_label.text()
    assert "bé6" not in win.claims.stamp_label.text()
    assert any("not legible" in n for n in win.page.needs_look)
