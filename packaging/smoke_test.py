"""Exercise the packaged build: ``python packaging/smoke_test.py [dist/vaughn/vaughn]``.

``make package-test`` (and so CI) runs this after ``make package``. It generates a small
production with the source tree, then drives the *frozen* executable only: ``ingest`` (text
PDFs), ``ingest --ocr`` of a scanned document (OCR language data found in the bundle, worker
processes spawned from the frozen executable), ``search``, ``redactions --json``, ``export``
(CSV, XLSX and DOCX), and the window with ``--screenshot`` offscreen plus the first-paint
probe with no matter (the welcome screen), and the first run's path: welcome screen, *Try the
sample matter* (generated and ingested inside the frozen app), its first page painted. Any
failure fails the run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BINARY = ROOT / "dist" / "vaughn" / "vaughn"


class Smoke:
    """Runs commands against the frozen binary, counting passes and failures."""

    def __init__(self, binary: Path, work: Path) -> None:
        self.binary = binary
        self.work = work
        self.passed = 0
        self.failed = 0
        self.env = dict(os.environ, VAUGHN_DATA_DIR=str(work / "data"),
                        QT_QPA_PLATFORM="offscreen", VAUGHN_REVIEWER="package-test")
        self.env.pop("PYTHONPATH", None)  # the bundle must not lean on the source tree

    def run(self, name: str, args: list[str], check=None, timeout: float = 300,
            stderr_too: bool = False) -> str:
        """Run ``vaughn ARGS``; ``check(stdout)`` may raise AssertionError."""
        started = time.monotonic()
        try:
            out = subprocess.run([str(self.binary), *args], env=self.env, cwd=self.work,
                                 capture_output=True, text=True, timeout=timeout)
            if out.returncode != 0:
                raise AssertionError(f"exit {out.returncode}\n{out.stdout[-2000:]}\n"
                                     f"{out.stderr[-3000:]}")
            if check is not None:
                check(out.stdout + out.stderr if stderr_too else out.stdout)
        except (AssertionError, subprocess.TimeoutExpired, ValueError, KeyError) as exc:
            self.failed += 1
            print(f"FAIL {name}: {exc}", flush=True)
            return ""
        self.passed += 1
        print(f"ok   {name} ({time.monotonic() - started:.1f} s)", flush=True)
        return out.stdout


def generate(out: Path, *args: str) -> dict:
    """A production made by the source tree's generator, and its answer key."""
    subprocess.run([sys.executable, "-m", "app.sample_production", str(out), *args],
                   cwd=ROOT, check=True, capture_output=True)
    return json.loads((out / "truth.json").read_text())


def main(argv: list[str] | None = None) -> int:
    """Run every check; exit 1 if any failed."""
    args = argv if argv is not None else sys.argv[1:]
    binary = Path(args[0]).resolve() if args else DEFAULT_BINARY
    if not os.access(binary, os.X_OK):
        print(f"package-test: no executable at {binary} (run make package)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="vaughn-package-test-") as tmp:
        work = Path(tmp)
        s = Smoke(binary, work)
        truth = generate(work / "prod", "--docs", "4", "--seed", "3", "--scanned-share", "0",
                         "--bad-share", "0.5", "--layout", "folder")
        generate(work / "scan", "--docs", "1", "--seed", "4", "--scanned-share", "1",
                 "--layout", "pdf")
        pages = sum(len(d["pages"]) for d in truth["documents"])
        matter = str(work / "m.vaughn")

        def ingested(stdout: str) -> None:
            report = json.loads(stdout)
            assert "pages_added" in json.dumps(report), report
            added = report.get("pages_added")
            assert added in (None, pages), f"{added} pages ingested, {pages} expected"

        s.run("--help", ["--help"], lambda o: None if "ingest" in o else _fail(o))
        s.run("ingest", ["ingest", matter, str(work / "prod"), "--json"], ingested)
        def found(stdout: str) -> None:
            assert stdout.strip() and not stdout.startswith("0 page"), stdout[-1000:]

        s.run("search", ["search", matter, "the"], found)

        def redactions(stdout: str) -> None:
            rows = json.loads(stdout)
            assert isinstance(rows, list | dict) and rows, "no redactions found"

        s.run("redactions --json", ["redactions", matter, "--json"], redactions)
        for kind, name in (("redaction-log", "log.csv"), ("redaction-log", "log.xlsx"),
                           ("exhibits", "exhibits.docx"), ("summary", "summary.pdf")):
            out = work / name
            s.run(f"export {kind} {name}", ["export", matter, kind, "--out", str(out)],
                  lambda _o, out=out: None if out.is_file() and out.stat().st_size > 0
                  else _fail(f"{out} not written"))
        ocr_matter = str(work / "ocr.vaughn")
        def ocr_done(stdout: str) -> None:
            line = next((x for x in stdout.splitlines() if x.startswith("ocr:")), "")
            assert re.match(r"ocr: [1-9]\d* pages? OCRed", line), stdout[-2000:]
            assert not re.search(r"[1-9]\d* failed", line), line

        s.run("ingest --ocr (scanned)", ["ingest", ocr_matter, str(work / "scan"), "--ocr"],
              ocr_done, timeout=600, stderr_too=True)
        s.run("search OCR text", ["search", ocr_matter, "the"], found)
        shot = work / "window.png"
        s.run("window --screenshot", [matter, "--screenshot", str(shot), "--size", "1400x900"],
              lambda _o: None if shot.is_file() and shot.stat().st_size > 10_000
              else _fail("no screenshot"), timeout=120)
        saved = s.env
        s.env = dict(saved, VAUGHN_FIRST_PAINT="1")
        s.run("welcome screen first paint", [],
              lambda o: None if "first-paint " in o else _fail(o), timeout=60)
        first = work / "first-run.png"
        s.env = dict(saved, VAUGHN_SELFTEST_SAMPLE=str(first))
        s.env.pop("VAUGHN_REVIEWER")
        s.run("first run: welcome > Try the sample matter > page", [],
              lambda _o: None if first.is_file() and first.stat().st_size > 10_000
              else _fail("no page of the sample"), timeout=180)
        s.env = saved
        if os.environ.get("VAUGHN_KEEP_SCREENSHOT"):
            import shutil

            shutil.copy2(shot, os.environ["VAUGHN_KEEP_SCREENSHOT"])
        print(f"package-test: {s.passed} passed, {s.failed} failed")
        return 1 if s.failed else 0


def _fail(text: str) -> None:
    raise AssertionError(text[-2000:])


if __name__ == "__main__":
    sys.exit(main())
