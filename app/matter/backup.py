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


def latest_backup(stem: str) -> Path | None:
    """The newest backup copy of the matter named ``stem``, if any."""
    copies = sorted(backups_dir().glob(f"{stem}-*.vaughn"), key=lambda p: p.stat().st_mtime)
    return copies[-1] if copies else None


def backup_if_stale(matter: Matter, max_age_s: float = 86_400) -> Path | None:
    """Take the daily backup when the newest copy is over ``max_age_s`` old (or missing)."""
    import time

    newest = latest_backup(matter.path.stem)
    if newest is not None and time.time() - newest.stat().st_mtime < max_age_s:
        return None
    return backup(matter, reason="daily")


def restore(source: Path, matter_path: Path) -> Path:
    """Replace the matter at ``matter_path`` with the backup ``source``.

    The current matter (if any) is first copied to the backups folder, so a restore can itself
    be undone. Returns the path of that safety copy (or the matter path when there was none).
    """
    from app.errors import MatterError
    from app.matter.store import Matter

    source, matter_path = Path(source), Path(matter_path)
    with Matter.open(source, read_only=True) as check:
        if check.scalar("PRAGMA integrity_check") != "ok":
            raise MatterError(f"{source}: the backup is damaged; choose another")
    safety = matter_path
    if matter_path.exists():
        with Matter.open(matter_path) as current:
            safety = backup(current, reason="before-restore")
    tmp = matter_path.with_name(matter_path.name + ".restoring")
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(str(tmp))
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    for suffix in ("-wal", "-shm"):
        Path(str(matter_path) + suffix).unlink(missing_ok=True)
    tmp.replace(matter_path)
    return safety
