"""The matter worker: one thread, priorities, errors delivered, renders cached and sharp."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from app.matter.store import Matter  # noqa: E402


@pytest.fixture(scope="module")
def small_matter(pdf_production, tmp_path_factory) -> Path:
    from app.ingest.pipeline import ingest

    path = tmp_path_factory.mktemp("worker") / "w.vaughn"
    with Matter.open(path, create=True) as m:
        ingest(m, [pdf_production[0]], production="T1")
    return path


@pytest.fixture
def worker(qtbot, small_matter):
    from ui.worker import MatterWorker

    w = MatterWorker(small_matter)
    with qtbot.waitSignal(w.opened, timeout=10000):
        w.start()
    yield w
    w.stop()


def test_jobs_run_on_one_thread_by_priority_and_errors_come_back(qtbot, worker) -> None:
    from ui.worker import PREFETCH, URGENT

    threads: set[int] = set()
    order: list[str] = []
    gate = threading.Event()

    def block(ctx):
        gate.wait(5)
        threads.add(threading.get_ident())

    def job(name):
        def run(ctx):
            threads.add(threading.get_ident())
            order.append(name)
            return ctx.session.matter.scalar("SELECT count(*) FROM pages")
        return run

    results = []
    worker.submit(block)
    worker.submit(job("prefetch"), results.append, priority=PREFETCH)
    worker.submit(job("normal"), results.append)
    worker.submit(job("urgent"), results.append, priority=URGENT)
    errors = []
    worker.submit(lambda ctx: 1 / 0, on_error=errors.append)
    gate.set()
    qtbot.waitUntil(lambda: len(results) == 3 and bool(errors), timeout=10000)
    assert order == ["urgent", "normal", "prefetch"]
    assert len(threads) == 1 and threading.get_ident() not in threads
    assert isinstance(errors[0], ZeroDivisionError)
    assert results[0] > 0


def test_renders_are_cached_sharp_and_prefetch_gives_way(qtbot, worker) -> None:
    out = []

    def render(ctx):
        pid = ctx.session.matter.scalar("SELECT min(id) FROM pages")
        w = ctx.session.matter.scalar("SELECT width FROM pages WHERE id = ?", (pid,))
        first = ctx.renderer.render(pid, 2.0)
        again = ctx.renderer.render(pid, 2.0)
        stopped = ctx.renderer.render(pid + 1, 2.0, abort=lambda: True)
        return w, first, again, stopped, ctx.renderer.cached(pid + 1, 2.0)

    worker.submit(render, out.append)
    qtbot.waitUntil(lambda: bool(out), timeout=20000)
    width, first, again, stopped, cached = out[0]
    assert abs(first.width() - width * 2) <= 1  # rendered at zoom x device pixel ratio
    assert again is first  # from the cache
    assert stopped is None and cached is None  # an aborted prefetch leaves nothing behind
    colours = {first.pixel(x, y) for x in range(0, first.width(), 37)
               for y in range(0, first.height(), 41)}
    assert len(colours) > 2  # not blank
