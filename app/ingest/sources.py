"""Find the production files in what the user pointed at: a file, a folder, or a volume.

A folder is walked recursively in natural order. A folder holding an Opticon ``.opt`` file is a
load-file volume: its images belong to the volume and are not ingested on their own. Anything
that is not a production file (a ``.json``, a spreadsheet) is listed as skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from app.ingest.pdf import IMAGE_SUFFIXES

LOADFILE_SUFFIXES = {".opt", ".dat"}


@dataclass(frozen=True)
class Source:
    """One unit of ingest: a PDF, an image file, or a volume (its .opt and optional .dat)."""

    kind: str  # "pdf" | "image" | "volume" | "zip"
    path: Path  # the file, or for a volume its .opt file
    dat: Path | None = None
    root: Path | None = None  # a volume's root folder (paths in the OPT are relative to it)


@dataclass
class Discovery:
    """What a source argument holds."""

    sources: list[Source] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)


def natural_key(path: Path) -> list[object]:
    """Sort key that puts "page2" before "page10"."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", str(path))]


def discover(target: Path) -> Discovery:
    """Classify ``target`` (a file or folder) into ingestable sources."""
    found = Discovery()
    if not target.exists():
        found.failed.append((target, "no such file or folder"))
        return found
    if target.is_file():
        suffix = target.suffix.lower()
        if suffix in LOADFILE_SUFFIXES:
            volume = _volume_for(target)
            found.sources.extend(volume)
            if not volume:
                found.failed.append((target, "a DAT load file without an OPT image file: no pages"))
        elif suffix == ".pdf":
            found.sources.append(Source("pdf", target))
        elif suffix in IMAGE_SUFFIXES:
            found.sources.append(Source("image", target))
        elif suffix == ".zip":
            found.sources.append(Source("zip", target))
        else:
            found.failed.append((target, f"not a production file (type {suffix or 'unknown'})"))
        return found
    files = sorted((p for p in target.rglob("*") if p.is_file()), key=natural_key)
    files = [p for p in files if not any(part.startswith(".") for part in p.relative_to(target).parts)]
    volumes: list[Source] = []
    for opt in (p for p in files if p.suffix.lower() == ".opt"):
        volumes.extend(_volume_for(opt))
    roots = [v.root for v in volumes if v.root is not None]
    found.sources.extend(volumes)
    claimed = {v.path for v in volumes} | {v.dat for v in volumes if v.dat}
    for path in files:
        if path in claimed or any(_inside(path, root) for root in roots):
            continue
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            found.sources.append(Source("pdf", path))
        elif suffix in IMAGE_SUFFIXES:
            found.sources.append(Source("image", path))
        elif suffix == ".zip":
            found.sources.append(Source("zip", path))
        elif suffix == ".dat":
            found.failed.append((path, "a DAT load file without an OPT image file: no pages"))
        else:
            found.skipped.append((path, "not a production file"))
    return found


def _volume_for(path: Path) -> list[Source]:
    """The volume a .opt or .dat file belongs to (its sibling of the other kind, if any)."""
    folder = path.parent
    root = folder.parent if folder.name.upper() == "DATA" else folder
    if path.suffix.lower() == ".opt":
        opt = path
    else:
        opts = sorted(folder.glob("*.[oO][pP][tT]"))
        same = [o for o in opts if o.stem.lower() == path.stem.lower()]
        if not (same or opts):
            return []
        opt = (same or opts)[0]
    dats = sorted(folder.glob("*.[dD][aA][tT]"))
    same_dat = [d for d in dats if d.stem.lower() == opt.stem.lower()]
    dat = (same_dat or dats)[0] if (same_dat or dats) else None
    return [Source("volume", opt, dat=dat, root=root)]


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False
