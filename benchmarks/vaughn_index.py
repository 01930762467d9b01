"""Benchmark for issue 17: the agency's Vaughn index against the production, with an answer key.

Generates productions with the shared corpus maker (../shared/corpus/make_production.py; the
benchmark exits 0 with a message when ../shared is absent), digital pages only (stamps on scans
need OCR first, which is another benchmark), ingests each once, then for each seed builds an
index with app/vaughn_index/sample.py: one entry per record with the codes stamped on its pages
and a justification written for it, and planted discrepancies of every kind (a code left
unclaimed, a code claimed and never stamped, a record left out, a withheld-in-full record
covered only in part, a range not produced, an overlapping entry, a wrong page count, four
entries sharing one near-identical text, a (b)(7) justification naming no law-enforcement
purpose, a (b)(7)(E) one naming no technique, a (b)(5) one naming no privilege, one not saying
pre-decisional/deliberative). It writes the index in each format, imports it into a copy of the
matter and prints, per finding kind, precision and recall against the answer key, then import
time (read + store + reconcile) and reconcile time per entry. It does so twice: with the
"tuning" wording (the clauses the rules were checked against) and with "held_out" wording (the
same legal substance in other words, never used to tune the rules' word lists), which shows how
plain word rules fare on prose they were not written for.

    .venv/bin/python benchmarks/vaughn_index.py [--docs 120] [--seeds 1 2 3]
        [--formats csv xlsx docx pdf] [--wording tuning held_out]
    .venv/bin/python benchmarks/vaughn_index.py --scale 20000 2000
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

from _common import DATA, SHARED, make_production

from app.ingest.pipeline import ingest
from app.matter.store import Matter
from app.vaughn_index.findings import findings
from app.vaughn_index.imports import import_index
from app.vaughn_index.reconcile import KINDS, reconcile_index
from app.vaughn_index.sample import make_index, write_index


def _matter(folder: Path, name: str) -> Path:
    path = DATA / f"{name}.vaughn"
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.unlink(missing_ok=True)
        with Matter.open(tmp, create=True) as m:
            ingest(m, [folder], production="Tranche 1")
        tmp.rename(path)
    return path


def _refs(m: Matter) -> set[tuple[str, str]]:
    out = set()
    for f in findings(m, refresh=False):
        ref = f["entry"]["item"] if f["entry"] else f["evidence"].get("first_bates")
        out.add((f["kind"], str(ref)))
    return out


def run(args: argparse.Namespace, wording: str) -> None:
    """Import an index of ``wording`` for each seed and format; print the scores."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    times: dict[str, list[float]] = {}
    reconcile_s: list[float] = []
    entries_n = 0
    for seed in args.seeds:
        name = f"vaughn-index-{args.docs}-{seed}"
        folder = make_production(name, "--docs", str(args.docs), "--seed", str(seed),
                                 "--layout", "pdf", "--scanned-share", "0", "--bad-share", "0")
        template = _matter(folder, name)
        truth = json.loads((folder / "truth.json").read_text())
        rows, key = make_index(truth, seed, wording=wording)
        want = set((k, str(r)) for k, r in key)
        for fmt in args.formats:
            work = DATA / f"{name}-{fmt}"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            path = work / "case.vaughn"
            shutil.copy(template, path)
            index = write_index(work / f"index.{fmt}", rows)
            with Matter.open(path) as m:
                t0 = time.perf_counter()
                result = import_index(m, index)
                times.setdefault(fmt, []).append((time.perf_counter() - t0) / result.entries)
                t0 = time.perf_counter()
                reconcile_index(m, result.index_id)
                reconcile_s.append((time.perf_counter() - t0) / result.entries)
                got = _refs(m)
            entries_n += result.entries
            for kind in KINDS:
                w = {x for x in want if x[0] == kind}
                g = {x for x in got if x[0] == kind}
                tp[kind] += len(w & g)
                fp[kind] += len(g - w)
                fn[kind] += len(w - g)
            misses = sorted((want - got) | (got - want))
            if misses:
                print(f"{wording} seed {seed} {fmt}: off the key: {misses[:8]}"
                      + (f" ... {len(misses)} in all" if len(misses) > 8 else ""),
                      file=sys.stderr)
    runs = len(args.seeds) * len(args.formats)
    print(f"\nVaughn index reconciliation, {wording} wording: {len(args.seeds)} production(s) "
          f"of {args.docs} records (shared corpus maker), {runs} imports, {entries_n} entries")
    print(f"{'kind':<28} {'planted':>7} {'found':>6} {'precision':>9} {'recall':>7}")
    for kind in KINDS:
        planted = tp[kind] + fn[kind]
        found = tp[kind] + fp[kind]
        prec = tp[kind] / found if found else float("nan")
        rec = tp[kind] / planted if planted else float("nan")
        print(f"{kind:<28} {planted:>7} {found:>6} {prec:>9.2f} {rec:>7.2f}")
    all_tp, all_fp, all_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    print(f"{'all':<28} {all_tp + all_fn:>7} {all_tp + all_fp:>6} "
          f"{all_tp / max(1, all_tp + all_fp):>9.2f} {all_tp / max(1, all_tp + all_fn):>7.2f}")
    for fmt, values in times.items():
        print(f"import ({fmt}, read + store + reconcile): "
              f"{1000 * sum(values) / len(values):.2f} ms per entry")
    print(f"reconcile alone: {1000 * sum(reconcile_s) / len(reconcile_s):.2f} ms per entry")


