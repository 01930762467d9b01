"""Where Vaughn keeps its own files: settings, backups, logs and the sample matter.

Matters live wherever the user saves them; everything else goes in the platform's user data
folder (platformdirs), which tests and portable installs override with ``VAUGHN_DATA_DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """The user data folder (created on first use)."""
    override = os.environ.get("VAUGHN_DATA_DIR")
    if override:
        path = Path(override)
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("Vaughn", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def backups_dir() -> Path:
    """Rotating matter backups."""
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def logs_dir() -> Path:
    """Log files (never page text)."""
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path
