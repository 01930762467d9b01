"""OCR benchmark: word recall, phrase search and stamps on generated scans; throughput.

    .venv/bin/python benchmarks/ocr.py [--docs 10] [--speed-pages 8] [--skip-loadfile]

1. A production with ``--scanned-share 0.5`` (PDF layout) is ingested and OCRed (2 workers).
   Printed: word recall of OCR text against truth.json's visible text (scanned pages);
   phrase search over scanned pages (3-word phrases sampled from the visible text; a hit is
   a page whose visible text holds the phrase); stamps on scanned pages (box recall/precision
   at IoU > 0.5, exemption exact match).
2. The same for a ``--layout loadfile`` volume (TIFF pages; text from the load file, stamps
   only in the image).
3. Throughput: the same scanned pages OCRed from a fresh copy of the matter with 1 and with 2
   workers: pages per minute and the ratio. Real scans in ../shared/realdata (freelaw
   disclosure, ocrmypdf) are timed with 1 worker when present.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import SHARED, make_production  # noqa: E402

from app.ingest.pipeline import ingest  # noqa: E402
from app.matter.store import Matter  # noqa: E402
from app.ocr.queue import run_ocr  # noqa: E402

_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def truth_pages(folder: Path) -> list[dict]:
    truth = json.loads((folder / "truth.json").read_text())
    return [p for d in truth["documents"] for p in d["pages"]]


def iou(a: list[float], b: list[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def page_ids_by_bates(m: Matter) -> dict[str, int]:
    return {r["bates"]: r["id"] for r in m.query("SELECT id, bates FROM pages")}


def word_recall(m: Matter, pages: list[dict], ids: dict[str, int]) -> float:
    hit = total = 0
    for pt in pages:
        text = m.scalar("SELECT text FROM page_text WHERE page_id = ?", (ids[pt["bates"]],))
        have: dict[str, int] = {}
        for t in tokens(text or ""):
            have[t] = have.get(t, 0) + 1
        for t in tokens(pt["visible_text"]):
            total += 1
            if have.get(t, 0) > 0:
                have[t] -= 1
                hit += 1
    return hit / max(1, total)


def phrase_search(m: Matter, pages: list[dict], ids: dict[str, int],
                  n: int = 60) -> tuple[float, float, int]:
    rng = random.Random(5)
    toks = {pt["bates"]: tokens(pt["visible_text"]) for pt in pages}
    scanned_ids = {ids[b] for b in toks}
    phrases: set[tuple[str, ...]] = set()
    bates = sorted(toks)
    while len(phrases) < n and bates:
        t = toks[rng.choice(bates)]
        if len(t) >= 3:
            i = rng.randrange(len(t) - 2)
            phrases.add(tuple(t[i: i + 3]))
    tp = fn = fp = 0
    for ph in sorted(phrases):
        expected = {ids[b] for b, t in toks.items()
                    if any(tuple(t[i: i + 3]) == ph for i in range(len(t) - 2))}
        q = '"' + " ".join(ph) + '"'
        found = {r[0] for r in m.conn.execute(
            "SELECT rowid FROM page_text_fts WHERE page_text_fts MATCH ?", (q,))} & scanned_ids
        tp += len(found & expected)
        fn += len(expected - found)
        fp += len(found - expected)
    return tp / max(1, tp + fn), tp / max(1, tp + fp), len(phrases)


def stamps(m: Matter, pages: list[dict], ids: dict[str, int]) -> tuple[float, float, float, int]:
    truth_n = found_n = matched = exact = 0
    for pt in pages:
        rows = m.query("SELECT x0, y0, x1, y1, exemptions FROM redactions WHERE page_id = ?",
                       (ids[pt["bates"]],))
        found = [([r["x0"], r["y0"], r["x1"], r["y1"]], sorted(json.loads(r["exemptions"])))
                 for r in rows]
        truth_n += len(pt["redactions"])
        found_n += len(found)
        for tr in pt["redactions"]:
            best = max(found, key=lambda f: iou(f[0], tr["bbox"]), default=None)
            if best is not None and (iou(best[0], tr["bbox"]) > 0.5 or (
                    pt["withheld_in_full"] and iou(best[0], tr["bbox"]) > 0.3)):
                found.remove(best)
                matched += 1
                exact += best[1] == sorted(tr["exemptions"])
    return (matched / max(1, truth_n), matched / max(1, found_n), exact / max(1, matched),
            truth_n)


def load(folder: Path, dest: Path) -> Path:
    with Matter.open(dest, create=True) as m:
        ingest(m, [folder])
    return dest


def quality(folder: Path, label: str, work: Path, scanned_only: bool) -> Path:
    matter = load(folder, work / f"{label}.vaughn")
    copy = work / f"{label}-fresh.vaughn"
    shutil.copy(matter, copy)
    with Matter.open(matter) as m:
        t0 = time.perf_counter()
        summary = run_ocr(m, workers=2)
        took = time.perf_counter() - t0
        pages = [p for p in truth_pages(folder) if p["scanned"] or not scanned_only]
        ids = page_ids_by_bates(m)
        scanned = [p for p in truth_pages(folder) if p["scanned"]]
        print(f"[{label}] {summary.done} pages OCRed in {took:.0f} s (2 workers); "
              f"{summary.low_confidence} low-confidence, {len(summary.failed)} failed")
        if scanned and scanned_only:
            print(f"[{label}] word recall (scanned pages): {word_recall(m, scanned, ids):.4f}")
            r, p, n = phrase_search(m, scanned, ids)
            print(f"[{label}] phrase search over scanned pages ({n} phrases): "
                  f"recall {r:.4f}, precision {p:.4f}")
        br, bp, ex, n = stamps(m, pages, ids)
        what = "scanned pages" if scanned_only else "TIFF pages"
        print(f"[{label}] stamps on {what} ({n} boxes): box recall {br:.4f}, "
              f"precision {bp:.4f}, exemption exact match {ex:.4f}")
        secs = [r[0] for r in m.conn.execute(
            "SELECT seconds FROM ocr_queue WHERE status = 'done'")]
        if secs:
            print(f"[{label}] median s/page in a worker: {statistics.median(secs):.2f}")
    return copy


def throughput(fresh: Path, work: Path, pages: int) -> None:
    rates = {}
    for workers in (1, 2):
        dest = work / f"speed-{workers}.vaughn"
        shutil.copy(fresh, dest)
        with Matter.open(dest) as m:
            from app.ocr.queue import enqueue

            enqueue(m)
            ids = [r[0] for r in m.conn.execute(
                "SELECT page_id FROM ocr_queue WHERE status = 'pending' ORDER BY page_id "
                "LIMIT ?", (pages,))]
            t0 = time.perf_counter()
            summary = run_ocr(m, workers=workers, page_ids=ids)
            took = time.perf_counter() - t0
        rates[workers] = summary.done / took * 60
        print(f"[speed] {workers} worker(s): {summary.done} pages in {took:.1f} s = "
              f"{rates[workers]:.1f} pages/min")
    print(f"[speed] 2 workers / 1 worker: {rates[2] / rates[1]:.2f}x")


def real_scans(pages: int) -> None:
    import pymupdf

    from app.ocr.engine import limit_threads, ocr_page

    limit_threads()
    for name in ("freelaw_disclosure", "ocrmypdf"):
        folder = SHARED / "realdata" / name
        if not folder.is_dir():
            print(f"[real] {name}: absent, skipped")
            continue
        times = []
        for path in sorted(folder.rglob("*.pdf")):
            try:
                doc = pymupdf.open(path)
            except Exception:
                continue
            with doc:
                for page in doc:
                    if len(times) >= pages:
                        break
                    if len(page.get_text("text").strip()) > 40 or not page.get_images():
                        continue
                    t0 = time.perf_counter()
                    ocr_page(page)
                    times.append(time.perf_counter() - t0)
            if len(times) >= pages:
                break
        if times:
            print(f"[real] {name}: {len(times)} scanned pages, median "
                  f"{statistics.median(times):.2f} s/page = "
                  f"{60 / statistics.median(times):.1f} pages/min (1 process)")
        else:
            print(f"[real] {name}: no scanned pages found")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=10)
    ap.add_argument("--speed-pages", type=int, default=8)
    ap.add_argument("--real-pages", type=int, default=4)
    ap.add_argument("--skip-loadfile", action="store_true")
    args = ap.parse_args()
    pdf = make_production(f"ocr-pdf-{args.docs}", "--docs", str(args.docs),
                          "--scanned-share", "0.5", "--seed", "11")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        fresh = quality(pdf, "pdf", work, scanned_only=True)
        if not args.skip_loadfile:
            vol = make_production(f"ocr-loadfile-{args.docs // 2}", "--docs",
                                  str(max(1, args.docs // 2)), "--layout", "loadfile",
                                  "--scanned-share", "0.5", "--seed", "12")
            quality(vol, "loadfile", work, scanned_only=False)
        if args.speed_pages:
            throughput(fresh, work, args.speed_pages)
    if args.real_pages:
        real_scans(args.real_pages)


if __name__ == "__main__":
    main()
