"""Crash reports: what they hold (no page text), the hooks, and the offer at the next start."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from app.paths import logs_dir
from ui import crash

PAGE_TEXT = "CONFIDENTIAL informant Jane Q. Witness met the agent at 4 Elm Street"


@pytest.fixture(autouse=True)
def _restore_hooks():
    yield
    crash.uninstall()


def _raise_with_page_text() -> None:
    page_text = PAGE_TEXT  # a local the report must not show
    words = page_text.split()
    raise ValueError(f"page 12 has {len(words)} words but 0 boxes")


def _caught() -> tuple[type[BaseException], BaseException, object]:
    try:
        _raise_with_page_text()
    except ValueError:
        return sys.exc_info()  # type: ignore[return-value]
    raise AssertionError("no exception")


def test_report_holds_type_message_frames_versions_no_page_text() -> None:
    text = crash.format_report(*_caught())
    assert "exception: builtins.ValueError" in text
    assert "message: page 12 has 12 words but 0 boxes" in text
    assert "in _raise_with_page_text" in text and "test_crash_report.py:" in text
    assert "python:" in text and "platform:" in text and "vaughn:" in text
    assert "qt:" in text  # Qt is imported here, so its version is in
    assert "Jane" not in text and "Elm Street" not in text  # no locals, no source lines
    assert "page_text = " not in text and "split()" not in text


def test_no_server_password_in_a_report() -> None:
    try:
        raise RuntimeError("could not open postgresql://ann:s3cr%40t@db.example:5432/foia")
    except RuntimeError:
        text = crash.format_report(*sys.exc_info())
    assert "s3cr" not in text and "postgresql://ann:***@db.example:5432/foia" in text


def test_long_message_is_cut() -> None:
    try:
        raise RuntimeError("x" * 5000)
    except RuntimeError:
        text = crash.format_report(*sys.exc_info())
    assert "x" * crash.MAX_MESSAGE in text and "x" * (crash.MAX_MESSAGE + 1) not in text


def test_hook_writes_report_and_next_start_offers_it(qtbot) -> None:
    notices = []
    crash.install(lambda t, p: notices.append((t, p)))
    sys.excepthook(*_caught())
    assert notices and notices[0][0] is ValueError
    report = notices[0][1]
    assert report.parent == logs_dir() and report.is_file()
    assert crash.pending_report() == report
    assert "crash: ValueError" in crash.log_path().read_text()

    opened: list[Path] = []
    box = crash.offer_pending(None, open_file=opened.append)  # the next start
    qtbot.addWidget(box)
    assert isinstance(box, QMessageBox) and str(report) in box.text()
    box.open_button.click()
    assert opened == [report]
    assert crash.pending_report() is None
    assert crash.offer_pending(None) is None  # offered once


def test_thread_hook_writes_report() -> None:
    crash.install()

    def boom() -> None:
        raise KeyError("missing")

    t = threading.Thread(target=boom, name="matter-worker-test")
    t.start()
    t.join()
    report = crash.pending_report()
    assert report is not None
    text = report.read_text()
    assert "thread: matter-worker-test" in text and "builtins.KeyError" in text
    assert "in boom" in text


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_slot_shows_plain_notice(qtbot) -> None:
    boxes = []
    crash.install(lambda t, p: boxes.append(crash.show_crash_notice(None, t, p)))

    def slot() -> None:
        raise ZeroDivisionError("division by zero")

    QTimer.singleShot(0, slot)
    qtbot.waitUntil(lambda: bool(boxes), timeout=5000)
    box = boxes[0]
    qtbot.addWidget(box)
    assert "Something went wrong" in box.text() and "ZeroDivisionError" in box.text()
    assert str(crash.log_path()) in box.text()
    assert "Traceback" not in box.text()
    assert crash.pending_report() is not None


def test_unwritable_logs_do_not_raise_from_the_hook(monkeypatch, capsys) -> None:
    crash.install()

    def fail(*_a, **_k):
        raise OSError("read-only file system")

    monkeypatch.setattr(crash, "write_report", fail)
    sys.excepthook(*_caught())  # must not raise
    assert "cannot write a crash report" in capsys.readouterr().err
