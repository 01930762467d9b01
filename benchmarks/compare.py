"""Benchmark for issue 8: matching re-released records across tranches.

Generates 3-tranche productions (folder, pdf and load-file layouts; the shared generator when
../shared exists, else app/sample_production.py), ingests them, and prints pair
recall/precision against the answer key's ``rereleases`` (every pair of versions of one
record), lifted-redaction recall (a redaction in tranche k's version absent from tranche k+1's,
found by overlap) with how many carry exactly the released text, and matching time per 1,000
pages. With ``--ocr`` the scans that show lifted passages are OCRed (in a copy of the matter)
and their released text checked again. The scale run replicates the pages of 4 distinct
generated 3-tranche productions (seeds 41-44, about 1,000 pages each) inside SQLite, each copy
with 3 distinct words a page replaced (so copies of a record are near-duplicates, as
re-releases are), until it holds 20,000 pages, then times one matching run on one core and
reports candidates and pairs.

    .venv/bin/python benchmarks/compare.py [--docs 40] [--seeds 31 32] [--scale 20000] [--ocr]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
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


def _iou(a: tuple[float, ...] | list[float], b: tuple[float, ...] | list[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy
    return ix * iy / union if union > 0 else 0.0


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
                    # by overlap: a box found on a skewed scan sits a few points off
                    cs = [c for c in lifted.get((px["bates"], py["bates"]), [])
                          if _iou(c.a_bbox, rx["bbox"]) > 0.5]
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


SCALE_SEEDS = (41, 42, 43, 44)
SCALE_BASE_PAGES = 340  # per tranche: about 1,000 pages a production of 3 tranches
_WORD = re.compile(r"[A-Za-z]{4,}")


def _perturb(text: str, rng: random.Random, tag: str) -> str:
    """Replace a few distinct words: a copy stays a near-duplicate, not an identical page."""
    words = sorted(set(_WORD.findall(text)))
    for k, w in enumerate(rng.sample(words, min(3, len(words)))):
        text = re.sub(rf"\b{w}\b", f"{tag}q{k}", text)
    return text


def _copy(m: Matter, src: Path, copy: int, tag: str) -> None:
    """Append every page of matter ``src`` (ids, Bates numbers offset; text perturbed)."""
    rng = random.Random(tag)
    m.conn.execute("ATTACH DATABASE ? AS src", (str(src),))
    try:
        with m.write() as conn:
            off_p, off_d, off_s, off_b = conn.execute(
                "SELECT (SELECT coalesce(max(id), 0) FROM pages), (SELECT coalesce(max(id), 0) "
                "FROM documents), (SELECT coalesce(max(id), 0) FROM source_files), "
                "(SELECT coalesce(max(bates_number), 0) FROM pages)").fetchone()
            prod = "(SELECT p.id FROM productions p JOIN src.productions q ON q.tranche = " \
                   "p.tranche WHERE q.id = {}.production_id)"
            conn.execute(
                "INSERT INTO source_files(id, production_id, path, kind, sha256, size, page_count,"
                " ingested_at) SELECT s.id + ?, " + prod.format("s") + ", path || ?, kind, "
                "sha256, size, page_count, ingested_at FROM src.source_files s",
                (off_s, f"#{tag}"))
            conn.execute(
                "INSERT INTO documents(id, production_id, source_file_id, begbates, endbates, "
                "title, page_count) SELECT d.id + ?, " + prod.format("d") + ", source_file_id + ?,"
                " begbates, endbates, title, page_count FROM src.documents d", (off_d, off_s))
            conn.execute(
                "INSERT INTO pages(id, production_id, document_id, source_file_id, source_sha256, "
                "page_index, bates, bates_prefix, bates_number, bates_key, width, height, "
                "rotation, text_layer, text_source, needs_ocr, withheld_in_full, redaction_count,"
                " redacted_share, analyzed) SELECT g.id + ?, " + prod.format("g") + ", "
                "document_id + ?, source_file_id + ?, source_sha256, page_index, bates_prefix || "
                "printf('%06d', bates_number + ?), bates_prefix, bates_number + ?, NULL, width, "
                "height, rotation, text_layer, text_source, needs_ocr, withheld_in_full, "
                "redaction_count, redacted_share, analyzed FROM src.pages g",
                (off_p, off_d, off_s, off_b, off_b))
            rows = conn.execute("SELECT t.page_id, t.text, p.bates FROM src.page_text t "
                                "JOIN src.pages p ON p.id = t.page_id").fetchall()
            new_bates = dict(conn.execute("SELECT id, bates FROM pages WHERE id > ?", (off_p,)))
            conn.executemany(
                "INSERT INTO page_text(page_id, text) VALUES (?, ?)",
                [(pid + off_p, (_perturb(t, rng, tag) if copy else t).replace(
                    b or "\0", new_bates[pid + off_p] or "")) for pid, t, b in rows])
            conn.execute(
                "INSERT INTO redactions(page_id, x0, y0, x1, y1, source, label, exemptions, "
                "statute, bad, hidden_chars, withheld_in_full) SELECT page_id + ?, x0, y0, x1, "
                "y1, source, label, exemptions, statute, bad, hidden_chars, withheld_in_full "
                "FROM src.redactions", (off_p,))
    finally:
        m.conn.execute("DETACH DATABASE src")


def scale(target: int) -> None:
    """20,000 pages from 4 distinct generated productions, each replicated with perturbed text.

    Copies of a record are near-duplicates of each other (3 distinct words replaced a page),
    as re-releases are, so the matcher has real candidates and pairs to find; boilerplate
    shared by thousands of pages is there too.
    """
    path = DATA / f"compare-scale2-{target}.vaughn"
    bases = []
    for seed in SCALE_SEEDS:
        name = f"compare-scale-base-s{seed}"
        folder = make_production(name, "--pages", str(SCALE_BASE_PAGES), "--seed", str(seed),
                                 "--layout", "folder", "--tranches", "3")
        bases.append(_matter(folder, name))
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.unlink(missing_ok=True)
        tmp.write_bytes(bases[0].read_bytes())
        with Matter.open(tmp) as m:
            with m.write() as conn:  # start empty but keep the three tranche productions
                for table in ("redactions", "page_text", "pages", "documents", "source_files"):
                    conn.execute(f"DELETE FROM {table}")
            total = 0
            for b in bases:
                with Matter.open(b) as src:
                    total += src.scalar("SELECT count(*) FROM pages")
            copies = -(-target // total)
            for copy in range(copies):
                for seed, base in zip(SCALE_SEEDS, bases, strict=True):
                    _copy(m, base, copy, f"s{seed}c{copy}")
        tmp.rename(path)
    with Matter.open(path) as m:
        result = match.match(m)
    print(f"  scale: {len(SCALE_SEEDS)} productions x copies with perturbed text: "
          f"{result.pages} pages matched in {result.seconds:.1f} s "
          f"({1000 * result.seconds / result.pages:.2f} s per 1,000 pages), "
          f"{result.candidates} candidates, {len(result.pairs)} document pairs, "
          f"{len(result.page_pairs())} page pairs")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=40)
    ap.add_argument("--scale", type=int, default=20000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[31, 32])
    ap.add_argument("--ocr", action="store_true",
                    help="also OCR the scans that show lifted passages and check their text")
    args = ap.parse_args(argv)
    for layout in ("folder", "pdf", "loadfile"):
        for seed in args.seeds:
            name = f"compare-{layout}-{args.docs}" + ("" if seed == 31 else f"-s{seed}")
            folder = make_production(name, "--docs", str(args.docs), "--seed", str(seed),
                                     "--layout", layout, "--tranches", "3")
            path = _matter(folder, name)
            print(f"{layout} layout, seed {seed}, 3 tranches, {args.docs} documents each:")
            evaluate(folder, path)
    if args.ocr:
        for layout in ("folder", "loadfile"):
            released_after_ocr(f"compare-{layout}-{args.docs}")
    if args.scale:
        scale(args.scale)
    return 0


def released_after_ocr(name: str) -> None:
    """OCR the scanned pages that show lifted passages (in a copy of the matter), then check
    the released text read from their OCR words against the answer key."""
    import shutil
    import tempfile

    from rapidfuzz import fuzz

    from app.ocr.queue import run_ocr

    folder, source = DATA / name, DATA / f"{name}.vaughn"
    truth = json.loads((folder / "truth.json").read_text())
    withheld = {(p["bates"], tuple(r["bbox"])): r["withheld_text"]
                for d in truth["documents"] for p in d["pages"] for r in p["redactions"]}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.vaughn"
        shutil.copy(source, path)
        with Matter.open(path) as m:
            bates = dict(m.conn.execute("SELECT id, bates FROM pages").fetchall())
            pairs = match.match(m).pairs
            waiting = [c for d in pairs for c in diff.diff_pair(m, d)
                       if c.kind == "lifted" and c.text is None]
            pages = sorted({c.b_page for c in waiting})
            t = time.perf_counter()
            summary = run_ocr(m, workers=2, page_ids=pages)
            took = time.perf_counter() - t
            after = [c for d in pairs for c in diff.diff_pair(m, d) if c.kind == "lifted"]
    by_place = {(c.a_page, round(c.a_bbox[0]), round(c.a_bbox[1])): c for c in after}
    close = exact = missing = 0
    for c in waiting:
        now = by_place.get((c.a_page, round(c.a_bbox[0]), round(c.a_bbox[1])))
        want = next((text for (b, box), text in withheld.items() if b == bates[c.a_page]
                     and _iou(box, c.a_bbox) > 0.5), None)
        if now is None or now.text is None or want is None:
            missing += 1
            continue
        exact += now.text.split() == want.split()
        close += fuzz.ratio(now.text, " ".join(want.split())) >= 90
    print(f"{name}: {len(waiting)} lifted passages on scans had no text; {summary.done} scanned "
          f"pages OCRed in {took:.0f} s (2 workers); released text now exact {exact}, within "
          f"OCR noise (ratio >= 90) {close}, still missing {missing}")


if __name__ == "__main__":
    sys.exit(main())
