"""Ingest every hostile file, one `vaughn ingest` process each, with its wall time and budget.

The files: the shared hostile corpus (../shared/realdata: malformed, encrypted and odd PDFs,
when present) and the hostile inputs made here (benchmarks/hostile_inputs.py: a 19-page 1-bit
dithered TIFF volume ingested with --ocr, a text layer of pattern-stalling tokens, a page of a
million drawings, a zip with a damaged member, a zip of 50,000 non-production files).

Each file is ingested into a scratch matter by its own process, so a crash or a hang is caught
and counted: ingested / rejected (clear reason, exit 2) / crashed (any other exit or a
traceback) / hung (killed at --limit). Each file's wall time is printed next to its budget:
start-up and reading (15 s plus 1 s a page), plus the analysis budget for every page that was
stopped over it; the dithered volume with OCR has the issue's 120 s. Exit 0; prints the table.
Usage: python benchmarks/hostile.py [--limit 600] [--only made|shared]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import hostile_inputs as made
from _common import DATA, ROOT, SHARED

from app.pagework import DEFAULT_BUDGETS

SUFFIXES = {".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg", ".opt"}


def made_inputs() -> list[tuple[Path, list[str], float | None]]:
    """(path, extra ingest arguments, fixed budget or None) for the inputs made here."""
    out = DATA / "hostile"
    out.mkdir(parents=True, exist_ok=True)
    volume = out / "VOL001"
    if not (volume / "DATA" / "VOL001.opt").exists():
        made.dithered_volume(out)
    files = {"stalling-text.pdf": made.stalling_text_pdf, "million-drawings.pdf":
             made.drawings_pdf, "damaged-member.zip": made.corrupt_member_zip,
             "junk-50000.zip": made.junk_zip}
    for name, make in files.items():
        if not (out / name).exists():
            make(out / name)
    return [(volume, ["--ocr"], 120.0)] + [(out / name, [], None) for name in files]


def shared_inputs() -> list[tuple[Path, list[str], float | None]]:
    corpus = SHARED / "realdata"
    if not corpus.exists():
        print(f"(the shared corpus is absent: {corpus})")
        return []
    return [(p, [], None) for p in sorted(corpus.rglob("*"))
            if p.is_file() and p.suffix.lower() in SUFFIXES]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=float, default=600.0, help="seconds before a file is hung")
    ap.add_argument("--only", choices=("made", "shared"))
    args = ap.parse_args()
    inputs = []
    if args.only != "shared":
        inputs += made_inputs()
    if args.only != "made":
        inputs += shared_inputs()
    counts: Counter[str] = Counter()
    over = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n, (path, extra, fixed) in enumerate(inputs):
            matter = Path(tmp) / f"m{n}.vaughn"
            started = time.monotonic()
            pages = stopped = 0
            try:
                out = subprocess.run(
                    [sys.executable, str(ROOT / "main.py"), "ingest", str(matter), str(path),
                     "--json", *extra],
                    capture_output=True, text=True, timeout=args.limit, cwd=ROOT)
            except subprocess.TimeoutExpired:
                verdict, why = "hung", f"over {args.limit:.0f} s"
            else:
                try:
                    summary = json.loads(out.stdout)
                    pages, stopped = summary["pages_added"], len(summary["stopped"])
                    failed = [o for o in summary["outcomes"] if o["status"] == "failed"]
                except (ValueError, KeyError):
                    summary, failed = None, []
                if "Traceback" in out.stderr or out.returncode not in (0, 2) or summary is None:
                    verdict = "crashed"
                    why = (out.stderr.strip().splitlines() or [f"exit {out.returncode}"])[-1]
                elif out.returncode == 2:
                    verdict, why = "rejected", (failed[0]["reason"] if failed else "")
                else:
                    verdict = "ingested"
                    why = f"{pages} pages" + (f", {stopped} stopped" if stopped else "")
            took = time.monotonic() - started
            budget = fixed or 15 + pages + stopped * DEFAULT_BUDGETS["analysis"]
            over += took > budget
            counts[verdict] += 1
            name = path.relative_to(SHARED) if path.is_relative_to(SHARED) else path.name
            print(f"{verdict:<9} {took:6.1f} s / {budget:5.0f} s  {name}: {why}"[:200],
                  flush=True)
    print(f"\n{len(inputs)} files: " + ", ".join(f"{k} {counts[k]}" for k in
                                                 ("ingested", "rejected", "crashed", "hung"))
          + f"; {over} over budget")
    return 0


if __name__ == "__main__":
    sys.exit(main())
