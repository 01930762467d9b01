"""Search latency on a large matter, per query kind, and fuzzy recall on OCR-noisy pages.

Builds (once) a matter of --pages pages: a generated ~2,000-page production is ingested, then
its pages, text and redactions are replicated inside SQLite under further production names
until the target is reached (the FTS5 index and search_codes are maintained by their triggers,
exactly as ingest maintains them). The second copy ("Tranche 2") is an OCR-noisy twin of the
first: text_source 'ocr', words garbled the way OCR garbles them (rn/m, l/1, o/0, cl/d, e/c...).
A little review data (challenges, tags, notes, an exhibit) is added for the field queries.
The text repeats, so each query has many hits: a pessimistic case for counting them.

Each query is timed twice: as the window runs it (the first 100 hits in page order with
snippets, and the count when it fits a budget, else a lower bound the window completes in the
background) and as an exact count. The recall check compares, for sampled words, the clean pages of Tranche 1 found by
an exact search with their noisy twins in Tranche 2 found by ``word~`` and by the "tolerate
OCR errors" option.
With ``--backend both`` the matter is also moved to PostgreSQL (a server started here, or
``--server-url``), every query's page set is compared between the two, and the same timings
are taken on the server.
Usage: python benchmarks/search.py [--pages 200000] [--queries 20] [--backend both]
"""

from __future__ import annotations

import argparse
import random
import re
import time
from pathlib import Path
from typing import Any

from _common import DATA, make_production, median, p95

from app.ingest.pipeline import ingest
from app.matter.store import Matter, now_iso
from app.search.index import count, page_ids, search

_CONFUSIONS = [("m", "rn"), ("rn", "m"), ("l", "1"), ("o", "0"), ("e", "c"), ("i", "l"),
               ("h", "b"), ("d", "cl"), ("s", "5"), ("a", "o"), ("n", "h"), ("u", "v")]
_WORD = re.compile(r"[A-Za-z]+")


def ocr_noise(text: str, rng: random.Random, rate: float = 0.15) -> str:
    """``text`` with about ``rate`` of its words garbled by one OCR confusion (some by two)."""
    def garble(m: re.Match) -> str:
        word = m.group(0)
        for _ in range(2 if rng.random() < 0.2 else 1):
            if rng.random() >= rate:
                break
            options = [(a, b) for a, b in _CONFUSIONS if a in word]
            if not options:
                break
            a, b = rng.choice(options)
            spots = [i for i in range(len(word)) if word.startswith(a, i)]
            i = rng.choice(spots)
            word = word[:i] + b + word[i + len(a):]
        return word

    return _WORD.sub(garble, text)


def build(target: int) -> Path:
    path = DATA / f"search-v2-{target}.vaughn"
    if path.exists():
        return path
    folder = make_production("ingest-2000", "--pages", "2000", "--scanned-share", "0",
                             "--seed", "21")
    tmp = path.with_suffix(".part")
    tmp.unlink(missing_ok=True)
    rng = random.Random(5)
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
                source = "'ocr'" if copy == 2 else "text_source"
                conn.execute(
                    "INSERT INTO pages(id, production_id, document_id, source_file_id, "
                    "source_sha256, page_index, bates, bates_prefix, bates_number, bates_key, "
                    "width, height, rotation, text_layer, text_source, needs_ocr, "
                    "withheld_in_full, redaction_count, redacted_share, analyzed) "
                    f"SELECT id + ?, ?, document_id, source_file_id, source_sha256, page_index, "
                    f"bates, bates_prefix, bates_number, bates_key, width, height, rotation, "
                    f"text_layer, {source}, needs_ocr, withheld_in_full, redaction_count, "
                    f"redacted_share, analyzed FROM pages WHERE id <= ?",
                    (offset, prod, base))
                if copy == 2:
                    rows = conn.execute("SELECT page_id, text FROM page_text WHERE page_id <= ?",
                                        (base,)).fetchall()
                    conn.executemany("INSERT INTO page_text(page_id, text) VALUES (?, ?)",
                                     [(pid + offset, ocr_noise(t, rng)) for pid, t in rows])
                else:
                    conn.execute("INSERT INTO page_text(page_id, text) SELECT page_id + ?, text "
                                 "FROM page_text WHERE page_id <= ?", (offset, base))
                conn.execute(
                    "INSERT INTO redactions(page_id, x0, y0, x1, y1, source, label, exemptions, "
                    "statute, bad, hidden_chars, withheld_in_full) SELECT page_id + ?, x0, y0, "
                    "x1, y1, source, label, exemptions, statute, bad, hidden_chars, "
                    "withheld_in_full FROM redactions WHERE page_id <= ?", (offset, base))
            copy += 1
        _review_data(matter, rng)
        matter.conn.execute("INSERT INTO page_text_fts(page_text_fts) VALUES ('optimize')")
    tmp.rename(path)
    return path


