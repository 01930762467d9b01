"""Start the review window: ``vaughn [MATTER] [--bates B] [--screenshot FILE.png --size WxH]``.

Only Qt is imported before the window first paints; sqlite-utils and PyMuPDF load on the matter
worker when the matter opens. ``--screenshot`` renders the window offscreen with the page
selected and saves it once the page image, its overlays and the panels have been painted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import cast

SCREENSHOT_TIMEOUT_S = 60.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The window's command line."""
    p = argparse.ArgumentParser(prog="vaughn", description="Review a FOIA production.")
    p.add_argument("matter", nargs="?", help="the matter file to open")
    p.add_argument("--bates", help="open on the page with this Bates number")
    p.add_argument("--screenshot", metavar="FILE.png",
                   help="render the window offscreen, save it as a PNG and exit")
    p.add_argument("--size", default="1600x1000", help="window size for --screenshot (WxH)")
    return p.parse_args(argv)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"vaughn: --size must look like 1600x1000, not {text!r}") from None
    return w, h


def run_window(argv: list[str]) -> int:
    """Run the window until it closes (or, with --screenshot, until the PNG is saved)."""
    args = parse_args(argv)
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        if not args.matter:
            print("vaughn: --screenshot needs a matter", file=sys.stderr)
            return 2
    from PySide6.QtWidgets import QApplication

    import ui.qtfix  # noqa: F401  (PySide6 6.12 refcount workaround; see its docstring)

    app = cast(QApplication, QApplication.instance()) or QApplication(sys.argv[:1])
    app.setApplicationName("Vaughn")
    app.setOrganizationName("Vaughn")
    from ui.window import MainWindow

    window = MainWindow(screenshot=bool(args.screenshot))
    if args.screenshot:
        window.resize(*_size(args.size))
    from ui.welcome import start

    # Crash hooks, log file, first-paint probe; the window, or the welcome screen if no matter.
    start(app, window, matter=bool(args.matter), screenshot=bool(args.screenshot))
    if args.matter:
        path = Path(args.matter).expanduser()
        if not path.exists():
            print(f"vaughn: {path}: no such matter file", file=sys.stderr)
            return 2
        window.open_matter(path, bates=args.bates)
    if args.screenshot:
        return _screenshot(app, window, Path(args.screenshot))
    return app.exec()


def _screenshot(app: object, window: object, out: Path) -> int:
    from PySide6.QtCore import QTimer

    started = time.monotonic()
    result = {"code": 1}

    def poll() -> None:
        if window.ready():  # type: ignore[attr-defined]
            timer.stop()
            app.processEvents()  # type: ignore[attr-defined]
            image = window.grab()  # type: ignore[attr-defined]
            out.parent.mkdir(parents=True, exist_ok=True)
            result["code"] = 0 if image.save(str(out)) else 1
            if result["code"]:
                print(f"vaughn: cannot write {out}", file=sys.stderr)
            window.close()  # type: ignore[attr-defined]
            app.quit()  # type: ignore[attr-defined]
        elif time.monotonic() - started > SCREENSHOT_TIMEOUT_S:
            timer.stop()
            print("vaughn: the page did not finish painting in time", file=sys.stderr)
            window.close()  # type: ignore[attr-defined]
            app.quit()  # type: ignore[attr-defined]

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(30)
    app.exec()  # type: ignore[attr-defined]
    return result["code"]
