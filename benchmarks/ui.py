"""Benchmark of the review window on a 20,000-page matter: cold start and next-page latency.

The matter: one production generated with the project's own ``app/sample_production.py``
(``--docs 100``, text pages, about 200 pages), ingested for real, then replicated with SQL
under other production names (new production, document, page, text and redaction rows that
point at the same source PDF) until it holds 20,000 pages. Rows, FTS index and tree are real
size; the renders hit the one source PDF. Everything lives under ``bench-data/ui`` (gitignored)
and is reused on later runs.

Measured, offscreen at 1600x1000 with ``QT_SCALE_FACTOR=2`` (device pixel ratio 2, so pages
render at twice the pixels):
  * cold start: a fresh ``python`` process to (a) the first painted window, (b) the first
    page image painted with its overlays, (c) that plus the 20,000-page tree and the panels;
  * next page (PgDown) when prefetched, and a jump to a page not rendered before: time from the
    key to the new page's sharp image painted; median and p95.

Usage:  .venv/bin/python benchmarks/ui.py [--pages 20000] [--steps 40] [--data DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


# -- building the matter ------------------------------------------------------------------------


def build_matter(data: Path, pages: int) -> Path:
    """A matter of about ``pages`` pages (made once, reused)."""
    matter_path = data / f"matter-{pages}.vaughn"
    if matter_path.exists():
        return matter_path
    os.environ.setdefault("VAUGHN_DATA_DIR", str(data / "vaughn-data"))
    from app import sample_production
    from app.ingest.pipeline import ingest
    from app.matter.store import Matter

    prod = data / "production"
    if not (prod / "truth.json").exists():
        t = time.perf_counter()
        sample_production.main([str(prod), "--docs", "100", "--seed", "21",
                                "--scanned-share", "0", "--bad-share", "0.2"])
        print(f"generated the production in {time.perf_counter() - t:.0f} s")
    tmp = matter_path.with_suffix(".tmp")
    for p in data.glob(tmp.name + "*"):
        p.unlink()
    t = time.perf_counter()
    with Matter.open(tmp, create=True) as m:
        ingest(m, [prod], production="Tranche 1")
        base = m.scalar("SELECT count(*) FROM pages")
        print(f"ingested {base} pages in {time.perf_counter() - t:.0f} s")
        _replicate(m.conn, pages)
        total = m.scalar("SELECT count(*) FROM pages")
    print(f"replicated to {total} pages in {time.perf_counter() - t:.0f} s")
    shutil.move(tmp, matter_path)
    return matter_path


def _replicate(conn: sqlite3.Connection, pages: int) -> None:
    """Copy production 1 under new names until the matter has ``pages`` pages."""
    base = conn.execute("SELECT count(*) FROM pages").fetchone()[0]
    copies = max(0, -(-pages // base) - 1)
    prod = conn.execute("SELECT * FROM productions WHERE id = 1").fetchone()
    cols = {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})") if r[1] != "id"]
            for t in ("documents", "pages", "redactions")}
    conn.execute("BEGIN")
    for n in range(copies):
        if conn.execute("SELECT count(*) FROM pages").fetchone()[0] >= pages:
            break
        cur = conn.execute(
            "INSERT INTO productions(name, tranche, source_path, loaded_at) VALUES (?,?,?,?)",
            (f"Tranche {n + 2}", n + 2, prod[3], prod[5]))
        pid = cur.lastrowid
        doc_map: dict[int, int] = {}
        for (did,) in conn.execute("SELECT id FROM documents WHERE production_id = 1").fetchall():
            c = [x for x in cols["documents"] if x != "production_id"]
            cur = conn.execute(
                f"INSERT INTO documents(production_id, {', '.join(c)}) "
                f"SELECT ?, {', '.join(c)} FROM documents WHERE id = ?", (pid, did))
            doc_map[did] = cur.lastrowid
        c = [x for x in cols["pages"] if x not in ("production_id", "document_id")]
        for (page_id, did) in conn.execute(
                "SELECT id, document_id FROM pages WHERE production_id = 1").fetchall():
            cur = conn.execute(
                f"INSERT INTO pages(production_id, document_id, {', '.join(c)}) "
                f"SELECT ?, ?, {', '.join(c)} FROM pages WHERE id = ?",
                (pid, doc_map[did], page_id))
            new = cur.lastrowid
            conn.execute("INSERT INTO page_text(page_id, text) SELECT ?, text FROM page_text "
                         "WHERE page_id = ?", (new, page_id))
            rc = [x for x in cols["redactions"] if x != "page_id"]
            conn.execute(f"INSERT INTO redactions(page_id, {', '.join(rc)}) "
                         f"SELECT ?, {', '.join(rc)} FROM redactions WHERE page_id = ?",
                         (new, page_id))
    conn.execute("COMMIT")


# -- cold start (child process) ---------------------------------------------------------------


def child_startup(matter: str) -> None:
    """Runs in a fresh process: print wall-clock times of first window paint and first page."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from ui.window import MainWindow

    marks: dict[str, float] = {}

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and "window" not in marks:
                marks["window"] = time.time()
            return False

    app = QApplication([])
    window = MainWindow(screenshot=True)
    watcher = FirstPaint()
    window.installEventFilter(watcher)
    window.resize(1600, 1000)
    window.show()
    app.processEvents()  # as ui.app.run_window does: paint first, then open the matter
    window.page_view.canvas.painted.connect(
        lambda _pid: marks.setdefault("page", time.time()))
    window.open_matter(matter)

    def poll() -> None:
        if window.ready():
            marks["all"] = time.time()
            marks["dpr"] = window.page_view.canvas.devicePixelRatioF()
            marks["pages"] = len(window.tree_model.pages)
            print(json.dumps(marks))
            window.close()
            app.quit()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(5)
    app.exec()


