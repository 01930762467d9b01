"""The first-run experience: welcome screen, reviewer's name, sample matter, tour, probe.

Real widgets on the offscreen platform; every test has its own VAUGHN_DATA_DIR (conftest), so
the settings written here are never the user's.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from ui import crash
from ui import settings as prefs
from ui.welcome import TOUR_STEPS, Tour, WelcomeScreen, start

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def window(qtbot):
    from ui.window import MainWindow

    w = MainWindow(inline_worker=True)
    qtbot.addWidget(w)
    yield w
    w.close()


@pytest.fixture(autouse=True)
def _no_hooks():
    yield
    crash.uninstall()


def test_name_is_asked_once(qtbot, window) -> None:
    screen = WelcomeScreen(window)
    qtbot.addWidget(screen)
    screen.show()
    assert screen.name_edit.isVisible()
    screen.name_edit.setText("  Pat Paralegal ")
    screen.save_name()
    assert prefs.reviewer() == "Pat Paralegal"
    again = WelcomeScreen(window)
    qtbot.addWidget(again)
    again.show()
    assert not again.name_edit.isVisible()  # asked once: not again
    again.name_edit.setText("Someone Else")
    again.save_name()
    assert prefs.reviewer() == "Pat Paralegal"


def test_three_ways_in_are_there(qtbot, window) -> None:
    screen = WelcomeScreen(window)
    qtbot.addWidget(screen)
    screen.show()
    texts = [b.text() for b in (screen.open_button, screen.new_button, screen.sample_button)]
    assert texts == ["Open matter…", "New matter from a production…", "Try the sample matter"]
    assert all(b.isVisible() and b.isEnabled() for b in
               (screen.open_button, screen.new_button, screen.sample_button))


def test_sample_matter_in_three_clicks(qtbot, window) -> None:
    """Click 1: Try the sample. Click 2: a redaction on the page. Click 3: its status."""
    screen = WelcomeScreen(window, tour=True)
    qtbot.addWidget(screen)
    window.resize(1400, 900)
    screen.show()
    screen.name_edit.setText("Pat Paralegal")
    qtbot.mouseClick(screen.sample_button, Qt.MouseButton.LeftButton)  # click 1
    assert not screen.sample_button.isEnabled()  # busy while the sample is made
    qtbot.waitUntil(lambda: window.page is not None and window.review_ready, timeout=120_000)
    assert not screen.isVisible() and window.isVisible()
    assert window.matter_path.name == "sample-matter.vaughn"
    assert prefs.reviewer() == "Pat Paralegal"
    qtbot.waitUntil(lambda: screen.tour is not None and screen.tour.active(), timeout=5000)
    screen.tour.stop()

    # the first page with a redaction: a new user presses J (or clicks a box in the tree)
    if not window.page.redactions:
        window.nav.step_redaction(1)
        qtbot.waitUntil(lambda: window.page is not None and window.page.redactions
                        and window.review_ready, timeout=30_000)
    canvas = window.page_view.canvas
    red = window.page.redactions[0]
    qtbot.waitUntil(lambda: canvas.zoom > 0, timeout=5000)
    centre = canvas.rect_of(red.bbox).center()
    window.page_view.ensureVisible(int(centre.x()), int(centre.y()))
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton,
                     pos=QPoint(int(centre.x()), int(centre.y())))  # click 2
    qtbot.waitUntil(lambda: window.selected == red.id and window.review_ready, timeout=10_000)
    combo = window.challenge.status
    combo.setCurrentIndex(combo.findData("challenge"))  # click 3: a status from the list
    qtbot.waitUntil(lambda: window.hub is not None and window.hub.in_flight == 0, timeout=10_000)
    with sqlite3.connect(window.matter_path) as conn:
        rows = conn.execute("SELECT reviewer FROM audit_log WHERE target_kind = 'redaction' "
                            "AND target_id = ?", (red.id,)).fetchall()
    assert rows and rows[-1][0] == "Pat Paralegal"


def test_sample_failure_is_plain_language(qtbot, window) -> None:
    def broken() -> str:
        raise OSError("No space left on device")

    screen = WelcomeScreen(window, sample_maker=broken)
    qtbot.addWidget(screen)
    screen.show()
    screen.name_edit.setText("Pat")
    screen.try_sample()
    qtbot.waitUntil(lambda: screen.sample_button.isEnabled(), timeout=10_000)
    text = screen.status.text()
    assert "could not be made" in text and "No space left on device" in text
    assert str(crash.log_path()) in text
    assert "Traceback" not in text
    assert not window.isVisible()
    assert "sample matter failed" in crash.log_path().read_text()


def test_missing_matter_is_plain_language(qtbot, window, tmp_path: Path) -> None:
    screen = WelcomeScreen(window)
    qtbot.addWidget(screen)
    screen.show()
    screen.open_path(str(tmp_path / "gone.vaughn"))
    assert "no matter file" in screen.status.text()
    assert str(crash.log_path()) in screen.status.text()
    assert screen.isVisible() and not window.isVisible()


def test_tour_walks_over_the_panels(qtbot, window) -> None:
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    tour = Tour(window)
    assert len(tour.steps) == len(TOUR_STEPS)  # every panel it names exists in the window
    tour.start()
    seen = []
    while tour.active():
        assert tour.callout.geometry().intersects(window.rect())
        seen.append(tour.title.text())
        qtbot.mouseClick(tour.next_button, Qt.MouseButton.LeftButton)
    assert len(seen) == len(TOUR_STEPS)
    tour.start()
    qtbot.mouseClick(tour.skip_button, Qt.MouseButton.LeftButton)
    assert not tour.active()


def test_start_without_matter_shows_welcome(qtbot, window) -> None:
    from PySide6.QtWidgets import QApplication

    screen = start(QApplication.instance(), window, matter=False, screenshot=False)
    qtbot.addWidget(screen)
    assert screen.isVisible() and not window.isVisible()
    help_texts = [a.text() for m in window.menuBar().actions() if m.menu()
                  for a in m.menu().actions()]
    assert "Welcome screen…" in help_texts and "Tour of the panels" in help_texts
    import threading
    assert sys.excepthook is not sys.__excepthook__
    assert threading.excepthook is not threading.__excepthook__


def test_first_paint_probe(tmp_path: Path) -> None:
    env = dict(os.environ, VAUGHN_FIRST_PAINT="1", QT_QPA_PLATFORM="offscreen",
               VAUGHN_DATA_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, str(ROOT / "main.py")], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    line = [x for x in out.stdout.splitlines() if x.startswith("first-paint ")]
    assert line and float(line[0].split()[1]) > 0


def test_new_matter_from_a_production(qtbot, window, folder_production, tmp_path: Path) -> None:
    production, truth = folder_production
    prefs.set_reviewer("Pat")
    screen = WelcomeScreen(window)
    qtbot.addWidget(screen)
    screen.show()
    with qtbot.waitSignal(window.ingester.ingestDone, timeout=120_000):
        screen.new_matter(str(tmp_path / "case"), str(production))
    assert window.isVisible() and not screen.isVisible()
    assert window.matter_path == tmp_path / "case.vaughn"
    pages = sum(len(d["pages"]) for d in truth["documents"])
    with sqlite3.connect(tmp_path / "case.vaughn") as conn:
        assert conn.execute("SELECT count(*) FROM pages").fetchone()[0] == pages
