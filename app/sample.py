"""The sample matter: a small generated production, ingested, for `make run` and first runs.

``python -m app.sample`` makes the production (once) in the user data folder, ingests it into
``sample-matter.vaughn`` beside it (a no-op when already there) and prints what it holds.
``vaughn --sample`` (what ``make run`` calls; ``ui/launch.py``) does this and then opens the
review window on it, or on a machine with no display says so.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.paths import data_dir

SAMPLE_DOCS = 14
SAMPLE_SEED = 11


def sample_paths() -> tuple[Path, Path]:
    """(production folder, matter file) of the sample matter."""
    root = data_dir() / "sample"
    return root / "production", root / "sample-matter.vaughn"


def make_sample_matter() -> tuple[Path, object]:
    """Generate (once) and ingest (idempotently) the sample; return (matter path, report)."""
    from app import sample_production
    from app.ingest.pipeline import ingest
    from app.matter.store import Matter

    production, matter_path = sample_paths()
    if not (production / "truth.json").exists():
        sample_production.main([str(production), "--docs", str(SAMPLE_DOCS), "--seed",
                                str(SAMPLE_SEED), "--scanned-share", "0.1", "--bad-share", "0.3",
                                "--layout", "folder"])
    with Matter.open(matter_path, create=True) as matter:
        report = ingest(matter, [production], production="Sample production, tranche 1")
    return matter_path, report


def has_display() -> bool:
    """Whether a window can be shown here."""
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM"))


def main(argv: list[str] | None = None) -> int:
    """Make the sample matter and describe it."""
    argparse.ArgumentParser(prog="python -m app.sample", description=__doc__).parse_args(argv)
    describe(make_sample_matter()[0])
    return 0


def describe(matter_path: Path) -> None:
    """Print the sample matter's productions and redaction counts."""
    from app.matter.listing import productions
    from app.matter.store import Matter

    with Matter.open(matter_path) as matter:
        prods = productions(matter)
        redactions = matter.scalar("SELECT count(*) FROM redactions")
        bad = matter.scalar("SELECT count(*) FROM redactions WHERE bad = 1")
    print(f"Sample matter: {matter_path}")
    for p in prods:
        print(f"  {p['name']}: {p['documents']} documents, {p['pages']} pages")
    print(f"  {redactions} redactions found, {bad} of them bad (text still under the box)")


def no_display_hint(matter_path: Path) -> str:
    """What to try instead of the window on a machine with no display."""
    return ("No display here, so the review window cannot open. Try:\n"
            f"  .venv/bin/vaughn search '{matter_path}' 'Operation'\n"
            f"  .venv/bin/vaughn redactions '{matter_path}' --bad-only")


if __name__ == "__main__":
    sys.exit(main())
