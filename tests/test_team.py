"""Several reviewer processes on one matter at once (issue #20): benchmarks/team.py at a small
scale, on a matter file and on a real PostgreSQL server it starts itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_three_reviewers_at_once_lose_nothing(pdf_matter_template, tmp_path, pg_server) -> None:
    """(``pg_server``: skip, or under CI fail, where no server can start.)"""
    out = tmp_path / "team.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "team.py"), "--reviewers", "3",
         "--changes", "40", "--template", str(pdf_matter_template), "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(out.read_text())
    assert set(figures) == {"file", "server"}
    for backend, f in figures.items():
        assert f["reviewers_finished"] == 3, backend
        assert f["changes"] > 100, backend  # nearly all 120 changes saved; the rest conflicts
        assert 110 <= f["changes"] + f["conflicts"] <= 120, backend  # a few may find nothing
        # to change (another reviewer set the same status a moment before)
        assert f["lost"] == 0 and f["errors"] == 0, (backend, f["error_samples"])
        assert f["unexplained_conflicts"] == 0 and f["wrong_final_state"] == 0, backend

