"""Where this machine finds a shared matter's originals (issue #20).

A shared matter records each source file's path as it was where the file was ingested. Another
reviewer's machine may see the same files elsewhere (another drive letter, a different mount).
``vaughn relink`` on a shared matter finds them by hash as on a file matter, but records what it
found here, in this machine's data folder (``local-paths.json``, one map per matter: recorded
path -> path on this machine), and leaves the server's paths as they are for everyone else.
:meth:`Matter.local_path` applies the map wherever an original is opened.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from app.paths import data_dir

FILE = "local-paths.json"


def _file() -> Path:
    return data_dir() / FILE


def load(location: str) -> dict[str, str]:
    """This machine's map for the matter at ``location`` (a server URL without password)."""
    try:
        data = json.loads(_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    found = data.get(location, {}) if isinstance(data, dict) else {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def save(location: str, mapping: dict[str, str]) -> None:
    """Add ``mapping`` to this machine's map for ``location`` (written whole, atomically)."""
    path = _file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data = data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        data = {}
    data[location] = {**data.get(location, {}), **mapping}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".local-paths-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1)
    os.replace(tmp, path)
