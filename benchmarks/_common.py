"""Helpers shared by the benchmark scripts: where data goes, how productions are made."""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DATA = ROOT / "bench-data"  # gitignored
sys.path.insert(0, str(ROOT))


def generator() -> list[str]:
    """The command that makes productions: the shared generator when present, else ours."""
    shared = SHARED / "corpus" / "make_production.py"
    if shared.exists():
        return [sys.executable, str(shared)]
    return [sys.executable, "-m", "app.sample_production"]


def make_production(name: str, *args: str) -> Path:
    """Generate a production once (cached under bench-data/) and return its folder."""
    out = DATA / name
    if not (out / "truth.json").exists():
        print(f"generating {name} ({' '.join(args)}) ...", file=sys.stderr, flush=True)
        subprocess.run([*generator(), str(out), *args], check=True, cwd=ROOT)
    return out


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
