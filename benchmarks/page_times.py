"""How long one page's text and redaction analysis takes: the basis of the default budget.

Runs :func:`app.ingest.pdf.extract_page` with the analysis on every page of the shared real
PDFs (../shared/realdata, when present) and of a generated production, in this process, each
page under a 120 s alarm, and prints the median, p99 and slowest page of each set next to the
analysis budget of app/pagework.py (about 10x the slowest real page, rounded up).
Usage: python benchmarks/page_times.py [--max-pages 400]
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import time
from pathlib import Path

import pymupdf
from _common import SHARED, make_production

from app.ingest.pdf import extract_page, open_document
from app.pagework import DEFAULT_BUDGETS
from app.redactions import analyze_page


class _Late(Exception):
    pass


def _alarm(*_: object) -> None:
    raise _Late


def times(files: list[Path], max_pages: int) -> list[tuple[float, str]]:
    out: list[tuple[float, str]] = []
    analyzer = lambda page, words, image_only: analyze_page(page, words, image_only=image_only)  # noqa: E731
    for path in files:
        try:
            doc = open_document(path, "pdf")
        except Exception:
            continue
        with doc:
            for index in range(min(doc.page_count, max_pages)):
                start = time.perf_counter()
                signal.alarm(120)
                try:
                    extract_page(doc.load_page(index), analyzer)
                except _Late:
                    pass
                except Exception:
                    continue
                finally:
                    signal.alarm(0)
                out.append((time.perf_counter() - start, f"{path.name} p.{index + 1}"))
    return out


def report(name: str, found: list[tuple[float, str]]) -> None:
    if not found:
        print(f"{name}: no pages")
        return
    ms = sorted(t * 1000 for t, _ in found)
    slow = max(found)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    print(f"{name}: {len(ms)} pages, median {statistics.median(ms):.1f} ms, p99 {p99:.0f} ms, "
          f"slowest {slow[0] * 1000:.0f} ms ({slow[1]})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--max-pages", type=int, default=400, help="pages per file at most")
    args = ap.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    pymupdf.TOOLS.mupdf_display_errors(False)
    real = SHARED / "realdata"
    if real.exists():
        report("shared real PDFs", times(sorted(real.rglob("*.pdf")), args.max_pages))
    else:
        print(f"(the shared corpus is absent: {real})")
    gen = make_production("pagetimes-pdf", "--docs", "20", "--seed", "41", "--layout", "pdf",
                          "--scanned-share", "0.2")
    report("generated production", times(sorted(gen.rglob("*.pdf")), args.max_pages))
    print(f"analysis budget: {DEFAULT_BUDGETS['analysis']:.0f} s per page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
