"""Ingest every file of the hostile corpus (../shared/realdata) one by one, with a time limit.

Each file is ingested by a separate `vaughn ingest` process into a scratch matter, so a crash or
a hang in one file is caught and counted: ingested / rejected (clear reason, exit 2) /
crashed (any other exit or a traceback) / hung (over the limit). Exit 0; prints the table.
Usage: python benchmarks/hostile.py [--limit 60]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from _common import ROOT, SHARED

SUFFIXES = {".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg", ".opt"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=float, default=60.0, help="seconds per file")
    args = ap.parse_args()
    corpus = SHARED / "realdata"
    if not corpus.exists():
        print(f"skipped: {corpus} is absent")
        return 0
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    counts: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for n, path in enumerate(files):
            matter = Path(tmp) / f"m{n}.vaughn"
            try:
                out = subprocess.run(
                    [sys.executable, str(ROOT / "main.py"), "ingest", str(matter), str(path)],
                    capture_output=True, text=True, timeout=args.limit, cwd=ROOT)
            except subprocess.TimeoutExpired:
                verdict, why = "hung", f"over {args.limit:.0f} s"
            else:
                if "Traceback" in out.stderr or out.returncode not in (0, 2):
                    verdict = "crashed"
                    why = (out.stderr.strip().splitlines() or [f"exit {out.returncode}"])[-1]
                elif out.returncode == 2:
                    verdict = "rejected"
                    why = next((ln.split(": ", 1)[-1] for ln in out.stderr.splitlines()
                                if ln.startswith("FAILED")), "")
                else:
                    verdict, why = "ingested", out.stdout.strip().splitlines()[-1].split(";")[0]
            counts[verdict] += 1
            print(f"{verdict:<9} {path.relative_to(corpus)}: {why}", flush=True)
    print(f"\n{len(files)} files: " + ", ".join(f"{k} {counts[k]}" for k in
                                                 ("ingested", "rejected", "crashed", "hung")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