def _review_data(matter: Matter, rng: random.Random) -> None:
    now = now_iso()
    total = matter.scalar("SELECT max(id) FROM redactions")
    with matter.write() as conn:
        for _ in range(2000):
            rid = rng.randint(1, total)
            conn.execute(
                "INSERT INTO challenges(target_kind, target_id, grounds, status, argument, "
                "reviewer, created_at, updated_at) VALUES ('redaction', ?, ?, ?, ?, 'bench', ?, ?)",
                (rid, rng.choice(['["public_interest"]', '["segregability"]']),
                 rng.choice(["challenge", "accept", "dropped"]),
                 rng.choice(["names already public", "facts are segregable", ""]), now, now))
        conn.execute("INSERT INTO tags(name, created_at) VALUES ('hot', ?)", (now,))
        pages = matter.scalar("SELECT max(id) FROM pages")
        for _ in range(1000):
            conn.execute("INSERT OR IGNORE INTO tag_links(tag_id, target_kind, target_id) "
                         "VALUES (1, 'page', ?)", (rng.randint(1, pages),))
            conn.execute("INSERT INTO notes(target_kind, target_id, text, reviewer, created_at, "
                         "updated_at) VALUES ('page', ?, ?, 'bench', ?, ?)",
                         (rng.randint(1, pages), rng.choice(["see declaration", "compare T2"]),
                          now, now))
        # a 20-page exhibit (documents are shared by the replicated copies: not one of them)
        conn.execute("INSERT INTO exhibits(number, first_page_id, last_page_id, reviewer, "
                     "created_at, updated_at) VALUES ('12', 1000, 1019, 'bench', ?, ?)",
                     (now, now))


def queries(matter: Matter, n: int) -> list[tuple[str, str]]:
    """``n`` queries of each kind, from real text of the first production."""
    rng = random.Random(3)
    texts = [r[0] for r in matter.conn.execute("SELECT text FROM page_text LIMIT 400")]
    words = sorted({w.lower() for t in texts for w in re.findall(r"[A-Za-z]{5,}", t)})
    bates = [r[0] for r in matter.conn.execute(
        "SELECT bates FROM pages WHERE bates IS NOT NULL AND id <= 2000 ORDER BY bates_number")]
    fields = ["exemption:(b)(6)", "exemption:b7e", 'production:"Tranche 7"', "ocr:yes",
              "tag:hot", "challenged:yes", 'ground:"public interest"', "bad:yes",
              "note:declaration", "exhibit:12", 'disposition:"withheld in full"',
              "status:accept"]
    out: list[tuple[str, str]] = []
    for i in range(n):
        toks = _WORD.findall(rng.choice(texts))
        start = rng.randrange(max(1, len(toks) - 3))
        a, b, c = rng.choice(words), rng.choice(words), rng.choice(words)
        out.append(("phrase", '"' + " ".join(toks[start:start + rng.randint(2, 3)]) + '"'))
        out.append(("boolean", [f"{a} AND {b}", f"({a} OR {b}) NOT {c}", f"NOT {a}"][i % 3]))
        out.append(("prefix", a[:4] + "*"))
        gap = rng.randint(1, 5)
        pair = toks[start:start + gap + 1]
        kind = ["w", "pre", "slop"][i % 3]
        if len(pair) >= 2:
            q = (f"{pair[0]} {kind}/{gap} {pair[-1]}" if kind != "slop"
                 else f'"{pair[0]} {pair[-1]}"~{gap}')
        else:
            q = f"{a} w/5 {b}"
        out.append(("proximity", q))
        out.append(("fuzzy", [f"{a}~", f"{a[:2]}%{a[2:]}", f"{a}~1"][i % 3]))
        f = fields[i % len(fields)]
        first = rng.randrange(max(1, len(bates) - 300))
        span = f"bates:{bates[first]}..{bates[min(len(bates) - 1, first + 300)]}"
        out.append(("field", [f, f"{a} {f}", span][i % 3] if i % 4 != 3 else f"{f} AND NOT {b}"))
    return out


