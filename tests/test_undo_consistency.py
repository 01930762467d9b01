"""Undo is consistent: after any sequence of review actions, undos and redos, the matter equals
the state rebuilt by replaying its audit log over the matter as it was before any review.

A hypothesis state machine drives the real ``app.review.ops`` on a real matter file.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pymupdf
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from app.ingest.pipeline import ingest
from app.matter.store import Matter
from app.review import ops

_TEMPLATE: Path | None = None
REVIEW_TABLES = ("challenges", "tags", "tag_links", "exhibits", "notes")
GROUNDS = ["segregability", "public_interest", "foreseeable_harm", "waiver"]


def template() -> Path:
    """A small ingested matter with redactions and no review work (made once)."""
    global _TEMPLATE
    if _TEMPLATE is None:
        folder = Path(tempfile.mkdtemp(prefix="vaughn-undo-"))
        doc = pymupdf.open()
        for i in range(3):
            page = doc.new_page()
            page.insert_text((72, 100), f"Subject Maria Lopez interview {i}")
            box = pymupdf.Rect(120, 88, 200, 104)
            page.add_redact_annot(box, text="(b)(6)", fill=(0, 0, 0), text_color=(1, 1, 1),
                                  fontsize=6)
            page.apply_redactions()
            page.insert_text((400, 770), f"UNDO-{i + 1:06d}")
        doc.save(folder / "p.pdf")
        _TEMPLATE = folder / "template.vaughn"
        with Matter.open(_TEMPLATE, create=True) as m:
            ingest(m, [folder / "p.pdf"])
            assert m.scalar("SELECT count(*) FROM redactions") >= 3
    return _TEMPLATE


def replay(audit: list[tuple], base: Path, out: Path) -> sqlite3.Connection:
    """Apply audit rows (in order) to a copy of the pre-review matter."""
    shutil.copy(base, out)
    conn = sqlite3.connect(out)
    for entity, eid, before_j, after_j in audit:
        after = None if after_j is None else json.loads(after_j)
        before = None if before_j is None else json.loads(before_j)
        if after is None:
            conn.execute(f"DELETE FROM {entity} WHERE id = ?", (eid,))
        elif before is None:
            conn.execute(f"INSERT OR REPLACE INTO {entity}({', '.join(after)}) "
                         f"VALUES ({','.join('?' * len(after))})", list(after.values()))
        else:
            sets = ", ".join(f"{k} = ?" for k in after)
            conn.execute(f"UPDATE {entity} SET {sets} WHERE id = ?", [*after.values(), eid])
    conn.commit()
    return conn


def review_state(conn: sqlite3.Connection) -> dict[str, list]:
    state = {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in REVIEW_TABLES}
    state["claims"] = conn.execute(
        "SELECT id, exemptions_reviewed FROM redactions ORDER BY id").fetchall()
    state["dispositions"] = conn.execute("SELECT id, disposition FROM pages ORDER BY id").fetchall()
    return state


class ReviewMachine(RuleBasedStateMachine):
    """Random review work, undone and redone at random."""

    @initialize()
    def open_matter(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="vaughn-sm-"))
        shutil.copy(template(), self.dir / "live.vaughn")
        self.matter = Matter.open(self.dir / "live.vaughn")
        self.redactions = [r[0] for r in self.matter.conn.execute("SELECT id FROM redactions")]
        self.pages = [r[0] for r in self.matter.conn.execute("SELECT id FROM pages")]
        self.done: list[str] = []
        self.undone: list[str] = []
        self.before: dict[str, dict] = {}  # op -> review state just before it ran
        self.last_state = review_state(self.matter.conn)

    def _did(self, changes: ops.Changes) -> None:
        if not changes.empty:
            self.before[changes.op_id] = self.last_state
            self.done.append(changes.op_id)
            self.undone.clear()
        self.last_state = review_state(self.matter.conn)

    @rule(data=st.data(), codes=st.lists(st.sampled_from(["(b)(5)", "(b)(6)", "(b)(7)(C)"]),
                                         max_size=2))
    def set_codes(self, data: st.DataObject, codes: list[str]) -> None:
        rid = data.draw(st.sampled_from(self.redactions))
        self._did(ops.set_redaction_exemptions(self.matter, "r", [rid], codes or None))

    @rule(data=st.data(), code=st.sampled_from(["(b)(6)", "(b)(7)(E)"]))
    def toggle_code(self, data: st.DataObject, code: str) -> None:
        rids = data.draw(st.lists(st.sampled_from(self.redactions), min_size=1, max_size=3))
        self._did(ops.toggle_redaction_exemption(self.matter, "r", rids, code))

    @rule(data=st.data(), disposition=st.sampled_from(
        [None, "released in part", "withheld in full", "duplicate"]))
    def dispose(self, data: st.DataObject, disposition: str | None) -> None:
        pids = data.draw(st.lists(st.sampled_from(self.pages), min_size=1, max_size=3))
        self._did(ops.set_page_disposition(self.matter, "r", pids, disposition))

    @rule(data=st.data(), ground=st.sampled_from(GROUNDS), argument=st.text(max_size=12))
    def challenge(self, data: st.DataObject, ground: str, argument: str) -> None:
        kind, ids = data.draw(st.sampled_from([("redaction", self.redactions),
                                               ("page", self.pages)]))
        target = (kind, data.draw(st.sampled_from(ids)))
        self._did(ops.set_review(self.matter, "r", [target], grounds=[ground],
                                 argument=argument, status="challenge"))

    @rule(data=st.data())
    def drop_challenge(self, data: st.DataObject) -> None:
        ids = [r[0] for r in self.matter.conn.execute("SELECT id FROM challenges")]
        if ids:
            self._did(ops.delete_challenge(self.matter, "r", [data.draw(st.sampled_from(ids))]))

    @rule(data=st.data(), name=st.sampled_from(["hot", "exhibit candidate", "follow up"]),
          add=st.booleans())
    def tag(self, data: st.DataObject, name: str, add: bool) -> None:
        pids = data.draw(st.lists(st.sampled_from(self.pages), min_size=1, max_size=3))
        targets = [("page", p) for p in pids]
        exists = self.matter.scalar("SELECT count(*) FROM tags WHERE name = ?", (name,))
        if add:
            self._did(ops.add_tag(self.matter, "r", name, targets))
        elif exists:
            self._did(ops.remove_tag(self.matter, "r", name, targets))

    @rule(data=st.data(), number=st.sampled_from(["1", "2", "10"]), text=st.text(max_size=8))
    def exhibit(self, data: st.DataObject, number: str, text: str) -> None:
        pid = data.draw(st.sampled_from(self.pages))
        self._did(ops.set_exhibit(self.matter, "r", number, first_page_id=pid, last_page_id=pid,
                                  description=text))

    @rule(data=st.data(), text=st.text(min_size=1, max_size=10).filter(str.strip))
    def note(self, data: st.DataObject, text: str) -> None:
        pid = data.draw(st.sampled_from(self.pages))
        self._did(ops.add_note(self.matter, "r", [("page", pid)], text))

    @precondition(lambda self: self.done)
    @rule()
    def undo(self) -> None:
        op = self.done.pop()
        ops.undo(self.matter, "r", op)
        self.last_state = review_state(self.matter.conn)
        assert self.last_state == self.before[op]  # exactly as it was before the op
        self.undone.append(op)

    @precondition(lambda self: self.undone)
    @rule()
    def redo(self) -> None:
        op = self.undone.pop()
        ops.redo(self.matter, "r", op)
        self.last_state = review_state(self.matter.conn)
        self.done.append(op)

    @invariant()
    def matter_equals_its_audit_log_replayed(self) -> None:
        if not hasattr(self, "matter"):
            return
        audit = self.matter.conn.execute(
            "SELECT entity, entity_id, before, after FROM audit_log ORDER BY id").fetchall()
        replayed = replay(audit, template(), self.dir / "replayed.vaughn")
        try:
            assert review_state(replayed) == review_state(self.matter.conn)
        finally:
            replayed.close()

    def teardown(self) -> None:
        if hasattr(self, "matter"):
            self.matter.close()
            shutil.rmtree(self.dir, ignore_errors=True)


TestUndoConsistency = ReviewMachine.TestCase
TestUndoConsistency.settings = settings(max_examples=40, stateful_step_count=15, deadline=None)
