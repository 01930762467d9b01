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



def test_racing_reviewers_on_the_same_rows_of_a_server(pdf_matter_template, server_url) -> None:
    """Six processes create the same new tags, toggle the same eight redactions and set the
    challenge of the same four at the same moments: no error reaches any of them, each tag
    exists once, each target keeps one challenge (no duplicate from two first writers), and
    the toggles all count (an even number of them leaves the codes as they were)."""
    import time

    from pg_harness import load_matter

    from app.matter.store import Matter

    load_matter(server_url, pdf_matter_template)
    start = time.time() + 3
    procs = [subprocess.Popen([sys.executable, str(ROOT / "tests" / "team_racer.py"), server_url,
                               f"Racer {i}", str(start), "20"], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for i in range(6)]
    outs = [p.communicate(timeout=240) for p in procs]
    for (out, err), p in zip(outs, procs, strict=True):
        assert p.returncode == 0, err
        assert json.loads(out.strip().splitlines()[-1])["errors"] == []
    with Matter.open(server_url) as m:
        assert m.scalar("SELECT count(*) FROM tags WHERE name LIKE 'race-%'") == 20
        assert m.scalar("SELECT count(*) FROM tag_links") == 20
        assert m.scalar("SELECT max(n) FROM (SELECT count(*) AS n FROM challenges "
                        "GROUP BY target_kind, target_id) AS per_target") == 1
        toggles = m.scalar("SELECT count(*) FROM audit_log WHERE action = 'toggle_exemption'")
        assert toggles == 6 * 20 * 8  # every toggle of every redaction written, none lost
        rows = m.conn.execute("SELECT exemptions, exemptions_reviewed FROM redactions "
                              "ORDER BY id LIMIT 8").fetchall()
        # 120 toggles of all eight: back to where the first one found them
        had_it = all("(b)(5)" in json.loads(stamped) for stamped, _ in rows)
        assert all(("(b)(5)" in json.loads(reviewed)) == had_it for _, reviewed in rows)
