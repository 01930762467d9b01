"""Nothing stalls: every page's analysis and OCR runs under a time budget.

A page made to be slow (a content stream of 300,000 filled rectangles) is stopped, recorded
for a human look and retried; every other page of the production goes in. The pool behind it
(app/pagework.py) is driven with real child processes that sleep or die.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pymupdf
import pytest

from app.ingest.pipeline import ingest
from app.matter.listing import pages
from app.matter.maintenance import check
from app.pagework import Died, Done, PagePool, Stopped, budget_for, set_budget

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from budget_targets import sleepy  # noqa: E402

# The slow page's analysis takes several seconds (8 s with the machine loaded); its preview
# (size and Bates candidates, sent before the analysis) a fraction of a second, or about 0.3 s
# under load. The budget sits between them with room on both sides, so the page is always
# stopped and always keeps its Bates number, loaded machine or not.
BUDGET = 2.0


def _slow_pdf(path: Path, rects: int = 600_000, prefix: str = "SLOW") -> Path:
    """Three Bates-stamped pages; the second carries ``rects`` tiny filled rectangles."""
    doc = pymupdf.open()
    for k in range(3):
        page = doc.new_page()
        page.insert_text((72, 72), f"Page {k + 1} of the memorandum about the field office.",
                         fontsize=11)
        page.insert_text((440, 770), f"{prefix}-{k + 1:06d}", fontsize=9)
        if k == 1:
            ops = "\n".join(f"{50 + (i % 500):d} {100 + (i // 500) % 600:d} 0.6 0.6 re f"
                            for i in range(rects))
            xref = doc.get_new_xref()
            doc.update_object(xref, "<<>>")
            doc.update_stream(xref, ("0 g\n" + ops).encode())
            refs = " ".join(f"{x} 0 R" for x in [*page.get_contents(), xref])
            doc.xref_set_key(page.xref, "Contents", f"[{refs}]")
    doc.save(path, deflate=True)
    doc.close()
    return path


def _plain_pdf(path: Path, prefix: str = "PLAIN") -> Path:
    doc = pymupdf.open()
    for k in range(2):
        page = doc.new_page()
        page.insert_text((72, 72), f"An ordinary page {k + 1} about the detention review.",
                         fontsize=11)
        # a pattern-stalling token in the text layer: a long run of capitals (took minutes)
        page.insert_text((72, 100), "H" * 120, fontsize=4)
        page.insert_text((440, 770), f"{prefix}-{k + 1:06d}", fontsize=9)
    doc.save(path)
    doc.close()
    return path


@pytest.fixture(scope="module")
def slow_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("slow-production")
    _slow_pdf(folder / "a_slow.pdf")
    _plain_pdf(folder / "b_plain.pdf")
    return folder


def test_a_stalling_page_is_stopped_and_the_rest_goes_in(matter, slow_folder: Path) -> None:
    budget = BUDGET
    started = time.monotonic()
    report = ingest(matter, [slow_folder], budget=budget)
    took = time.monotonic() - started
    assert report.ok and report.pages_added == 5
    assert took < budget + 10
    by_bates = {p["bates"]: p for p in pages(matter)}
    assert set(by_bates) == {"SLOW-000001", "SLOW-000002", "SLOW-000003", "PLAIN-000001",
                             "PLAIN-000002"}
    slow = by_bates["SLOW-000002"]
    assert len(slow["needs_look"]) == 1 and slow["needs_look"][0].startswith(
        "analysis stopped after")
    assert [s["bates"] for s in report.stopped] == ["SLOW-000002"]
    texts = dict(matter.conn.execute(
        "SELECT p.bates, t.text FROM pages p JOIN page_text t ON t.page_id = p.id"))
    assert texts["SLOW-000002"] == ""  # not analysed: nothing of it is indexed
    assert "memorandum" in texts["SLOW-000003"] and "detention" in texts["PLAIN-000002"]
    assert all(not by_bates[b]["needs_look"] for b in by_bates if b != "SLOW-000002")
    assert [s["step"] for s in check(matter, hashes=False).stopped] == ["analysis"]


def _vaughn(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_cli_lists_the_stopped_page_checks_it_and_retries_it(tmp_path: Path,
                                                              slow_folder: Path) -> None:
    m = str(tmp_path / "m.vaughn")
    out = _vaughn("ingest", m, str(slow_folder / "a_slow.pdf"), "--budget", str(BUDGET), "--json")
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert [s["bates"] for s in json.loads(out.stdout)["stopped"]] == ["SLOW-000002"]
    listed = {p["bates"]: p["needs_look"] for p in json.loads(_vaughn("pages", m, "--json").stdout)}
    assert listed["SLOW-000002"][0].startswith("analysis stopped after")
    checked = _vaughn("check", m, "--quick")
    assert "pages stopped over their time budget: 1" in checked.stdout
    assert "SLOW-000002: analysis stopped after" in checked.stdout
    again = _vaughn("analyze", m, "--page", "SLOW-000002", "--budget", "120")
    assert again.returncode == 0, again.stderr
    assert "1 pages analysed" in again.stdout
    listed = {p["bates"]: p["needs_look"] for p in json.loads(_vaughn("pages", m, "--json").stdout)}
    assert listed["SLOW-000002"] == []
    found = json.loads(_vaughn("search", m, "memorandum", "--json").stdout)
    assert "SLOW-000002" in {h["bates"] for h in found["hits"]}
    assert "pages stopped over their time budget: 0" in _vaughn("check", m, "--quick").stdout


def test_budgets_are_matter_settings(matter) -> None:
    assert budget_for(matter, "analysis") == 30.0 and budget_for(matter, "ocr") == 180.0
    set_budget(matter, "ocr", 45)
    assert budget_for(matter, "ocr") == 45.0
    with pytest.raises(ValueError):
        set_budget(matter, "ocr", 0)
    with pytest.raises(ValueError):
        set_budget(matter, "render", 5)


# -- the pool ----------------------------------------------------------------------------


def test_pool_stops_an_overrun_replaces_its_child_and_goes_on() -> None:
    pool = PagePool(sleepy, workers=1)
    try:
        jobs = [(1, ("fast", 0.0)), (2, ("slow", 60.0)), (3, ("after", 0.0))]
        started = time.monotonic()
        events = list(pool.run(jobs, budget=1.0))
        assert time.monotonic() - started < 20
    finally:
        pool.close()
    assert [type(e) for e in events] == [Done, Stopped, Done]
    assert events[0].value == "fast: done" and events[2].value == "after: done"
    stopped = events[1]
    assert stopped.key == 2 and 1.0 <= stopped.seconds < 5 and stopped.partial == "slow: started"


def test_pool_reports_a_child_that_dies_and_goes_on() -> None:
    pool = PagePool(sleepy, workers=2)
    try:
        events = {e.key: e for e in pool.run(
            [(1, ("die", 0.0)), (2, ("ok", 0.1)), (3, ("ok too", 0.0))], budget=30)}
    finally:
        pool.close()
    assert isinstance(events[1], Died) and "exit code 3" in events[1].reason
    assert events[1].partial == "die: started"
    assert events[2].value == "ok: done" and events[3].value == "ok too: done"


def test_pool_starts_no_job_while_paused_and_says_when_it_holds() -> None:
    state = {"polls": 0, "held": 0, "resumed": False}

    def paused() -> bool:  # not paused for the first job, then paused until resumed
        state["polls"] += 1
        return state["polls"] > 1 and not state["resumed"]

    def idle() -> None:  # the pool holds: resume it (it must not have begun job 2 before)
        state["held"] += 1
        state["resumed"] = True

    pool = PagePool(sleepy, workers=1)
    try:
        seen = []
        for event in pool.run([(1, ("first", 0.2)), (2, ("second", 0.0))], budget=30,
                              paused=paused, idle=idle):
            seen.append((event.key, state["held"], state["resumed"]))
    finally:
        pool.close()
    # job 1 ran before the pause; job 2 only once the pool had held and been resumed
    assert seen == [(1, 0, False), (2, 1, True)]


def test_pool_cancel_ends_the_children_in_flight() -> None:
    from app.errors import Cancelled
    from app.progress import CancelToken

    token = CancelToken()
    pool = PagePool(sleepy, workers=1)
    run = pool.run([(1, ("slow", 60.0))], budget=120, cancel=token)
    try:
        started = time.monotonic()
        token.cancel()
        with pytest.raises(Cancelled):
            list(run)
        assert time.monotonic() - started < 10
    finally:
        pool.close()


def test_window_lists_and_explains_a_stopped_page(qtbot, tmp_path: Path, slow_folder: Path,
                                                  monkeypatch) -> None:
    pytest.importorskip("PySide6.QtWidgets")
    from app.matter.store import Matter
    from ui.window import MainWindow

    path = tmp_path / "stopped.vaughn"
    with Matter.open(path, create=True) as m:
        ingest(m, [slow_folder / "a_slow.pdf"], budget=BUDGET)
        stopped = m.scalar("SELECT page_id FROM page_stops")
    monkeypatch.setenv("VAUGHN_REVIEWER", "Test Reviewer")
    win = MainWindow(inline_worker=True)
    qtbot.addWidget(win)
    win.show()
    win.open_matter(path)
    qtbot.waitUntil(win.ready, timeout=15000)
    try:
        win.filters.set_filter("needs_look")
        qtbot.waitUntil(lambda: win.tree_model.pages == [stopped], timeout=10000)
        win.show_page(stopped)
        qtbot.waitUntil(lambda: "needs a human look: analysis stopped after"
                        in win.statusBar().currentMessage(), timeout=10000)
    finally:
        win.close()
