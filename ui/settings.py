"""The window's settings, declared once: an INI file in Vaughn's data folder.

The file lives under ``app.paths.data_dir()`` so ``VAUGHN_DATA_DIR`` (set by every test) keeps
tests away from the user's real settings. Preferences (the reviewer's name) and window state
(geometry, splitters, recent matters) are kept in separate groups.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter

from app.session import data_dir

MAX_RECENT = 10


def settings() -> QSettings:
    """The settings file (``settings.ini`` in the data folder)."""
    return QSettings(str(data_dir() / "settings.ini"), QSettings.Format.IniFormat)


def reviewer() -> str:
    """The reviewer's name: ``VAUGHN_REVIEWER`` if set, else the saved one, else ''."""
    return os.environ.get("VAUGHN_REVIEWER") or str(settings().value("prefs/reviewer", "") or "")


def set_reviewer(name: str) -> None:
    """Remember the reviewer's name."""
    s = settings()
    s.setValue("prefs/reviewer", name.strip())
    s.sync()


def recent_matters() -> list[str]:
    """Recently opened matters, newest first."""
    value = settings().value("state/recent", [])
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def add_recent(path: str) -> None:
    """Put a matter at the head of the recent list."""
    items = [path, *[p for p in recent_matters() if p != path]][:MAX_RECENT]
    s = settings()
    s.setValue("state/recent", items)
    s.sync()


def restore_window(window: QMainWindow, splitter: QSplitter, *, geometry: bool = True) -> None:
    """Put the window's geometry (unless ``geometry`` is False), its toolbars and docks and
    its pane sizes back as they were saved."""
    s = settings()
    saved = s.value("state/geometry")
    if isinstance(saved, QByteArray) and geometry:
        window.restoreGeometry(saved)
    else:
        window.resize(1600, 1000)
    sizes = s.value("state/splitter")
    if isinstance(sizes, QByteArray):
        splitter.restoreState(sizes)
    state = s.value("state/window")
    if isinstance(state, QByteArray):
        window.restoreState(state)


def save_window(window: QMainWindow, splitter: QSplitter) -> None:
    """Remember the window's geometry, toolbars and docks and its pane sizes."""
    s = settings()
    s.setValue("state/geometry", window.saveGeometry())
    s.setValue("state/splitter", splitter.saveState())
    s.setValue("state/window", window.saveState())
    s.sync()
