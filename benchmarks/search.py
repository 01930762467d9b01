"""Search latency on a large matter: median and p95 of 50 phrase/boolean/prefix queries.

Builds (once) a matter of --pages pages: a generated ~2,000-page production is ingested, then
its pages are replicated inside SQLite under further production names until the target is
reached (the FTS5 index is maintained by its triggers, exactly as ingest maintains it). The
text repeats, so each query has many hits: a pessimistic case for counting them.
Each query returns the hit count and the first 20 hits in page order with snippets.
Usage: python benchmarks/search.py [--pages 50000]
"""

from __future__ import annotations

import argparse
import random
import re
import time
from pathlib import Path

from _common import DATA, make_production, median, p95

from app.ingest.pipeline import ingest
from app.matter.store import Matter
from app.search.index import search


def build(target: int) -> Path:
    path = DATA / f"search-{target}.vaughn"
    if path.exists():
        return path
    folder = make_production("ingest-2000", "--pages", "2000", "--scanned-share", "0",
                             "--seed", "21")
    tmp = path.with_suffix(".part")
    tmp.unlink(missing_ok=True)
    with Matter.open(tmp, create=True) as matter:
        ingest(matter, [folder], production="Tranche 1", analyze=True)
        base = matter.scalar("SELECT count(*) FROM pages")
        copy = 2
        while matter.scalar("SELECT count(*) FROM pages") < target:
            with matter.write() as conn:
                conn.execute("INSERT INTO productions(name, tranche, source_path, loaded_at) "
                             "SELECT 'Tranche ' || ?, ?, source_path, loaded_at FROM productions "
                             "WHERE id = 1", (copy, copy))
                prod = conn.execute("SELECT max(id) FROM productions").fetchone()[0]
                offset = conn.execute("SELECT max(id) FROM pages").fetchone()[0]
                conn.execute(
                    "INSERT INTO pages(id, production_id, document_id, source_file_id, "
                    "source_sha256, page_index, bates, bates_prefix, bates_number, bates_key, "
                    "width, height, rotation, text_layer, text_source, needs_ocr) "
                    "SELECT id + ?, ?, document_id, source_file_id, source_sha256, page_index, "
                    "bates, bates_prefix, bates_number, bates_key, width, height, rotation, "
                    "text_layer, text_source, needs_ocr FROM pages WHERE id <= ?",
                    (offset, prod, base))
                conn.execute("INSERT INTO page_text(page_id, text) SELECT page_id + ?, text "
                             "FROM page_text WHERE page_id <= ?", (offset, base))
            copy += 1
        matter.conn.execute("INSERT INTO page_text_fts(page_text_fts) VALUES ('optimize')")
    tmp.rename(path)
    return path


def queries(matter: Matter, n: int = 50) -> list[str]:
    rng = random.Random(3)
    texts = [r[0] for r in matter.conn.execute("SELECT text FROM page_text LIMIT 400")]
    words = sorted({w.lower() for t in texts for w in re.findall(r"[A-Za-z]{5,}", t)})
    out = []
    for i in range(n):
        kind = i % 5
        if kind in (0, 1):  # phrase from real text
            toks = re.findall(r"[A-Za-z]+", rng.choice(texts))
            start = rng.randrange(max(1, len(toks) - 3))
            out.append('"' + " ".join(toks[start:start + rng.randint(2, 3)]) + '"')
        elif kind == 2:
            out.append(f"{rng.choice(words)} AND {rng.choice(words)}")
        elif kind == 3:
            out.append(f"({rng.choice(words)} OR {rng.choice(words)}) NOT {rng.choice(words)}")
        else:
            out.append(rng.choice(words)[:4] + "*")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=50_000)
    args = ap.parse_args()
    path = build(args.pages)
    with Matter.open(path, read_only=True) as matter:
        pages = matter.scalar("SELECT count(*) FROM pages")
        qs = queries(matter)
        for q in qs[:5]:  # warm the page cache
            search(matter, q)
        times: dict[str, list[float]] = {}
        for q in qs:
            kind = "prefix" if q.endswith("*") else "phrase" if q.startswith('"') else "boolean"
            start = time.perf_counter()
            search(matter, q, limit=20)
            times.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
            times.setdefault("all", []).append(times[kind][-1])
    print(f"{pages} pages, {len(qs)} queries, hit count + first 20 hits with snippets:")
    for kind, values in times.items():
        print(f"  {kind:<8} n={len(values):>2}  median {median(values):6.1f} ms  "
              f"p95 {p95(values):6.1f} ms")


if __name__ == "__main__":
    main()
