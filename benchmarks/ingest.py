"""Ingest speed against the physical floor: a bare PyMuPDF get_text() loop, same files, same run.

Makes (once) a ~2,000-page production with no scans, then alternates, three rounds each:
  baseline  open every PDF and call page.get_text() on every page
  vaughn    full ingest into a fresh matter (text, Bates, FTS5 index, redaction analysis)
  vaughn-no-analysis  the same without the redaction analysis
and prints pages/second (median of the rounds) and the ratio to the baseline.
Usage: python benchmarks/ingest.py [--pages 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pymupdf
from _common import make_production, median

from app.ingest.pagejobs import READERS
from app.ingest.pipeline import ingest
from app.matter.store import Matter


def baseline(files: list[Path]) -> tuple[int, float]:
    start = time.perf_counter()
    pages = 0
    for f in files:
        with pymupdf.open(f) as doc:
            for page in doc:
                page.get_text()
                pages += 1
    return pages, time.perf_counter() - start


def vaughn(folder: Path, analyze: bool) -> tuple[int, float]:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        with Matter.open(Path(tmp) / "bench.vaughn", create=True) as matter:
            report = ingest(matter, [folder], analyze=analyze)
        elapsed = time.perf_counter() - start
    assert report.ok, report.by_status("failed")
    return report.pages_added, elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=2550,
                    help="the generator's approximate target (2550 gives about 2,000 pages)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    folder = make_production(f"ingest-{args.pages}", "--pages", str(args.pages),
                             "--scanned-share", "0", "--seed", "21")
    files = sorted(folder.glob("*.pdf"))
    rates: dict[str, list[float]] = {"baseline get_text": [], "vaughn ingest": [],
                                     "vaughn ingest, no analysis": []}
    pages = 0
    for _ in range(args.rounds):
        pages, t = baseline(files)
        rates["baseline get_text"].append(pages / t)
        n, t = vaughn(folder, analyze=True)
        rates["vaughn ingest"].append(n / t)
        n, t = vaughn(folder, analyze=False)
        rates["vaughn ingest, no analysis"].append(n / t)
    base = median(rates["baseline get_text"])
    print(f"{pages} pages, {args.rounds} rounds; the baseline on one core, Vaughn's analysis in "
          f"{READERS} child processes; medians:")
    for name, values in rates.items():
        rate = median(values)
        print(f"  {name:<28} {rate:8.0f} pages/s  {1000 / rate:6.2f} ms/page  "
              f"ratio to baseline {rate / base:5.2f}")


if __name__ == "__main__":
    main()
