"""One review window per matter: an advisory lock beside the matter file.

The window takes the lock when it opens a matter; a second window (in this or another
process) that cannot take it opens the matter read-only and says so. Command-line writes do
not take it: SQLite's own locking keeps concurrent short transactions safe. The lock dies
with its process, so a crash never leaves a matter locked.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import BinaryIO


class InstanceLock:
    """An exclusive, non-blocking lock on ``<matter>.lock``; ``acquire()`` says if it was got."""

    def __init__(self, matter_path: str | Path) -> None:
        self.path = Path(str(matter_path) + ".lock")
        self._fh: BinaryIO | None = None

    def acquire(self) -> bool:
        """Take the lock; False when another window holds it."""
        if self._fh is not None:
            return True
        try:
            fh = open(self.path, "a+b")  # noqa: SIM115 - held open for the lock's lifetime
        except OSError:
            return False  # read-only media: nobody can write, so read-only it is
        try:
            if sys.platform == "win32":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return False
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()).encode())
        fh.flush()
        self._fh = fh
        return True

    def release(self) -> None:
        """Give the lock up (closing the file releases it)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fh is not None
