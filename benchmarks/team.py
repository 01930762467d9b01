"""Team review: several reviewer processes changing one matter at once (issue #20).

Each simulated reviewer is its own process with its own session. It works through its share
of the matter's redactions the way the window does: read the target (its version comes with
it), then write with ``expect`` set to what it read, so a change over another reviewer's newer
one is refused (ReviewConflict) and counted, never applied. One in ten changes goes to a small
shared set of redactions that every reviewer touches, so conflicts happen. The changes are:
toggle a code (6 in 10), set the challenge status to one it does not have (2 in 10), add a note
(2 in 10): each one writes.

Afterwards the matter itself is checked:
- lost: changes a reviewer was told were saved whose op is not in the audit log (must be 0);
- errors: anything but a conflict reported to a reviewer (lock errors included; must be 0);
- unexplained conflicts: a conflict with no other reviewer's write to that target after the
  version the reviewer read (must be 0);
- final state: each redaction's codes equal the last saved toggle's result in audit order.
Latency is one change's write call (read excluded), per backend: the local PostgreSQL server
this script starts itself (tests/pg_harness.py) and, beside it, the same run on a matter file.

Usage: python benchmarks/team.py [--reviewers 5] [--changes 1000] [--backend both|server|file]
       [--template MATTER.vaughn] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import DATA, ROOT, make_production, median, p95

sys.path.insert(0, str(ROOT / "tests"))

HOT = 12  # redactions every reviewer touches


def worker(location: str, index: int, reviewers: int, changes: int, out: Path,
           seed: int) -> None:
    """One reviewer: ``changes`` writes, each after reading its target; results to ``out``."""
    from app.errors import ReviewConflict
    from app.session import Session

    rng = random.Random(seed * 1000 + index)
    name = f"Reviewer {index + 1}"
    results = []
    with Session.open(location) as session:
        ids = [r[0] for r in session.matter.conn.execute("SELECT id FROM redactions ORDER BY id")]
        hot, rest = ids[:HOT], ids[HOT:]
        mine = [r for i, r in enumerate(rest) if i % reviewers == index]
        for n in range(changes):
            rid = rng.choice(hot) if rng.random() < 0.1 else rng.choice(mine)
            target = ("redaction", rid)
            review = session.pages.review(target)
            seen = review.version
            kind = rng.random()
            writer = session.writer(name, expect={target: seen})
            start = time.perf_counter()
            try:
                if kind < 0.6:
                    changed = writer.toggle_exemption([rid], "(b)(5)")
                    what = "toggle"
                elif kind < 0.8:
                    now = review.challenge.status if review.challenge else "not_reviewed"
                    status = "accept" if now != "accept" else "challenge"
                    changed = writer.set_review([target], {"status": status})
                    what = "status"
                else:
                    changed = writer.add_note([target], f"note {n} by {name}")
                    what = "note"
                results.append({"ok": True, "op": changed.op_id, "target": rid, "what": what,
                                "empty": changed.empty, "ms": (time.perf_counter() - start) * 1e3})
            except ReviewConflict as exc:
                results.append({"ok": False, "conflict": True, "target": rid, "seen": seen,
                                "by": exc.reviewer, "ms": (time.perf_counter() - start) * 1e3})
            except Exception as exc:  # what a reviewer would see as an error
                results.append({"ok": False, "conflict": False, "target": rid,
                                "error": f"{type(exc).__name__}: {exc}"})
    out.write_text(json.dumps({"reviewer": name, "results": results}))


def verify(location: str, outs: list[dict]) -> dict:
    """Check the matter against what every reviewer was told."""
    from app.matter.store import Matter

    with Matter.open(location) as m:
        ops = {r[0] for r in m.conn.execute("SELECT DISTINCT op_id FROM audit_log")}
        acked = [r for o in outs for r in o["results"] if r["ok"] and not r["empty"]]
        lost = [r for r in acked if r["op"] not in ops]
        errors = [r for o in outs for r in o["results"] if not r["ok"] and not r["conflict"]]
        conflicts = [(o["reviewer"], r) for o in outs for r in o["results"] if r.get("conflict")]
        unexplained = 0
        for who, r in conflicts:
            other = m.scalar("SELECT count(*) FROM audit_log WHERE target_kind = 'redaction' "
                             "AND target_id = ? AND id > ? AND reviewer <> ?",
                             (r["target"], r["seen"], who))
            unexplained += not other
        # each toggled redaction's codes equal its last audited value
        wrong = 0
        for rid, after in m.conn.execute(
                "SELECT a.target_id, a.after FROM audit_log a WHERE a.entity = 'redactions' "
                "AND a.id = (SELECT max(b.id) FROM audit_log b WHERE b.entity = 'redactions' "
                "AND b.entity_id = a.entity_id)"):
            now = m.scalar("SELECT exemptions_reviewed FROM redactions WHERE id = ?", (rid,))
            wrong += json.loads(after)["exemptions_reviewed"] != now
    ms = [r["ms"] for o in outs for r in o["results"] if "ms" in r]
    return {"changes": len(acked), "lost": len(lost), "errors": len(errors),
            "error_samples": [e["error"] for e in errors[:3]], "conflicts": len(conflicts),
            "unexplained_conflicts": unexplained, "wrong_final_state": wrong,
            "p50_ms": round(median(ms), 2), "p95_ms": round(p95(ms), 2),
            "max_ms": round(max(ms), 2)}


def run(location: str, reviewers: int, changes: int, seed: int) -> dict:
    """All reviewers at once, as processes; then the check."""
    tmp = Path(tempfile.mkdtemp(prefix="vaughn-team-"))
    procs = []
    start = time.perf_counter()
    for i in range(reviewers):
        out = tmp / f"r{i}.json"
        procs.append((out, subprocess.Popen(
            [sys.executable, __file__, "--worker", str(i), "--reviewers", str(reviewers),
             "--changes", str(changes), "--seed", str(seed), "--location", location,
             "--out", str(out)], cwd=ROOT)))
    for _, p in procs:
        p.wait()
    wall = time.perf_counter() - start
    outs = [json.loads(out.read_text()) for out, p in procs if out.exists()]
    result = verify(location, outs)
    result["reviewers_finished"] = len(outs)
    result["wall_s"] = round(wall, 1)
    shutil.rmtree(tmp, ignore_errors=True)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reviewers", type=int, default=5)
    ap.add_argument("--changes", type=int, default=1000)
    ap.add_argument("--backend", choices=["both", "server", "file"], default="both")
    ap.add_argument("--template", type=Path, help="a matter file to start from")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--location", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker is not None:
        worker(args.location, args.worker, args.reviewers, args.changes, args.out, args.seed)
        return 0
    from app.matter.store import Matter
    from app.matter.transfer import copy_matter

    work = Path(tempfile.mkdtemp(prefix="vaughn-team-m-"))
    template = args.template
    if template is None:
        from app.ingest.pipeline import ingest

        prod = make_production("team-pdf", "--docs", "30", "--seed", "4", "--layout", "pdf")
        template = DATA / "team.vaughn"
        if not template.exists():
            with Matter.open(template, create=True) as m:
                ingest(m, [prod])
    figures: dict[str, dict] = {}
    if args.backend in ("both", "file"):
        path = work / "team.vaughn"
        shutil.copy(template, path)
        figures["file"] = run(str(path), args.reviewers, args.changes, args.seed)
        print("file  ", json.dumps(figures["file"]), flush=True)
    if args.backend in ("both", "server"):
        from pg_harness import LocalServer, available

        reason = available()
        if reason:
            print(f"server: skipped ({reason})")
        else:
            server = LocalServer()
            server.start()
            try:
                url = server.new_database("team")
                with Matter.open(template) as src, Matter.open(url, create=True) as dst:
                    copy_matter(src, dst)
                figures["server"] = run(url, args.reviewers, args.changes, args.seed)
                print("server", json.dumps(figures["server"]), flush=True)
            finally:
                server.close()
    shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    bad = any(f["lost"] or f["errors"] or f["unexplained_conflicts"] or f["wrong_final_state"]
              for f in figures.values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