def recall(matter: Matter, samples: int) -> tuple[float, float, int]:
    """Share of clean Tranche 1 pages whose noisy Tranche 2 twin fuzzy search finds."""
    rng = random.Random(11)
    base = matter.scalar("SELECT count(*) FROM pages WHERE production_id = 1")
    texts = [r[0] for r in matter.conn.execute("SELECT text FROM page_text LIMIT 2000")]
    words = sorted({w.lower() for t in texts for w in re.findall(r"[A-Za-z]{5,}", t)})
    t1, t2 = "Tranche 1", "Tranche 2"
    found_fuzzy = found_opt = wanted = 0
    for word in rng.sample(words, min(samples, len(words))):
        clean = {i + base for i in page_ids(matter, f'{word} production:"{t1}"')}
        fuzzy = set(page_ids(matter, f'{word}~ production:"{t2}"'))
        opt = set(page_ids(matter, f'{word} production:"{t2}"', ocr_tolerant=True))
        wanted += len(clean)
        found_fuzzy += len(clean & fuzzy)
        found_opt += len(clean & opt)
    return found_fuzzy / max(1, wanted), found_opt / max(1, wanted), wanted


def measure(matter: Matter, qs: list[tuple[str, str]], budget: float
            ) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, tuple[float, str]],
                       int]:
    """Per kind: the window's search times, the exact-count times, the slowest query; and
    how many counts gave a lower bound."""
    for _, q in qs[:12]:  # warm the page cache
        search(matter, q, limit=100)
    times: dict[str, list[float]] = {}
    exact: dict[str, list[float]] = {}
    slowest: dict[str, tuple[float, str]] = {}
    estimated = 0
    for kind, q in qs:
        start = time.perf_counter()
        results = search(matter, q, limit=100, count_budget_ms=budget)
        ms = (time.perf_counter() - start) * 1000
        estimated += not results.total_exact
        times.setdefault(kind, []).append(ms)
        times.setdefault("all", []).append(ms)
        if ms > slowest.get(kind, (0, ""))[0]:
            slowest[kind] = (ms, q)
        start = time.perf_counter()
        count(matter, q)
        exact.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
        exact.setdefault("all", []).append(exact[kind][-1])
    return times, exact, slowest, estimated


def report(label: str, pages: int, qs: list[tuple[str, str]], budget: float,
           figures: tuple[dict[str, list[float]], dict[str, list[float]],
                          dict[str, tuple[float, str]], int]) -> None:
    times, exact, slowest, estimated = figures
    print(f"{label}: {pages} pages, {len(qs)} queries. 'first 100': search(limit=100, "
          f"count_budget_ms={budget:g}) = first 100 hits with snippets + the count if it "
          f"fits the budget ({estimated} of {len(qs)} gave a lower bound); 'exact count': count()")
    print(f"  {'kind':<9} {'n':>4}  {'first 100 median':>16} {'p95':>8}   "
          f"{'exact count median':>18} {'p95':>8}")
    for kind, values in times.items():
        print(f"  {kind:<9} {len(values):>4}  {median(values):13.1f} ms {p95(values):5.1f} ms"
              f"   {median(exact[kind]):15.1f} ms {p95(exact[kind]):5.1f} ms")
    for kind, (ms, q) in slowest.items():
        print(f"  slowest {kind:<9} {ms:6.1f} ms  {q}")


