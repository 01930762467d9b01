"""First run: the welcome screen, the 60-second tour, and the start-up hooks around them.

``run_window`` calls :func:`start` once the main window exists. With no matter on the command
line the welcome screen shows instead of an empty window: *Open matter*, *New matter from a
production…*, *Try the sample matter* (made and ingested on a background thread, then opened)
and recent matters. The reviewer's name is asked there, once (``ui.settings`` keeps it), so
opening a matter does not ask again. From the welcome screen a new user reaches a page of the
sample under review in three clicks: *Try the sample matter*, a redaction on the page, a status
in the challenge panel.

:class:`Tour` is a short sequence of callouts over the main window's panels (Help ▸ Tour of the
panels, or offered after the sample opens). :func:`watch_first_paint` is the start-up probe used
by ``benchmarks/startup.py``: with ``VAUGHN_FIRST_PAINT=1`` the process prints
``first-paint <epoch seconds>`` when its first window has painted, closes its windows and exits.
:func:`self_test` (``VAUGHN_SELFTEST_SAMPLE=out.png``) runs the first run's path unattended.
"""

from __future__ import annotations

import getpass
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui import crash
from ui import settings as prefs

FIRST_PAINT_ENV = "VAUGHN_FIRST_PAINT"
SELFTEST_ENV = "VAUGHN_SELFTEST_SAMPLE"  # a PNG path: click "Try the sample", save the page
SELFTEST_TIMEOUT_S = 150.0