def scale(pages: int, entries: int) -> None:
    """The done-when figure: an index of ``entries`` entries imported into a matter of about
    ``pages`` pages and reconciled, in this process (one core), from CSV."""
    name = f"vaughn-index-scale-{pages}"
    # made in parts of about 1,600 pages, each with its own Bates prefix, two at a time (one
    # 20,000-page run of the shared maker takes far longer); one production each
    from concurrent.futures import ThreadPoolExecutor

    def part(n: int) -> Path:
        return make_production(f"{name}-part{n}", "--pages", "2000", "--seed", str(30 + n),
                               "--prefix", f"P{n:02d}-", "--layout", "pdf",
                               "--scanned-share", "0", "--bad-share", "0")

    with ThreadPoolExecutor(2) as pool:
        folders = list(pool.map(part, range(1, max(1, -(-pages // 1600)) + 1)))
    documents = []
    for folder in folders:
        truth = json.loads((folder / "truth.json").read_text())
        documents += truth["documents"]
    path = DATA / f"{name}.vaughn"
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.unlink(missing_ok=True)
        with Matter.open(tmp, create=True) as m:
            for n, folder in enumerate(folders, start=1):
                ingest(m, [folder], production=f"Tranche {n}")
        tmp.rename(path)
    rows, _ = make_index({**truth, "documents": documents}, seed=31, plant=())
    rows = rows[:entries]
    out = DATA / f"{name}.csv"
    write_index(out, rows)
    work = DATA / f"{name}-work.vaughn"
    times = []
    for _ in range(3):
        shutil.copy(path, work)
        with Matter.open(work) as m:
            n_pages = m.scalar("SELECT count(*) FROM pages")
            n_red = m.scalar("SELECT count(*) FROM redactions")
            t0 = time.perf_counter()
            import_index(m, out)
            times.append(time.perf_counter() - t0)
            n_find = m.scalar("SELECT count(*) FROM vaughn_findings")
    times.sort()
    print(f"scale: {len(rows)} entries into a matter of {n_pages} pages ({n_red} redactions): "
          f"import + reconcile from CSV median {times[1]:.2f} s of 3 runs "
          f"(min {times[0]:.2f}, max {times[2]:.2f}); {n_find} findings")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=120)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--formats", nargs="+", default=["csv", "xlsx", "docx", "pdf"])
    ap.add_argument("--wording", nargs="+", default=["tuning", "fresh", "held_out"],
                    choices=["tuning", "fresh", "held_out"])
    ap.add_argument("--scale", nargs=2, type=int, metavar=("PAGES", "ENTRIES"),
                    help="only the scale figure: an ENTRIES-entry index on a PAGES-page matter")
    args = ap.parse_args(argv)
    if not (SHARED / "corpus" / "make_production.py").exists():
        print(f"benchmarks/vaughn_index.py: {SHARED} is absent; nothing to measure")
        return 0
    DATA.mkdir(exist_ok=True)
    if args.scale:
        scale(*args.scale)
        return 0
    for wording in args.wording:
        run(args, wording)
    return 0


if __name__ == "__main__":
    sys.exit(main())
