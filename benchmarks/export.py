"""Export speed: the challenge table for 5,000 challenged redactions (goal: under 10 s).

Builds (once, cached under bench-data/) a matter by ingesting generated productions until it
holds at least 5,000 redactions, challenges 5,000 of them through app/review/ops in bulk
(five batches with different grounds, arguments, priorities), then times the challenge-table
export to .xlsx, .csv and .docx, the redaction log and the summary: median of --rounds runs.
Usage: python benchmarks/export.py [--challenges 5000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import DATA, make_production, median

from app import vocabulary as vocab
from app.export import export
from app.ingest.pipeline import ingest
from app.matter.store import Matter
from app.review import ops

GOAL_S = 10.0


def build(n: int) -> Path:
    path = DATA / f"export-{n}.vaughn"
    if path.exists():
        with Matter.open(path) as m:
            if (m.scalar("SELECT count(*) FROM challenges WHERE target_kind = 'redaction'")
                    or 0) >= n:
                return path
        path.unlink()
    with Matter.open(path, create=True) as m:
        seed = 31
        while (m.scalar("SELECT count(*) FROM redactions") or 0) < n:
            folder = make_production(f"export-seed{seed}", "--docs", "40", "--seed", str(seed),
                                     "--layout", "pdf", "--bad-share", "0.2",
                                     "--scanned-share", "0")
            t = time.perf_counter()
            report = ingest(m, [folder], production=f"Tranche {seed - 30}")
            print(f"ingested {report.pages_added} pages in {time.perf_counter() - t:.1f} s",
                  flush=True)
            seed += 1
        ids = [r[0] for r in m.conn.execute("SELECT id FROM redactions ORDER BY id LIMIT ?",
                                            (n,))]
        grounds = list(vocab.keys("ground"))
        t = time.perf_counter()
        step = len(ids) // 5 + 1
        for k in range(5):
            batch = ids[k * step:(k + 1) * step]
            ops.add_challenge(
                m, "bench", [("redaction", i) for i in batch],
                grounds=[grounds[k], grounds[(k + 3) % len(grounds)]],
                argument=f"Argument {k}: the agency has not shown foreseeable harm; "
                         "the record is twenty years old and its facts are segregable. " * 2,
                evidence_cite=f"Exhibit {k + 1}", priority=("high", "medium", "low")[k % 3])
        print(f"challenged {len(ids)} redactions in {time.perf_counter() - t:.1f} s",
              flush=True)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--challenges", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    path = build(args.challenges)
    with Matter.open(path, read_only=True) as m, tempfile.TemporaryDirectory() as tmp:
        n = m.scalar("SELECT count(*) FROM challenges")
        reds = m.scalar("SELECT count(*) FROM redactions")
        pages = m.scalar("SELECT count(*) FROM pages")
        print(f"matter: {pages} pages, {reds} redactions, {n} challenges")
        for kind, name in (("challenges", "table.xlsx"), ("challenges", "table.csv"),
                           ("challenges", "table.docx"), ("redaction-log", "log.xlsx"),
                           ("summary", "summary.pdf")):
            times = []
            for _ in range(args.rounds):
                t = time.perf_counter()
                export(m, kind, Path(tmp) / name)
                times.append(time.perf_counter() - t)
            verdict = ""
            if kind == "challenges":
                verdict = "  OK" if median(times) < GOAL_S else f"  SLOWER than {GOAL_S:.0f} s"
            print(f"{kind:<14} {name:<12} median {median(times):6.2f} s "
                  f"(runs: {', '.join(f'{x:.2f}' for x in times)}){verdict}", flush=True)


if __name__ == "__main__":
    main()
