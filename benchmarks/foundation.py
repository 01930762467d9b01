"""Foundation accuracy on generated productions in all three layouts, scored on the answer key.

For --layout pdf, folder --tranches 2 and loadfile: ingest, then print
  Bates: pages whose Bates number is exactly the answer key's (and pages missing / extra)
  phrase search: recall and precision of 100 random 2-4 word phrases from the visible text of
                 text-layer pages (a page is expected when its visible text holds the phrase).
                 Phrases are drawn from within one line of the answer key: in re-released
                 tranches the generator appends lifted text at the end of the page's visible
                 text, so phrases across its line breaks are not on the page in that order.
Usage: python benchmarks/foundation.py [--docs 40]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
from pathlib import Path

from _common import make_production

from app.ingest.pipeline import ingest
from app.matter.listing import pages
from app.matter.store import Matter
from app.search.index import search

_TOKEN = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def holds(toks: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(toks[i:i + n] == phrase for i in range(len(toks) - n + 1))


def run(layout: str, docs: int) -> None:
    args = ["--docs", str(docs), "--seed", "7", "--layout", layout]
    if layout == "folder":
        args += ["--tranches", "2"]
    folder = make_production(f"foundation-{layout}-{docs}", *args)
    truth = json.loads((folder / "truth.json").read_text())
    with tempfile.TemporaryDirectory() as tmp, \
            Matter.open(Path(tmp) / "m.vaughn", create=True) as matter:
        if layout == "folder":
            for t in sorted(folder.glob("tranche_*")):
                ingest(matter, [t])
        else:
            ingest(matter, [folder])
        base = folder / "VOL001" if layout == "loadfile" else folder
        got = {}
        for p in pages(matter):
            rel = Path(p["file"]).resolve().relative_to(base.resolve()).as_posix()
            got[(rel, p["page_index"])] = p["bates"]
        expected = {}
        text_pages = {}
        lines: list[list[str]] = []
        for d in truth["documents"]:
            prefix = f"tranche_{d['tranche']:02d}/" if layout == "folder" else ""
            for p in d["pages"]:
                expected[(prefix + p["file"], p["page_index"])] = p["bates"]
                if not p["scanned"] or layout == "loadfile":
                    text_pages[p["bates"]] = tokens(p["visible_text"])
                    lines.extend(t for t in map(tokens, p["visible_text"].splitlines())
                                 if len(t) >= 4)
        exact = sum(1 for k, v in expected.items() if got.get(k) == v)
        print(f"{layout:<8} {len(expected)} pages: Bates exact {exact}/{len(expected)} "
              f"({exact / len(expected):.4f}); missing {len(set(expected) - set(got))}, "
              f"extra {len(set(got) - set(expected))}")
        rng = random.Random(5)
        tp = fp = fn = 0
        for _ in range(100):
            toks = rng.choice(lines)
            start = rng.randrange(len(toks) - 1)
            phrase = toks[start:start + rng.randint(2, 4)]
            want = {b for b, t in text_pages.items() if holds(t, phrase)}
            hits = search(matter, '"' + " ".join(phrase) + '"', limit=100_000).hits
            have = {h.bates for h in hits if h.bates in text_pages}
            tp += len(want & have)
            fp += len(have - want)
            fn += len(want - have)
        print(f"{'':<8} phrase search over {len(text_pages)} text pages: "
              f"recall {tp / max(1, tp + fn):.4f}, precision {tp / max(1, tp + fp):.4f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", type=int, default=40)
    args = ap.parse_args()
    for layout in ("pdf", "folder", "loadfile"):
        run(layout, args.docs)


if __name__ == "__main__":
    main()