def server_copy(path: Path, url: str | None) -> tuple[str, Any]:
    """The matter moved to a PostgreSQL database (``url``, or a server started here); the
    URL and the server to stop (None when it was given)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from pg_harness import LocalServer, available

    from app.matter.transfer import copy_matter

    server = None
    if url is None:
        reason = available()
        if reason:
            raise SystemExit(f"server: skipped ({reason})")
        server = LocalServer()
        server.start()
        url = server.new_database("search")
    with Matter.open(url, create=True) as dst:
        if not dst.scalar("SELECT count(*) FROM pages"):
            start = time.perf_counter()
            with Matter.open(path, read_only=True) as src:
                copy_matter(src, dst)
            dst.conn.execute("ANALYZE")
            print(f"moved to the server in {time.perf_counter() - start:.0f} s", flush=True)
    return url, server


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=200_000)
    ap.add_argument("--queries", type=int, default=20, help="queries per kind")
    ap.add_argument("--recall-words", type=int, default=60)
    ap.add_argument("--budget", type=float, default=10.0, help="count budget in ms")
    ap.add_argument("--backend", choices=["file", "both"], default="file",
                    help="both: also move the matter to PostgreSQL, check every query finds "
                         "the same pages there, and time it there too")
    ap.add_argument("--server-url", help="an empty (or already loaded) database to use "
                                         "instead of a server started here")
    args = ap.parse_args()
    path = build(args.pages)
    with Matter.open(path, read_only=True) as matter:
        pages = matter.scalar("SELECT count(*) FROM pages")
        qs = queries(matter, args.queries)
        start = time.perf_counter()
        search(matter, "zzz~")  # first fuzzy query reads the vocabulary
        vocab_ms = (time.perf_counter() - start) * 1000
        file_figures = measure(matter, qs, args.budget)
        fuzzy_recall, option_recall, wanted = recall(matter, args.recall_words)
        expected = ({q: page_ids(matter, q) for _, q in qs} if args.backend == "both" else {})
    report("file (SQLite FTS5)", pages, qs, args.budget, file_figures)
    print(f"  vocabulary read (first fuzzy query): {vocab_ms:.0f} ms")
    print(f"fuzzy recall on OCR-noisy twins ({wanted} clean pages): word~ {fuzzy_recall:.1%}, "
          f"tolerate-OCR option {option_recall:.1%}")
    if args.backend != "both":
        return
    url, server = server_copy(path, args.server_url)
    try:
        with Matter.open(url, read_only=True) as shared:
            start = time.perf_counter()
            search(shared, "zzz~")
            vocab_ms = (time.perf_counter() - start) * 1000
            differ = [q for _, q in qs if page_ids(shared, q) != expected[q]]
            server_figures = measure(shared, qs, args.budget)
        report("server (PostgreSQL tsvector)", pages, qs, args.budget, server_figures)
        print(f"  vocabulary read (first fuzzy query): {vocab_ms:.0f} ms")
        print(f"same page sets on both backends: {len(qs) - len(differ)} of {len(qs)} queries"
              + (f"; differ: {differ[:5]}" if differ else ""))
        print("p95 server / file, first 100:", ", ".join(
            f"{k} {p95(server_figures[0][k]) / p95(file_figures[0][k]):.2f}"
            for k in file_figures[0]))
    finally:
        if server is not None:
            server.close()


if __name__ == "__main__":
    main()
