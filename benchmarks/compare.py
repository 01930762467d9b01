"""Benchmark for issue 8: matching re-released records across tranches.

Generates 3-tranche productions (folder and pdf layouts; the shared generator when ../shared
exists, else app/sample_production.py), ingests them, and prints pair recall/precision against
the answer key's ``rereleases`` (every pair of versions of one record), lifted-redaction recall
(a redaction in tranche k's version absent from tranche k+1's) with how many carry exactly the
released text, and matching time per 1,000 pages. The scale run replicates the pages of a
generated 3-tranche matter inside SQLite (pages, page_text, redactions copied with new ids,
Bates numbers offset) until it holds 20,000 pages, then times one matching run on one core.

    .venv/bin/python benchmarks/compare.py [--docs 40] [--scale 20000]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

from _common import DATA, make_production

from app.compare import diff, match
from app.ingest.pipeline import ingest
from app.matter.store import Matter


def _matter(folder: Path, name: str) -> Path:
    path = DATA / f"{name}.vaughn"
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.unlink(missing_ok=True)
        with Matter.open(tmp, create=True) as m:
            for k in (1, 2, 3):
                ingest(m, [folder / f"tranche_{k:02d}"], production=f"Tranche {k}")
        tmp.rename(path)
    return path


def evaluate(folder: Path, path: Path) -> None:
    truth = json.loads((folder / "truth.json").read_text())
    with Matter.open(path) as m:
        result = match.match(m)
        by_bates = {p["bates"]: d["doc_id"] for d in truth["documents"] for p in d["pages"]}
        bates = dict(m.conn.execute("SELECT id, bates FROM pages").fetchall())
        npages = {d["doc_id"]: len(d["pages"]) for d in truth["documents"]}
        counts: dict[frozenset, int] = {}
        for d in result.pairs:
            for pp in d.pages:
                k = frozenset({by_bates[bates[pp.a]], by_bates[bates[pp.b]]})
                counts[k] = counts.get(k, 0) + 1
        got = {k for k, v in counts.items() if v * 2 >= max(npages[x] for x in k)}
        want = {frozenset(p) for g in truth["rereleases"] for p in itertools.combinations(g, 2)}
        false_pages = sum(v for k, v in counts.items() if k not in want)
        t = time.perf_counter()
        changes = [c for d in result.pairs for c in diff.diff_pair(m, d)]
        dt = time.perf_counter() - t
    docs = {d["doc_id"]: d for d in truth["documents"]}
    lifted = {}
    for c in changes:
        if c.kind == "lifted":
            lifted.setdefault((bates[c.a_page], bates[c.b_page]), []).append(c)
    n = hit = text_ok = unavailable = 0
    for g in truth["rereleases"]:
        for x, y in zip(g, g[1:], strict=False):
            for px, py in zip(docs[x]["pages"], docs[y]["pages"], strict=True):
                for rx in px["redactions"]:
                    if any(ry["bbox"] == rx["bbox"] for ry in py["redactions"]):
                        continue
                    n += 1
                    cs = [c for c in lifted.get((px["bates"], py["bates"]), [])
                          if abs(c.a_bbox[0] - rx["bbox"][0]) < 3
                          and abs(c.a_bbox[1] - rx["bbox"][1]) < 3]
                    if cs:
                        hit += 1
                        if cs[0].text is None:
                            unavailable += 1
                        elif cs[0].text.split() == rx["withheld_text"].split():
                            text_ok += 1
    print(f"  pages {result.pages}; document pairs: recall {len(got & want)}/{len(want)} "
          f"= {len(got & want) / max(len(want), 1):.1%}, precision "
          f"{len(got & want)}/{len(got)} = {len(got & want) / max(len(got), 1):.1%}; "
          f"page pairs outside true pairs: {false_pages}")
    print(f"  lifted redactions: {hit}/{n} listed = {hit / max(n, 1):.1%}; released text exact "
          f"{text_ok}, unavailable (scan without OCR) {unavailable}, other {hit - text_ok - unavailable}")
    print(f"  matching {result.seconds:.2f} s = {1000 * result.seconds / result.pages:.2f} s per "
          f"1,000 pages; diff with released text {dt:.2f} s")


def scale(base: Path, target: int) -> None:
    path = DATA / f"compare-scale-{target}.vaughn"
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.write_bytes(base.read_bytes())
        with Matter.open(tmp) as m:
            n0 = m.scalar("SELECT count(*) FROM pages")
            span = m.scalar("SELECT max(bates_number) FROM pages")
            copy = 1
            while m.scalar("SELECT count(*) FROM pages") < target:
                with m.write() as conn:
                    off = conn.execute("SELECT max(id) FROM pages").fetchone()[0]
                    doff = conn.execute("SELECT max(id) FROM documents").fetchone()[0]
                    conn.execute(
                        "INSERT INTO documents(id, production_id, source_file_id, begbates, "
                        "endbates, title, page_count) SELECT id + ?, production_id, "
                        "source_file_id, begbates, endbates, title, page_count FROM documents "
                        "WHERE id <= (SELECT max(document_id) FROM pages WHERE id <= ?)",
                        (doff, n0))
                    conn.execute(
                        "INSERT INTO pages(id, production_id, document_id, source_file_id, "
                        "source_sha256, page_index, bates, bates_prefix, bates_number, bates_key, "
                        "width, height, rotation, text_layer, text_source, needs_ocr, "
                        "withheld_in_full, redaction_count, redacted_share, analyzed) "
                        "SELECT id + ?, production_id, document_id + ?, source_file_id, "
                        "source_sha256, page_index, bates_prefix || printf('%06d', "
                        "bates_number + ?), bates_prefix, bates_number + ?, NULL, width, height, "
                        "rotation, text_layer, text_source, needs_ocr, withheld_in_full, "
                        "redaction_count, redacted_share, analyzed FROM pages WHERE id <= ?",
                        (off, doff, copy * span, copy * span, n0))
                    # a copy is a different record set: shuffle words so it is not a duplicate
                    rows = conn.execute("SELECT page_id, text FROM page_text WHERE page_id <= ?",
                                        (n0,)).fetchall()
                    conn.executemany(
                        "INSERT INTO page_text(page_id, text) VALUES (?, ?)",
                        [(pid + off, f"{t} copy{copy}x{pid} variant{copy}") for pid, t in rows])
                    conn.execute(
                        "INSERT INTO redactions(page_id, x0, y0, x1, y1, source, label, "
                        "exemptions, statute, bad, hidden_chars, withheld_in_full) SELECT "
                        "page_id + ?, x0, y0, x1, y1, source, label, exemptions, statute, bad, "
                        "hidden_chars, withheld_in_full FROM redactions WHERE page_id <= ?",
                        (off, n0))
                copy += 1
        tmp.rename(path)
    with Matter.open(path) as m:
        result = match.match(m)
    print(f"  scale: {result.pages} pages matched in {result.seconds:.1f} s "
          f"({1000 * result.seconds / result.pages:.2f} s per 1,000 pages), "
          f"{result.candidates} candidates, {len(result.pairs)} pairs")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=40)
    ap.add_argument("--scale", type=int, default=20000)
    args = ap.parse_args(argv)
    base = None
    for layout in ("folder", "pdf"):
        name = f"compare-{layout}-{args.docs}"
        folder = make_production(name, "--docs", str(args.docs), "--seed", "31", "--layout",
                                 layout, "--tranches", "3")
        path = _matter(folder, name)
        print(f"{layout} layout, 3 tranches, {args.docs} documents each:")
        evaluate(folder, path)
        base = base or path
    if args.scale and base is not None:
        scale(base, args.scale)
    return 0


if __name__ == "__main__":
    sys.exit(main())
