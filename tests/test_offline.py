"""Batches, and a batch checked out, reviewed offline and checked back in (issue #20), on a
real PostgreSQL server while another reviewer goes on changing the server copy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pg_harness import load_matter

from app.errors import MatterReadOnly, ReviewError
from app.matter.store import Matter
from app.review import batches, ops
from app.review.offline import checkin, checkout
from app.session import Session

LEAD, ANN, BOB = "Lee Lead", "Ann", "Bob"


@pytest.fixture
def shared(pdf_matter_template, tmp_path, server_url) -> Matter:
    m = Matter.open(load_matter(server_url, pdf_matter_template))
    yield m
    m.close()


def _ids(m: Matter, sql: str) -> list[int]:
    return [r[0] for r in m.conn.execute(sql)]


def test_batches_queue_and_progress(shared) -> None:
    pages = _ids(shared, "SELECT DISTINCT page_id FROM redactions ORDER BY page_id")
    with Session.open(shared.url) as s:
        bates = [r[0] for r in s.matter.conn.execute(
            "SELECT bates FROM pages WHERE id IN (?, ?) ORDER BY id", (pages[0], pages[2]))]
        s.batches.assign_range(LEAD, "first pages", ANN, bates[0], bates[1])
        doc = s.matter.scalar("SELECT begbates FROM documents ORDER BY id DESC LIMIT 1")
        s.batches.assign_documents(LEAD, "last record", BOB, [doc])
        progress = {b.name: b for b in s.batches.progress()}
        assert progress["first pages"].reviewer == ANN and progress["first pages"].done == 0
        first = s.batches.next_in_queue(ANN)
        assert first == pages[0]
        # Ann reviews every redaction of her first page: the queue moves on, progress counts
        reds = _ids(s.matter, f"SELECT id FROM redactions WHERE page_id = {first}")
        s.writer(ANN).set_review([("redaction", r) for r in reds], {"status": "accept"})
        assert s.batches.next_in_queue(ANN) != first
        assert {b.name: b for b in s.batches.progress()}["first pages"].done == 1
        assert s.batches.by_reviewer()[ANN][1] == 1
    with pytest.raises(ReviewError, match="no pages"):
        batches.assign(shared, LEAD, "empty", ANN, [])


def test_only_a_lead_may_assign_on_the_server(pg_server, shared) -> None:
    db = shared.url.rsplit("/", 1)[1]
    pg_server.admin("DROP ROLE IF EXISTS rev2")
    pg_server.admin("CREATE ROLE rev2 LOGIN PASSWORD 'pw-rev2' IN ROLE vaughn_reviewer")
    pg_server.admin(f"GRANT CONNECT ON DATABASE {db} TO rev2")
    with Matter.open(pg_server.url("rev2", "pw-rev2", db)) as reviewer:
        page = reviewer.scalar("SELECT min(id) FROM pages")
        with pytest.raises(MatterReadOnly):
            batches.assign(reviewer, "rev2", "mine", "rev2", [page])
        assert batches.progress(reviewer) == []


def test_checkout_offline_changes_and_checkin_while_the_server_changed(shared, tmp_path) -> None:
    reds = _ids(shared, "SELECT id FROM redactions ORDER BY id LIMIT 6")
    pages = _ids(shared, "SELECT id FROM pages ORDER BY id LIMIT 3")
    batches.assign(shared, LEAD, "Ann's", ANN, pages)
    local = checkout(shared, tmp_path / "plane.vaughn", ANN, batch="Ann's")
    assert batches.progress(shared)[0].checked_out_to == ANN
    # on the plane
    a = ops.set_redaction_exemptions(local, ANN, [reds[0]], ["b6"])
    ops.add_note(local, ANN, [("page", pages[0])], "ask about the memo")
    ops.add_tag(local, ANN, "offline find", [("redaction", reds[1])])
    d = ops.set_redaction_exemptions(local, ANN, [reds[2]], ["b5"])
    # meanwhile, on the server
    ops.set_redaction_exemptions(shared, BOB, [reds[2]], ["b7c"])  # the same redaction as d
    ops.add_note(shared, BOB, [("page", pages[1])], "Bob's note")  # takes the next note id
    ops.add_tag(shared, BOB, "hot", [("redaction", reds[3])])

    report = checkin(local, shared)
    assert report.sent == 3 and len(report.conflicts) == 1
    conflict = report.conflicts[0]
    assert conflict.op_id == d.op_id and conflict.target == ("redaction", reds[2])
    assert conflict.theirs_by == BOB and conflict.mine["exemptions_reviewed"] == '["(b)(5)"]'

    def codes(rid: int) -> str | None:
        return shared.scalar("SELECT exemptions_reviewed FROM redactions WHERE id = ?", (rid,))

    assert codes(reds[0]) == '["(b)(6)"]'  # Ann's, sent
    assert codes(reds[2]) == '["(b)(7)(C)"]'  # Bob's, not overwritten
    notes = {r[0]: r[1] for r in shared.conn.execute("SELECT text, reviewer FROM notes")}
    assert notes == {"ask about the memo": ANN, "Bob's note": BOB}  # both, no id clash
    tagged = shared.query("SELECT t.name, l.target_id FROM tag_links l JOIN tags t "
                          "ON t.id = l.tag_id ORDER BY t.name")
    assert [(r["name"], r["target_id"]) for r in tagged] == [("hot", reds[3]),
                                                             ("offline find", reds[1])]
    assert shared.scalar("SELECT count(*) FROM audit_log WHERE reviewer = ? AND action LIKE "
                         "'checkin %'", (ANN,)) >= 3
    assert batches.progress(shared)[0].checked_out_to == ANN  # a conflict is still open

    again = checkin(local, shared)  # resuming sends nothing twice
    assert again.sent == 0 and len(again.conflicts) == 1
    done = checkin(local, shared, resolve={d.op_id: "mine"})
    assert done.sent == 1 and done.complete
    assert codes(reds[2]) == '["(b)(5)"]'
    assert batches.progress(shared)[0].checked_out_to is None
    assert a.op_id in json.dumps(local.get_setting("checkout"))
    local.close()


def test_keeping_theirs_leaves_the_change_in_the_file(shared, tmp_path) -> None:
    rid = _ids(shared, "SELECT id FROM redactions ORDER BY id LIMIT 1")[0]
    local = checkout(shared, tmp_path / "c.vaughn", ANN)
    d = ops.set_redaction_exemptions(local, ANN, [rid], ["b5"])
    ops.set_redaction_exemptions(shared, BOB, [rid], ["b7c"])
    report = checkin(local, shared, resolve={d.op_id: "theirs"})
    assert report.complete and report.kept_theirs == 1 and report.sent == 0
    assert shared.scalar("SELECT exemptions_reviewed FROM redactions WHERE id = ?",
                         (rid,)) == '["(b)(7)(C)"]'
    assert local.scalar("SELECT exemptions_reviewed FROM redactions WHERE id = ?",
                        (rid,)) == '["(b)(5)"]'  # nothing lost
    local.close()


def test_checkin_needs_a_checked_out_copy(shared, tmp_path, pdf_matter_template) -> None:
    path = tmp_path / "plain.vaughn"
    shutil.copy(pdf_matter_template, path)
    with Matter.open(path) as plain, pytest.raises(ReviewError, match="not a checked-out"):
        checkin(plain, shared)
    with pytest.raises(ReviewError, match="already exists"):
        checkout(shared, path, ANN)


def test_cli_batch_checkout_checkin(shared, tmp_path) -> None:
    root = Path(__file__).resolve().parent.parent

    def vaughn(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(root / "main.py"), *args], cwd=root,
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "VAUGHN_REVIEWER": LEAD})

    first, last = [r[0] for r in shared.conn.execute(
        "SELECT bates FROM pages ORDER BY id LIMIT 4")][::3]
    done = vaughn("batch", shared.url, "--assign", "B1", "--to", ANN, "--range",
                  f"{first}..{last}")
    assert done.returncode == 0, done.stderr
    assert "B1" in done.stdout and "0/4" in done.stdout
    nxt = vaughn("batch", shared.url, "--next", ANN)
    assert nxt.returncode == 0 and nxt.stdout.strip()
    plane = tmp_path / "cli-plane.vaughn"
    out = vaughn("checkout", shared.url, str(plane), "--reviewer", ANN, "--batch", "B1")
    assert out.returncode == 0, out.stderr
    assert "checked out by Ann" in vaughn("batch", shared.url).stdout
    rid = shared.scalar("SELECT min(id) FROM redactions")
    with Matter.open(plane) as local:
        ops.set_redaction_exemptions(local, ANN, [rid], ["b5"])
    ops.set_redaction_exemptions(shared, BOB, [rid], ["b6"])
    back = vaughn("checkin", str(plane), shared.url)
    assert back.returncode == 1 and "conflict" in back.stdout and BOB in back.stdout
    back = vaughn("checkin", str(plane), shared.url, "--mine", "all")
    assert back.returncode == 0, back.stdout + back.stderr
    assert shared.scalar("SELECT exemptions_reviewed FROM redactions WHERE id = ?",
                         (rid,)) == '["(b)(5)"]'
    assert "admin-test-only" not in back.stdout + back.stderr