def resource(name: str) -> Path:
    """A file in resources/ (inside the bundle when frozen)."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return base / "resources" / name


def make_sample() -> str:
    """Generate and ingest the sample matter (slow: call off the GUI thread); its path."""
    from app.session import make_sample_matter

    path, _report = make_sample_matter()
    return str(path)


class WelcomeScreen(QWidget):
    """The first thing a new user sees: three ways in, and the reviewer's name."""

    sampleReady = Signal(str)  # matter path, emitted on the GUI thread
    sampleFailed = Signal(str)  # plain-language message
    opened = Signal(str)  # a matter was handed to the main window

    def __init__(self, window: Any, *, tour: bool = True,
                 sample_maker: Callable[[], str] = make_sample) -> None:
        super().__init__()
        crash.setup_logging()
        self.main_window = window
        self.sample_maker = sample_maker
        self.tour: Tour | None = None
        self.setWindowTitle("Welcome to Vaughn")
        self.setObjectName("welcome")
        self.resize(640, 560)
        head = self._heading()
        self._build_choices(tour)
        self._build_recent()
        data = QLabel(f"Your settings, logs and the sample live in {_data_dir_text()}.")
        data.setWordWrap(True)
        data.setStyleSheet("color: #666;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.addLayout(head)
        layout.addSpacing(10)
        layout.addWidget(self.name_label)
        layout.addWidget(self.name_edit)
        layout.addSpacing(10)
        for widget in (self.sample_button, self.tour_check, self.open_button, self.new_button,
                       self.busy, self.status, self.recent_label, self.recent):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(data)

        self.sampleReady.connect(self._sample_ready)
        self.sampleFailed.connect(self._sample_failed)

    def _heading(self) -> QHBoxLayout:
        """The icon and the one-line welcome."""
        icon = QLabel()
        pix = QPixmap(str(resource("vaughn.png")))
        if not pix.isNull():
            icon.setPixmap(pix.scaled(72, 72, Qt.AspectRatioMode.KeepAspectRatio,
                                      Qt.TransformationMode.SmoothTransformation))
        title = QLabel("<h2>Welcome to Vaughn</h2>Review a FOIA production: find bad "
                       "redactions, check the exemptions claimed, and build your challenge.")
        title.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(icon)
        head.addWidget(title, 1)
        return head

    def _build_choices(self, tour: bool) -> None:
        """The name field (until a name is saved), the three ways in, the tour box, status."""
        self.name_label = QLabel("Your name, for the audit log of every change you make:")
        self.name_edit = QLineEdit(prefs.reviewer() or _login_name())
        self.name_edit.setPlaceholderText("Your name")
        asked = bool(prefs.reviewer())
        self.name_label.setVisible(not asked)
        self.name_edit.setVisible(not asked)

        self.sample_button = QPushButton("Try the sample matter")
        self.sample_button.setToolTip("A small made-up production with a few bad redactions, "
                                      "ready to review in a few seconds")
        self.open_button = QPushButton("Open matter…")
        self.new_button = QPushButton("New matter from a production…")
        for b in (self.sample_button, self.open_button, self.new_button):
            b.setMinimumHeight(40)
        self.sample_button.setDefault(True)
        self.sample_button.clicked.connect(self.try_sample)
        self.open_button.clicked.connect(self.ask_open)
        self.new_button.clicked.connect(self.ask_new)
        self.tour_check = QCheckBox("Show me around the panels (one minute)")
        self.tour_check.setChecked(tour)

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setVisible(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def _build_recent(self) -> None:
        """The recent matters still on disk (hidden when there are none)."""
        self.recent = QListWidget()
        self.recent.setMaximumHeight(110)
        recent = [p for p in prefs.recent_matters() if Path(p).exists()]
        self.recent.addItems(recent)
        self.recent.itemActivated.connect(lambda item: self.open_path(item.text()))
        self.recent_label = QLabel("Recent matters (double-click to open):")
        self.recent_label.setVisible(bool(recent))
        self.recent.setVisible(bool(recent))

    # -- the reviewer's name ------------------------------------------------------------------

    def save_name(self) -> None:
        """Remember the typed name (once; later starts do not ask)."""
        name = self.name_edit.text().strip()
        if name and not prefs.reviewer():
            prefs.set_reviewer(name)

    # -- the three ways in --------------------------------------------------------------------

    def try_sample(self) -> None:
        """Make the sample matter on a background thread, then open it."""
        self.save_name()
        self._set_busy(True, "Making the sample matter: generating and reading 28 pages "
                             "(a few seconds)…")

        def work() -> None:
            try:
                path = self.sample_maker()
            except Exception as exc:  # shown in plain words; details go to the log
                crash.log.exception("sample matter failed")
                self.sampleFailed.emit(
                    f"The sample matter could not be made ({type(exc).__name__}: {exc}). "
                    f"Details are in the log file: {crash.log_path()}")
            else:
                self.sampleReady.emit(path)

        self._thread = threading.Thread(target=work, name="sample-matter", daemon=True)
        self._thread.start()

    def _sample_ready(self, path: str) -> None:
        self._set_busy(False, "")
        self.open_path(path)
        if self.tour_check.isChecked():
            QTimer.singleShot(400, self.start_tour)

    def _sample_failed(self, message: str) -> None:
        self._set_busy(False, message)
        self.status.setStyleSheet("color: #a00;")

    def ask_open(self) -> None:
        """Choose a matter file and open it."""
        self.save_name()
        path, _ = QFileDialog.getOpenFileName(self, "Open matter", "",
                                              "Vaughn matters (*.vaughn);;All files (*)")
        if path:
            self.open_path(path)

    def ask_new(self) -> None:
        """Choose a production (folder), then where to keep the new matter, and ingest it."""
        self.save_name()
        folder = QFileDialog.getExistingDirectory(
            self, "Choose the production folder (PDFs, images or a load-file volume)")
        if not folder:
            return
        default = str(Path(folder).parent / f"{Path(folder).name}.vaughn")
        path, _ = QFileDialog.getSaveFileName(self, "Save the new matter as", default,
                                              "Vaughn matters (*.vaughn)")
        if path:
            self.new_matter(path, folder)

    def new_matter(self, path: str, production: str) -> None:
        """Create the matter at ``path`` and ingest ``production`` into it, in the window."""
        if not path.endswith(".vaughn"):
            path += ".vaughn"
        if not Path(production).exists():
            self.show_error(f"The production {production} is not there any more.")
            return
        self._hand_over(path, create=True)
        self.main_window.ingester.start_ingest([production])

    def open_path(self, path: str) -> None:
        """Open an existing matter in the main window and close the welcome screen."""
        if not Path(path).is_file():
            self.show_error(f"There is no matter file at {path}. It may have been moved or "
                            "renamed; use Open matter… to find it.")
            return
        self._hand_over(path, create=False)

    def _hand_over(self, path: str, *, create: bool) -> None:
        self.main_window.show()
        self.main_window.open_matter(path, create=create)
        self.opened.emit(path)
        self.hide()

    def show_error(self, message: str) -> None:
        """A plain-language error on the screen itself, with where the log is."""
        crash.log.warning("welcome: %s", message)
        self.status.setStyleSheet("color: #a00;")
        self.status.setText(f"{message}\n(Log file: {crash.log_path()})")

    def _set_busy(self, busy: bool, text: str) -> None:
        self.busy.setVisible(busy)
        self.status.setStyleSheet("")
        self.status.setText(text)
        for b in (self.sample_button, self.open_button, self.new_button, self.recent):
            b.setEnabled(not busy)

    def start_tour(self) -> Tour:
        """Show the tour over the main window."""
        self.tour = Tour(self.main_window)
        self.tour.start()
        return self.tour


# -- the tour ---------------------------------------------------------------------------------

TOUR_STEPS: list[tuple[str, str, str]] = [
    ("left", "Pages and search",
     "Every production, document and page of the matter. <b>Show</b> filters it: bad "
     "redactions, not yet reviewed, challenged. The Search tab lists hits."),
    ("page_view", "The page",
     "The page as produced. Each redaction is outlined; a <b>red</b> one is a bad redaction: "
     "the text is still under the box. Click a box to select it; <b>J</b>/<b>K</b> go to the "
     "next and previous redaction."),
    ("claims", "Exemption claims",
     "Which FOIA exemptions the agency claims for the selected redaction. Keys <b>1</b>–"
     "<b>9</b> toggle them."),
    ("challenge", "Your review",
     "Your call on it: <b>A</b>ccept, <b>C</b>hallenge or <b>D</b>rop, grounds, argument, "
     "tags, exhibit number and notes. Every change is saved at once; <b>Ctrl+Z</b> undoes."),
    ("searching.search_edit", "Search and Bates",
     "Search every page (<b>Ctrl+F</b>), or jump to a Bates number (<b>Ctrl+G</b>)."),
    ("menuBar", "Everything else",
     "Menus hold the rest; <b>?</b> lists every shortcut, and Help ▸ Tour of the panels "
     "brings this tour back. That's it: pick a red box and start."),
]


class Tour(QObject):
    """A sequence of callouts, each pointing at one panel of the main window."""

    finished = Signal()

    def __init__(self, window: Any, steps: list[tuple[str, str, str]] | None = None) -> None:
        super().__init__(window)
        self.main_window = window
        self.steps = [s for s in (steps or TOUR_STEPS) if self._target(s[0]) is not None]
        self.index = -1
        self.frame = QFrame(window)
        self.frame.setObjectName("tourHighlight")
        self.frame.setStyleSheet("#tourHighlight { border: 3px solid #e08a00; "
                                 "background: transparent; border-radius: 4px; }")
        self.frame.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.callout = QFrame(window)
        self.callout.setObjectName("tourCallout")
        self.callout.setStyleSheet("#tourCallout { background: #fffbe8; border: 2px solid "
                                   "#e08a00; border-radius: 6px; }")
        self.title = QLabel()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.count = QLabel()
        self.back_button = QPushButton("Back")
        self.next_button = QPushButton("Next")
        self.skip_button = QPushButton("Skip tour")
        self.back_button.clicked.connect(lambda: self.go(self.index - 1))
        self.next_button.clicked.connect(lambda: self.go(self.index + 1))
        self.skip_button.clicked.connect(self.stop)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count)
        buttons.addStretch(1)
        for b in (self.skip_button, self.back_button, self.next_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self.callout)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        self.callout.setFixedWidth(360)
        self.frame.hide()
        self.callout.hide()

    def _target(self, name: str) -> QWidget | None:
        target: Any = self.main_window
        for part in name.split("."):  # "searching.search_edit": a controller's widget
            target = getattr(target, part, None)
        if callable(target) and not isinstance(target, QWidget):
            target = target()
        return target if isinstance(target, QWidget) else None

    def start(self) -> None:
        """Show the first step."""
        self.go(0)

    def go(self, index: int) -> None:
        """Show step ``index`` (past the last one ends the tour)."""
        if index >= len(self.steps):
            self.stop()
            return
        self.index = max(0, index)
        name, title, text = self.steps[self.index]
        self.title.setText(f"<b>{title}</b>")
        self.text.setText(text)
        self.count.setText(f"{self.index + 1} of {len(self.steps)}")
        self.back_button.setEnabled(self.index > 0)
        self.next_button.setText("Done" if self.index == len(self.steps) - 1 else "Next")
        self._place(self._target(name))

    def _place(self, target: QWidget | None) -> None:
        win = self.main_window
        if target is None or not target.isVisible():
            rect = win.rect().adjusted(40, 40, -40, -40)
        else:
            top_left = target.mapTo(win, QPoint(0, 0))
            rect = target.rect().translated(top_left)
        self.frame.setGeometry(rect.adjusted(-2, -2, 2, 2))
        self.callout.adjustSize()
        w, h = self.callout.width(), self.callout.height()
        x = rect.right() + 12 if rect.right() + 12 + w < win.width() else rect.left() - w - 12
        if x < 0:
            x = max(0, min(rect.center().x() - w // 2, win.width() - w))
        y = max(0, min(rect.top() + 20, win.height() - h))
        self.callout.move(x, y)
        self.frame.show()
        self.frame.raise_()
        self.callout.show()
        self.callout.raise_()

    def stop(self) -> None:
        """End the tour."""
        self.frame.hide()
        self.callout.hide()
        self.index = -1
        self.finished.emit()

    def active(self) -> bool:
        """Whether a step is on screen."""
        return self.callout.isVisible()


# -- start-up ---------------------------------------------------------------------------------

class _FirstPaint(QObject):
    """Prints ``first-paint <epoch>`` after the first paint of a window, then quits."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.done = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if not self.done and event.type() == QEvent.Type.Paint and isinstance(obj, QWidget):
            self.done = True
            QTimer.singleShot(0, self._report)  # runs after this paint has finished
        return False

    def _report(self) -> None:
        print(f"first-paint {time.time():.6f}", flush=True)
        for w in self.app.topLevelWidgets():
            w.close()
        self.app.quit()


def watch_first_paint(app: QApplication) -> bool:
    """With ``VAUGHN_FIRST_PAINT=1``, report the first paint and quit; whether it is on."""
    if os.environ.get(FIRST_PAINT_ENV, "") not in ("1", "yes", "true"):
        return False
    probe = _FirstPaint(app)
    app.installEventFilter(probe)
    app._vaughn_first_paint = probe  # type: ignore[attr-defined]
    return True


def add_help_actions(window: Any, welcome: Callable[[], Any]) -> None:
    """Help ▸ Welcome screen and Help ▸ Tour of the panels."""
    menu = None
    for action in window.menuBar().actions():
        if action.menu() is not None and action.text().replace("&", "") == "Help":
            menu = action.menu()
    if menu is None:
        menu = window.menuBar().addMenu("&Help")
    menu.addSeparator()
    menu.addAction("Welcome screen…", welcome)
    menu.addAction("Tour of the panels", lambda: _tour(window))


def _tour(window: Any) -> Tour:
    tour = Tour(window)
    window._vaughn_tour = tour
    tour.start()
    return tour


def start(app: QApplication, window: Any, *, matter: bool, screenshot: bool) -> Any:
    """Start-up after the main window is built: hooks, then the window or the welcome screen.

    Installs the crash hooks and the log file, the first-paint probe, the Help actions; shows
    the main window when a matter is given, else the welcome screen; then offers the report of
    a crash in the last run. Returns the welcome screen (or None).
    """
    crash.install(lambda exc_type, path: crash.show_crash_notice(
        QApplication.activeWindow() or window, exc_type, path))
    watch_first_paint(app)
    screen: dict[str, WelcomeScreen] = {}

    def show_welcome() -> WelcomeScreen:
        if "w" not in screen:
            screen["w"] = WelcomeScreen(window, tour=not prefs.reviewer())
        screen["w"].show()
        screen["w"].raise_()
        return screen["w"]

    add_help_actions(window, show_welcome)
    welcome = None
    if matter or screenshot:
        window.show()
    else:
        welcome = show_welcome()
    selftest = os.environ.get(SELFTEST_ENV)
    if selftest and welcome is not None:
        self_test(app, window, welcome, Path(selftest))
    elif not screenshot:
        parent = welcome or window
        QTimer.singleShot(0, lambda: setattr(app, "_vaughn_crash_box",
                                             crash.offer_pending(parent)))
    return welcome


def self_test(app: QApplication, window: Any, welcome: WelcomeScreen, out: Path) -> None:
    """The first run, unattended (``make package-test``): sample, page, PNG, exit code.

    Clicks *Try the sample matter*; once the sample's first page is painted in the main
    window, saves the window as ``out`` and quits with 0; quits with 1 if the welcome screen
    shows an error or nothing is painted within :data:`SELFTEST_TIMEOUT_S`.
    """
    started = time.monotonic()
    welcome.tour_check.setChecked(False)
    if not welcome.name_edit.text().strip():
        welcome.name_edit.setText("self-test")

    def finish(code: int, message: str) -> None:
        timer.stop()
        print(f"vaughn self-test: {message}", file=sys.stderr if code else sys.stdout,
              flush=True)
        for w in app.topLevelWidgets():
            w.close()
        app.exit(code)

    def poll() -> None:
        if window.isVisible() and window.ready():
            app.processEvents()
            out.parent.mkdir(parents=True, exist_ok=True)
            ok = window.grab().save(str(out))
            finish(0 if ok else 1, f"sample page saved as {out}" if ok else f"cannot write {out}")
        elif "#a00" in welcome.status.styleSheet():
            finish(1, welcome.status.text())
        elif time.monotonic() - started > SELFTEST_TIMEOUT_S:
            finish(1, "the sample's first page was not painted in time")

    timer = QTimer(app)
    timer.timeout.connect(poll)
    timer.start(50)
    QTimer.singleShot(0, welcome.sample_button.click)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name on some systems
        return ""


def _data_dir_text() -> str:
    from app.session import data_dir

    return str(data_dir())

