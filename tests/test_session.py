"""The session API (app.session): what the window can do to a matter, without the window.

A real matter file (the PDF production ingested once, copied per test), read back with a
separate sqlite3 connection.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.errors import MatterError
from app.session import PageId, RedactionId, Session


@pytest.fixture
def matter_path(pdf_matter_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "m.vaughn"
    shutil.copy(pdf_matter_template, path)
    return path


def _db(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


def test_exclusive_session_makes_a_second_one_read_only(matter_path: Path) -> None:
    with Session.open(matter_path, exclusive=True) as first:
        assert not first.read_only and not first.locked
        with Session.open(matter_path, exclusive=True) as second:
            assert second.read_only and second.locked
        # a read-only session still reads
        assert first.pages.first() is not None
    with Session.open(matter_path, exclusive=True) as again:  # the lock went with the first
        assert not again.read_only


def test_open_of_a_missing_matter_says_so(tmp_path: Path) -> None:
    with pytest.raises(MatterError, match="no such matter file"):
        Session.open(tmp_path / "none.vaughn", exclusive=True)
    assert not (tmp_path / "none.vaughn").exists()


def test_a_change_returns_what_it_touched_and_undo_puts_it_back(matter_path: Path) -> None:
    with Session.open(matter_path, exclusive=True) as s:
        page = next(r for r in s.pages.rows() if r.redactions)
        view = s.pages.page(PageId(page.page_id))
        rid = RedactionId(view.redactions[0].id)
        changes = s.writer("Paralegal A", "op-1").set_review(
            [("redaction", rid)], {"status": "challenge", "grounds": ["segregability"]})
        assert changes.redactions == {rid} and "challenges" in changes.kinds
        assert changes.op_id == "op-1"
        # the page's redaction reads as challenged, and so does the tree row
        again = s.pages.page(PageId(page.page_id))
        assert next(r for r in again.redactions if r.id == rid).status == "challenge"
        (row,) = s.pages.changed_rows(changes)
        assert row.page_id == page.page_id and row.challenged == 1
        row_db = _db(matter_path).execute(
            "SELECT status, grounds, reviewer FROM challenges WHERE target_id = ?",
            (rid,)).fetchone()
        assert tuple(row_db) == ("challenge", '["segregability"]', "Paralegal A")
        undone = s.undo("Paralegal A", "op-1")
        assert undone.redactions == {rid}
        assert _db(matter_path).execute("SELECT count(*) FROM challenges").fetchone()[0] == 0
        assert s.redo("Paralegal A", "op-1").redactions == {rid}
        assert s.pages.filter("challenged") == [page.page_id]


def test_a_read_only_session_refuses_changes_and_keeps_no_history(matter_path: Path) -> None:
    with Session.open(matter_path, read_only=True) as s:
        results, terms = s.search.run("review", limit=5)
        assert results.total >= 1 and terms == ["review"]
        first = s.pages.first()
        assert first is not None
        with pytest.raises(MatterError):
            s.writer("Paralegal A", "op-2").add_tag("hot", [("page", first)])
    conn = _db(matter_path)
    assert conn.execute("SELECT count(*) FROM search_history").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM tags WHERE name = 'hot'").fetchone()[0] == 0


def test_search_facet_remembers_saves_and_finds_bates(matter_path: Path) -> None:
    with Session.open(matter_path) as s:
        results, _ = s.search.run("review")
        assert results.total >= 1
        assert s.search.history() == ["review"]
        assert s.search.count("review") == results.total
        saved = s.search.save("reviews", "review")
        assert [x.name for x in s.search.saved()] == ["reviews"] and saved.query == "review"
        assert s.search.delete_saved("reviews") and s.search.saved() == []
        first = s.pages.first()
        assert first is not None
        bates = s.pages.page(first).bates
        assert s.pages.find_bates(bates) == [first]
        assert s.pages.find_bates("not a bates number !!") == []


def test_importing_the_session_package_is_light() -> None:
    """The window imports app.session at start-up: its names load on first use."""
    code = ("import sys, app.session as s; heavy = [m for m in ('pymupdf', 'numpy', "
            "'app.review.state') if m in sys.modules]; s.vocab; s.PageId; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