def cold_start(matter: Path, runs: int, env: dict[str, str]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"window": [], "page": [], "all": []}
    for _ in range(runs):
        t0 = time.time()
        proc = subprocess.run([sys.executable, __file__, "--child-startup", str(matter)],
                              capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
        if proc.returncode:
            raise SystemExit(proc.stderr)
        marks = json.loads(proc.stdout.strip().splitlines()[-1])
        out["window"].append((marks["window"] - t0) * 1000)
        out["page"].append((marks["page"] - t0) * 1000)
        out["all"].append((marks["all"] - t0) * 1000)
        out.setdefault("dpr", []).append(marks["dpr"])
        out.setdefault("pages", []).append(marks["pages"])
    return out


# -- next page (in process) -------------------------------------------------------------------


def next_page(matter: Path, steps: int) -> dict[str, list[float]]:
    from PySide6.QtWidgets import QApplication

    from ui.window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(screenshot=True)
    window.resize(1600, 1000)
    window.show()
    window.open_matter(matter)

    def wait(cond, timeout=60.0) -> None:
        end = time.perf_counter() + timeout
        while not cond():
            app.processEvents()
            time.sleep(0.0005)
            if time.perf_counter() > end:
                raise SystemExit("timed out")

    canvas = window.page_view.canvas

    def painted(pid: int):  # the new page's sharp image and overlays are on screen
        return lambda: (window.page is not None and window.page.id == pid
                        and canvas.painted_key is not None and canvas.painted_key[0] == pid)

    wait(window.ready)
    order = window.tree_model.pages
    out: dict[str, list[float]] = {"prefetched": [], "cold": [], "dpr": [
        window.page_view.canvas.devicePixelRatioF()]}
    for _ in range(steps):  # PgDown after the prefetch has finished
        end = time.perf_counter() + 0.3  # the reviewer looks at the page: prefetch starts
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.002)
        wait(lambda: window.worker.pending() == 0 and window.ready())
        time.sleep(0.1)  # the last prefetch render finishes
        app.processEvents()
        i = order.index(window.page_id)
        t = time.perf_counter()
        window.action_table.by_name["next_page"].trigger()
        wait(painted(order[i + 1]))
        out["prefetched"].append((time.perf_counter() - t) * 1000)
    rng = random.Random(5)
    seen = set(order[: steps + 4])
    for _ in range(steps):  # a jump to a page never rendered
        wait(lambda: window.worker.pending() == 0)
        pid = rng.choice([p for p in order[len(order) // 2:] if p not in seen][:5000])
        seen.add(pid)
        t = time.perf_counter()
        window.show_page(pid)
        wait(painted(pid))
        out["cold"].append((time.perf_counter() - t) * 1000)
    window.close()
    return out


def _stats(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return f"median {statistics.median(values):7.1f} ms   p95 {p95:7.1f} ms   (n={len(values)})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=20000)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--runs", type=int, default=5, help="cold-start runs")
    ap.add_argument("--data", type=Path, default=ROOT / "bench-data" / "ui")
    ap.add_argument("--child-startup", help=argparse.SUPPRESS)
    ap.add_argument("--only", choices=["start", "next"], help="run one part only")
    args = ap.parse_args(argv)
    if args.child_startup:
        child_startup(args.child_startup)
        return 0
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["QT_SCALE_FACTOR"] = "2"
    args.data.mkdir(parents=True, exist_ok=True)
    os.environ["VAUGHN_DATA_DIR"] = str(args.data / "vaughn-data")
    os.environ.setdefault("VAUGHN_REVIEWER", "benchmark")
    matter = build_matter(args.data, args.pages)
    env = dict(os.environ)
    if args.only != "next":
        start = cold_start(matter, args.runs, env)
        print(f"matter: {start['pages'][0]} pages; 1600x1000 offscreen, device pixel ratio "
              f"{start['dpr'][0]:g}")
        print(f"cold start -> first painted window:        {_stats(start['window'])}")
        print(f"cold start -> first page + overlays shown: {_stats(start['page'])}")
        print(f"cold start -> + 20k-page tree and panels:  {_stats(start['all'])}")
    if args.only == "start":
        return 0
    nxt = next_page(matter, args.steps)
    print(f"next page (PgDown), prefetched:            {_stats(nxt['prefetched'])}")
    print(f"jump to a page not rendered yet:           {_stats(nxt['cold'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
