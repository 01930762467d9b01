"""Crash reports and the log file: what a paralegal can send us when Vaughn breaks.

:func:`install` (called by ``run_window``) opens the log file (``vaughn.log`` in
``app.paths.logs_dir()``) and installs ``sys.excepthook`` and ``threading.excepthook``. An
exception nobody caught is written to a crash report (``crash-YYYYmmdd-HHMMSS.txt`` in the logs
folder) and remembered as *pending*; the GUI thread also shows a plain-language message with
the report's and the log's location. The next start calls :func:`offer_pending`, which offers to
open the report once.

A report holds the exception's type and message (cut to :data:`MAX_MESSAGE` characters), the
traceback's frames (file, line, function; no source lines, no local variables) and versions. It
never holds page text: messages are the only free text, and Vaughn's own errors do not quote
pages. Nothing here imports Qt at module level.
"""

from __future__ import annotations

import logging
import os
import platform
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import Any

from app.session import logs_dir

LOG_NAME = "vaughn.log"
PENDING = "crash-pending.txt"
MAX_MESSAGE = 500
MAX_FRAMES = 60

log = logging.getLogger("vaughn")


def log_path() -> Path:
    """The log file (created on first use)."""
    return logs_dir() / LOG_NAME


def setup_logging() -> Path:
    """Send the ``vaughn`` logger to the rotating log file (once); return its path."""
    path = log_path()
    for h in list(log.handlers):  # a handler left from another data folder (tests) goes
        if isinstance(h, RotatingFileHandler) and h.baseFilename != str(path):
            log.removeHandler(h)
            h.close()
    if not any(getattr(h, "baseFilename", None) == str(path) for h in log.handlers):
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    return path


def versions() -> dict[str, str]:
    """Vaughn, Python, OS and the libraries' versions (only those already imported)."""
    from importlib import metadata

    out = {"python": platform.python_version(), "platform": platform.platform(),
           "frozen": "yes" if getattr(sys, "frozen", False) else "no"}
    try:
        out["vaughn"] = metadata.version("vaughn")
    except metadata.PackageNotFoundError:
        out["vaughn"] = "source"
    qtcore = sys.modules.get("PySide6.QtCore")
    if qtcore is not None:
        out["qt"] = str(getattr(qtcore, "qVersion", lambda: "?")())
        out["pyside6"] = str(getattr(sys.modules.get("PySide6"), "__version__", "?"))
    mupdf = sys.modules.get("pymupdf")
    if mupdf is not None:
        out["pymupdf"] = str(getattr(mupdf, "VersionBind", "?"))
        out["mupdf"] = str(getattr(mupdf, "VersionFitz", "?"))
    return out


# a password inside a server URL (postgresql://user:secret@host): never in a report
_URL_PASSWORD = re.compile(r"(postgres(?:ql)?://[^:/@\s]*):[^@\s]*@", re.IGNORECASE)


def format_report(exc_type: type[BaseException], exc: BaseException | None,
                  tb: TracebackType | None, *, thread: str = "main") -> str:
    """The text of a crash report: type, message, frames, versions; no page text."""
    message = _URL_PASSWORD.sub(r"\1:***@", str(exc)) if exc is not None else ""
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + " […]"
    lines = ["Vaughn crash report",
             f"time: {time.strftime('%Y-%m-%d %H:%M:%S %z')}",
             f"thread: {thread}",
             f"exception: {exc_type.__module__}.{exc_type.__qualname__}",
             f"message: {message}",
             "",
             "traceback (most recent call last):"]
    frames = traceback.extract_tb(tb)[-MAX_FRAMES:] if tb is not None else []
    for frame in frames:
        lines.append(f"  {_short(frame.filename)}:{frame.lineno} in {frame.name}")
    cause = exc.__cause__ or exc.__context__ if exc is not None else None
    if cause is not None:
        lines.append(f"caused by: {type(cause).__module__}.{type(cause).__qualname__}")
        for frame in traceback.extract_tb(cause.__traceback__)[-MAX_FRAMES:]:
            lines.append(f"  {_short(frame.filename)}:{frame.lineno} in {frame.name}")
    lines += ["", "versions:"]
    lines += [f"  {k}: {v}" for k, v in versions().items()]
    return "\n".join(lines) + "\n"


def _short(filename: str) -> str:
    """A frame's file without the user's folders: from the package (app/, ui/...) down."""
    parts = Path(filename).parts
    for anchor in ("app", "ui", "site-packages", "lib"):
        if anchor in parts:
            i = len(parts) - 1 - parts[::-1].index(anchor)
            return "/".join(parts[i:]) if anchor in ("app", "ui") else "/".join(parts[i + 1:])
    return Path(filename).name


