"""Start-up to first paint, packaged build and source run, and the package's size.

    python benchmarks/startup.py [--runs 5] [--binary dist/vaughn/vaughn] [--json]

What is timed: from just before the process is started (``subprocess.Popen``) to the moment
the window's first paint event has been processed, as printed by the process itself
(``VAUGHN_FIRST_PAINT=1``: ``first-paint <epoch seconds>``, then it closes and exits; see
ui.welcome.watch_first_paint). Offscreen platform (``QT_QPA_PLATFORM=offscreen``): no
compositor, so these are the program's own costs. Two screens:

* ``welcome``: no matter given, the welcome screen (what a new user sees first);
* ``matter``: the sample matter given on the command line: the main window's first paint,
  which comes before the matter's pages are loaded (they load on the matter worker).

``page ready`` adds the time until the first page of the matter is rendered with its overlays
and panels (``--screenshot``'s readiness test, so it includes saving one PNG).

Cold means, here: a new process, a fresh empty ``VAUGHN_DATA_DIR`` (no settings, no recent
matters, no log), and, when this runs as root on Linux, the kernel's page cache dropped just
before (``sync; echo 3 > /proc/sys/vm/drop_caches``), so the interpreter, Qt, PyMuPDF and the
bundle's files are read from disk again. Cache dropping is not possible without root: then
cold is only the fresh process and data folder, and the output says so. Warm means the same
command again straight after, with the same data folder and everything in the page cache.
Each figure is the median of ``--runs`` runs (cold and warm runs alternate).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_FIRST_PAINT_WARM_S = 1.5
TARGET_PACKAGE_MB = 250.0


def drop_caches() -> bool:
    """Drop the page cache (root only); whether it was dropped."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def first_paint(cmd: list[str], data_dir: Path, extra_env: dict[str, str] | None = None) -> float:
    """Seconds from spawning ``cmd`` to its first painted window."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", VAUGHN_FIRST_PAINT="1",
               VAUGHN_DATA_DIR=str(data_dir), VAUGHN_REVIEWER="benchmark", **(extra_env or {}))
    started = time.time()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    for line in out.stdout.splitlines():
        if line.startswith("first-paint "):
            return float(line.split()[1]) - started
    raise RuntimeError(f"no first paint from {cmd}: exit {out.returncode}\n{out.stderr[-2000:]}")


def page_ready(cmd: list[str], matter: Path, data_dir: Path) -> float:
    """Seconds from spawning to the matter's first page fully painted (and saved as PNG)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", VAUGHN_DATA_DIR=str(data_dir),
               VAUGHN_REVIEWER="benchmark")
    env.pop("VAUGHN_FIRST_PAINT", None)
    png = data_dir / "shot.png"
    started = time.monotonic()
    out = subprocess.run([*cmd, str(matter), "--screenshot", str(png), "--size", "1400x900"],
                         env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"--screenshot failed: {out.stderr[-2000:]}")
    return time.monotonic() - started


def measure(cmd: list[str], matter: Path, runs: int, tmp: Path, can_drop: bool) -> dict:
    """Medians (seconds) of cold and warm first paint for both screens, and page ready."""
    rows: dict[str, list[float]] = {}
    for n in range(runs):
        for screen, args in (("welcome", []), ("matter", [str(matter)])):
            data = tmp / f"data-{screen}-{n}"
            if can_drop:
                drop_caches()
            rows.setdefault(f"{screen} cold", []).append(first_paint([*cmd, *args], data))
            rows.setdefault(f"{screen} warm", []).append(first_paint([*cmd, *args], data))
        rows.setdefault("page ready warm", []).append(page_ready(cmd, matter, tmp / "data-pr"))
    return {k: round(statistics.median(v), 3) for k, v in rows.items()} | {
        f"{k} (all runs)": [round(x, 3) for x in v] for k, v in rows.items()}


def bundle_size(app_dir: Path) -> dict:
    """Unpacked MB, the tarball's MB (if built) and the largest components (build.py's)."""
    import importlib.util

    # packaging/ is not importable by name (PyPI's ``packaging`` owns that name)
    spec = importlib.util.spec_from_file_location("vaughn_build", ROOT / "packaging" / "build.py")
    build = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(build)  # type: ignore[union-attr]
    tars = sorted(app_dir.parent.glob("vaughn-*.tar.gz"))
    return {"unpacked_mb": round(build.folder_size(app_dir) / 1e6, 1),
            "tarball_mb": round(tars[-1].stat().st_size / 1e6, 1) if tars else None,
            "components_mb": [(n, round(b / 1e6, 1)) for n, b in build.size_report(app_dir)]}


def make_matter(tmp: Path) -> Path:
    """The sample matter (28 pages), made with the source tree in a private data folder."""
    env = dict(os.environ, VAUGHN_DATA_DIR=str(tmp / "sample-data"))
    subprocess.run([sys.executable, "-m", "app.sample"], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    return tmp / "sample-data" / "sample" / "sample-matter.vaughn"


def main(argv: list[str] | None = None) -> int:
    """Measure and print the figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--binary", default=str(ROOT / "dist" / "vaughn" / "vaughn"))
    p.add_argument("--no-drop-caches", action="store_true",
                   help="cold = fresh process and data folder only")
    p.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = p.parse_args(argv)
    binary = Path(args.binary)
    can_drop = not args.no_drop_caches and drop_caches()
    results: dict[str, object] = {"runs": args.runs, "cold_drops_page_cache": can_drop}
    with tempfile.TemporaryDirectory(prefix="vaughn-startup-") as t:
        tmp = Path(t)
        matter = make_matter(tmp)
        targets = [("source", [sys.executable, str(ROOT / "main.py")])]
        if os.access(binary, os.X_OK):
            targets.insert(0, ("package", [str(binary)]))
        else:
            print(f"(no packaged build at {binary}: run make package; source only)")
        for name, cmd in targets:
            results[name] = measure(cmd, matter, args.runs, tmp / name, can_drop)
    if os.access(binary, os.X_OK):
        results["package_size"] = bundle_size(binary.parent)
    print(f"Start-up to first paint, offscreen, median of {args.runs} runs (seconds).")
    print("cold = new process + fresh VAUGHN_DATA_DIR"
          + (" + page cache dropped" if can_drop else " (page cache NOT dropped: not root)"))
    keys = ["welcome cold", "welcome warm", "matter cold", "matter warm", "page ready warm"]
    names = [n for n, _ in targets]
    print(f"{'':18}" + "".join(f"{n:>10}" for n in names))
    for k in keys:
        print(f"{k:18}" + "".join(f"{results[n][k]:>10.3f}" for n in names))  # type: ignore[index]
    if "package" in results:
        warm = results["package"]["welcome warm"]  # type: ignore[index]
        print(f"target: first paint <= {TARGET_FIRST_PAINT_WARM_S} s warm from the package: "
              f"{'met' if warm <= TARGET_FIRST_PAINT_WARM_S else 'NOT met'} ({warm:.3f} s)")
    size = results.get("package_size")
    if size:
        total = size["unpacked_mb"]  # type: ignore[index]
        print(f"package: {total:.1f} MB unpacked, target <= {TARGET_PACKAGE_MB:.0f} MB: "
              f"{'met' if total <= TARGET_PACKAGE_MB else 'NOT met'}; tarball "
              f"{size['tarball_mb'] or '-'} MB; what dominates:")  # type: ignore[index]
        for name, mb in size["components_mb"][:8]:  # type: ignore[index]
            print(f"  {mb:7.1f} MB  {name}")
    if args.json:
        print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
