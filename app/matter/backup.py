"""Backup copies of a matter with SQLite's online backup API, kept in rotation."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from app.paths import backups_dir

if TYPE_CHECKING:
    from app.matter.store import Matter

KEEP = 10


def backup(matter: Matter, dest: Path | None = None, *, reason: str = "manual") -> Path:
    """Copy ``matter`` consistently to ``dest`` (default: the backups folder), return the path."""
    if dest is None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        dest = backups_dir() / f"{matter.path.stem}-{stamp}-{reason}.vaughn"
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / matter.path.name
    tmp = dest.with_name(dest.name + ".part")
    target = sqlite3.connect(str(tmp))
    try:
        matter.conn.backup(target)
    finally:
        target.close()
    tmp.replace(dest)
    _rotate(matter.path.stem)
    return dest


def _rotate(stem: str) -> None:
    copies = sorted(backups_dir().glob(f"{stem}-*.vaughn"))
    for old in copies[:-KEEP]:
        old.unlink(missing_ok=True)