def write_report(exc_type: type[BaseException], exc: BaseException | None,
                 tb: TracebackType | None, *, thread: str = "main") -> Path:
    """Write a crash report, mark it pending for the next start, and return its path."""
    folder = logs_dir()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"crash-{stamp}.txt"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"crash-{stamp}-{n}.txt"
    path.write_text(format_report(exc_type, exc, tb, thread=thread), encoding="utf-8")
    (folder / PENDING).write_text(str(path), encoding="utf-8")
    log.error("crash: %s (report %s)", exc_type.__qualname__, path)
    return path


def pending_report() -> Path | None:
    """The crash report of an earlier run not yet offered, if any (and still there)."""
    marker = logs_dir() / PENDING
    if not marker.is_file():
        return None
    path = Path(marker.read_text(encoding="utf-8").strip())
    if not path.is_file():
        marker.unlink(missing_ok=True)
        return None
    return path


def clear_pending() -> None:
    """Forget the pending report (it has been offered)."""
    (logs_dir() / PENDING).unlink(missing_ok=True)


def plain_message(exc_type: type[BaseException], report: Path) -> str:
    """What the user reads after a crash."""
    return ("Something went wrong inside Vaughn and the last action did not finish "
            f"({exc_type.__name__}).\n\nEverything saved before it is safe: each change is "
            "written to the matter file as it is made.\n\n"
            f"A report was saved (no page text is in it):\n{report}\n\n"
            f"The log file is:\n{log_path()}")


_installed: dict[str, Any] = {}


def install(notify: Callable[[type[BaseException], Path], None] | None = None) -> None:
    """Install the crash hooks (idempotent). ``notify`` runs on the GUI thread after a report."""
    setup_logging()
    _installed["notify"] = notify
    if _installed.get("done"):
        return
    _installed["done"] = True
    _installed["sys"] = sys.excepthook
    _installed["threading"] = threading.excepthook
    sys.excepthook = _sys_hook
    threading.excepthook = _thread_hook


def uninstall() -> None:
    """Put back the hooks that were there before :func:`install` (for tests)."""
    if _installed.pop("done", None):
        sys.excepthook = _installed.pop("sys")
        threading.excepthook = _installed.pop("threading")


def _sys_hook(exc_type: type[BaseException], exc: BaseException,
              tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        _installed["sys"](exc_type, exc, tb)
        return
    path = _safe_write(exc_type, exc, tb, "main")
    traceback.print_exception(exc_type, exc, tb)
    notify = _installed.get("notify")
    if notify is not None and path is not None:
        try:
            notify(exc_type, path)
        except Exception:  # the notice must never raise from inside the hook
            log.exception("crash notice failed")


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "thread"
    path = _safe_write(args.exc_type, args.exc_value, args.exc_traceback, name)
    print(f"vaughn: an error in {name}: {args.exc_type.__name__}; report: {path}",
          file=sys.stderr)


def _safe_write(exc_type: type[BaseException], exc: BaseException | None,
                tb: TracebackType | None, thread: str) -> Path | None:
    try:
        return write_report(exc_type, exc, tb, thread=thread)
    except OSError as err:  # a full disk must not turn one error into two
        print(f"vaughn: cannot write a crash report: {err}", file=sys.stderr)
        return None


def show_crash_notice(parent: Any, exc_type: type[BaseException], report: Path) -> Any:
    """A non-blocking message box saying what happened and where the report is."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, "Vaughn", plain_message(exc_type, report),
                      QMessageBox.StandardButton.Ok, parent)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setModal(False)
    box.show()
    return box


def offer_pending(parent: Any, open_file: Callable[[Path], Any] | None = None) -> Any:
    """If the last run crashed, offer to open its report (once); return the box or None.

    ``open_file`` opens a path with the desktop's viewer (QDesktopServices by default).
    """
    report = pending_report()
    if report is None:
        return None
    clear_pending()
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Information, "Vaughn",
                      "Vaughn closed unexpectedly last time. A report was saved; it holds "
                      "no page text, only where in Vaughn the error happened.\n\n"
                      f"{report}", QMessageBox.StandardButton.Close, parent)
    open_btn = box.addButton("Open the report", QMessageBox.ButtonRole.AcceptRole)
    folder_btn = box.addButton("Show the folder", QMessageBox.ButtonRole.ActionRole)

    def clicked(button: Any) -> None:
        opener = open_file or _open_with_desktop
        if button is open_btn:
            opener(report)
        elif button is folder_btn:
            opener(report.parent)

    box.buttonClicked.connect(clicked)
    box.setModal(False)
    box.report = report  # type: ignore[attr-defined]
    box.open_button = open_btn  # type: ignore[attr-defined]
    box.show()
    return box


def _open_with_desktop(path: Path) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(QUrl.fromLocalFile(os.fspath(path)))
