"""Review operations on real matters: one transaction each, audited, undoable, Changes right."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import vocabulary as vocab
from app.errors import MatterReadOnly, VaughnError
from app.matter.store import Matter
from app.review import ops, state

R = "Pat Reviewer"


@pytest.fixture
def template(pdf_matter_template) -> Path:
    return pdf_matter_template


@pytest.fixture
def rm(template, tmp_path) -> Matter:
    path = tmp_path / "m.vaughn"
    shutil.copy(template, path)
    m = Matter.open(path)
    yield m
    m.close()


def fresh(m: Matter) -> sqlite3.Connection:
    """A new connection to the matter file: what is committed, not what one connection sees."""
    conn = sqlite3.connect(m.path)
    conn.row_factory = sqlite3.Row
    return conn


def some_redactions(m: Matter, n: int = 3) -> list[int]:
    return [r[0] for r in m.conn.execute("SELECT id FROM redactions ORDER BY id LIMIT ?", (n,))]


# -- vocabulary ----------------------------------------------------------------------------------


def test_vocab_orders_and_resolves() -> None:
    assert vocab.EXEMPTION_CODES[:9] == ("(b)(1)", "(b)(2)", "(b)(3)", "(b)(4)", "(b)(5)",
                                        "(b)(6)", "(b)(7)(A)", "(b)(7)(B)", "(b)(7)(C)")
    assert len(vocab.EXEMPTIONS) == 14 and len(vocab.GROUNDS) == 13
    assert vocab.resolve("exemption", "b7c") == "(b)(7)(C)"
    assert vocab.resolve("exemption", "Ex. 7(E)") == "(b)(7)(E)"
    assert vocab.resolve("exemption", "(b) (6)") == "(b)(6)"
    assert vocab.resolve("ground", "segreg") == "segregability"
    assert vocab.resolve("ground", "Glomar not justified") == "glomar"
    assert vocab.resolve("status", "CHAL") == "challenge"
    assert vocab.resolve("disposition", "withheld") == "withheld_in_full"
    assert vocab.exemption_code("(j)(2)") == "(j)(2)"
    assert vocab.exemption_code("b6") == "(b)(6)"


@pytest.mark.parametrize("kind,text", [("exemption", "b7"), ("disposition", "released"),
                                       ("ground", "zzz"), ("status", "")])
def test_vocab_rejects_ambiguous_or_unknown_listing_choices(kind: str, text: str) -> None:
    with pytest.raises(vocab.VocabError) as info:
        vocab.resolve(kind, text)
    assert isinstance(info.value, VaughnError)
    assert "choose one of" in str(info.value)
    for key in vocab.keys(kind)[:2]:
        assert key in str(info.value)


@given(st.sampled_from(["exemption", "ground", "status", "disposition", "priority"]),
       st.data())
def test_vocab_every_key_and_label_resolves_to_itself(kind: str, data) -> None:
    item = data.draw(st.sampled_from(vocab.VOCABULARIES[kind]))
    assert vocab.resolve(kind, item.key) == item.key
    assert vocab.resolve(kind, item.label.upper()) == item.key


# -- claims --------------------------------------------------------------------------------------


def test_set_exemptions_keeps_the_stamp_and_audits(rm: Matter) -> None:
    rid = some_redactions(rm, 1)[0]
    stamped = rm.scalar("SELECT exemptions FROM redactions WHERE id = ?", (rid,))
    ch = ops.set_redaction_exemptions(rm, R, [rid], ["b5", "(j)(2)", "(b)(5)"])
    assert ch.redactions == {rid} and ch.kinds == {"claims"} and ch.op_id
    with fresh(rm) as c:
        row = c.execute("SELECT exemptions, exemptions_reviewed FROM redactions WHERE id = ?",
                        (rid,)).fetchone()
        assert row["exemptions"] == stamped
        assert json.loads(row["exemptions_reviewed"]) == ["(b)(5)", "(j)(2)"]
        audit = c.execute("SELECT * FROM audit_log WHERE op_id = ?", (ch.op_id,)).fetchall()
    assert len(audit) == 1
    assert audit[0]["reviewer"] == R and audit[0]["action"] == "set_exemptions"
    assert (audit[0]["target_kind"], audit[0]["target_id"]) == ("redaction", rid)
    assert json.loads(audit[0]["before"]) == {"exemptions_reviewed": None}
    assert audit[0]["at"]
    view = state.page_view(rm, rm.scalar("SELECT page_id FROM redactions WHERE id=?", (rid,)))
    red = next(r for r in view.redactions if r.id == rid)
    assert red.exemptions == ("(b)(5)", "(j)(2)") and red.reviewed
    assert "(j)(2)" in state.custom_codes(rm)


def test_toggle_exemption_bulk_is_one_step(rm: Matter) -> None:
    ids = some_redactions(rm, 4)
    ch = ops.toggle_redaction_exemption(rm, R, ids, "b1")
    assert ch.redactions == set(ids)
    with fresh(rm) as c:
        for (value,) in c.execute("SELECT exemptions_reviewed FROM redactions WHERE id IN "
                                  f"({','.join('?' * len(ids))})", ids):
            assert "(b)(1)" in json.loads(value)
    ops.toggle_redaction_exemption(rm, R, ids, "(b)(1)")  # all have it: removed from all
    for rid in ids:
        assert "(b)(1)" not in json.loads(
            rm.scalar("SELECT exemptions_reviewed FROM redactions WHERE id=?", (rid,)))
    ops.undo(rm, R, ch.op_id)
    assert rm.scalar(f"SELECT count(*) FROM redactions WHERE exemptions_reviewed IS NULL AND id "
                     f"IN ({','.join('?' * len(ids))})", ids) == len(ids)


def test_page_disposition_and_unknown_targets(rm: Matter) -> None:
    pid = rm.scalar("SELECT min(id) FROM pages")
    ch = ops.set_page_disposition(rm, R, [pid], "released in part")
    assert ch.pages == {pid}
    with fresh(rm) as c:
        assert c.execute("SELECT disposition FROM pages WHERE id=?", (pid,)).fetchone()[0] == \
            "released_in_part"
    with pytest.raises(ops.ReviewError, match="no such page"):
        ops.set_page_disposition(rm, R, [pid, 999_999], "duplicate")
    assert rm.scalar("SELECT disposition FROM pages WHERE id=?", (pid,)) == "released_in_part"
    with pytest.raises(ops.ReviewError, match="reviewer"):
        ops.set_page_disposition(rm, "  ", [pid], "duplicate")


# -- challenges ----------------------------------------------------------------------------------


def test_challenge_add_update_delete_undo_redo(rm: Matter) -> None:
    rid = some_redactions(rm, 1)[0]
    ch = ops.add_challenge(rm, R, [("redaction", rid)], grounds=["segreg", "Foreseeable harm"],
                           priority="high", argument="Facts are segregable.",
                           evidence_cite="Ex. 3 at 4", evidence_passage="the facts")
    (cid,) = ch.challenge_ids
    assert ch.kinds == {"challenges"} and ch.redactions == {rid}
    with fresh(rm) as c:
        row = c.execute("SELECT * FROM challenges WHERE id=?", (cid,)).fetchone()
    assert json.loads(row["grounds"]) == ["segregability", "foreseeable_harm"]
    assert row["status"] == "challenge" and row["priority"] == "high"
    assert row["argument"] == "Facts are segregable." and row["reviewer"] == R
    up = ops.update_challenge(rm, R, [cid], status="dropped", argument="weak")
    assert rm.scalar("SELECT status FROM challenges WHERE id=?", (cid,)) == "dropped"
    ops.undo(rm, R, up.op_id)
    with fresh(rm) as c:
        assert tuple(c.execute("SELECT status, argument FROM challenges WHERE id=?",
                               (cid,)).fetchone()) == ("challenge", "Facts are segregable.")
    ops.redo(rm, R, up.op_id)
    assert rm.scalar("SELECT status FROM challenges WHERE id=?", (cid,)) == "dropped"
    de = ops.delete_challenge(rm, R, [cid])
    assert rm.scalar("SELECT count(*) FROM challenges") == 0
    ops.undo(rm, R, de.op_id)
    assert rm.scalar("SELECT argument FROM challenges WHERE id=?", (cid,)) == "weak"
    ops.undo(rm, R, ch.op_id)
    assert rm.scalar("SELECT count(*) FROM challenges") == 0
    actions = [r[0] for r in rm.conn.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["add_challenge", "update_challenge", "undo update_challenge",
                       "redo update_challenge", "delete_challenge", "undo delete_challenge",
                       "undo add_challenge"]


def test_set_review_upserts_one_challenge_per_target(rm: Matter) -> None:
    ids = some_redactions(rm, 3)
    targets = [("redaction", i) for i in ids]
    ops.set_review(rm, R, targets, status="accept")
    ops.set_review(rm, R, targets[:1], grounds=["waiver"])
    assert rm.scalar("SELECT count(*) FROM challenges") == 3
    page = state.page_view(rm, rm.scalar("SELECT page_id FROM redactions WHERE id=?", (ids[0],)))
    assert next(r for r in page.redactions if r.id == ids[0]).status == "accept"
    rev = state.review(rm, "redaction", ids[0])
    assert rev.challenge.grounds == ("waiver",)
    assert rev.challenge.status == "accept"


def test_challenges_on_pages_and_documents_and_filters(rm: Matter) -> None:
    pid = rm.scalar("SELECT min(id) FROM pages")
    did = rm.scalar("SELECT document_id FROM pages WHERE id=?", (pid,))
    ch = ops.add_challenge(rm, R, [("page", pid), ("document", did)], grounds=["glomar"])
    assert ch.pages == {pid} and ch.documents == {did}
    assert pid in state.filter_pages(rm, "challenged")
    with pytest.raises(ops.ReviewError):
        ops.add_challenge(rm, R, [("volume", 1)])
    with pytest.raises(vocab.VocabError):
        ops.add_challenge(rm, R, [("page", pid)], grounds=["nonsense"])


# -- tags, exhibits, notes -----------------------------------------------------------------------


def test_bulk_tag_is_one_transaction_and_one_undo(rm: Matter) -> None:
    pages = [r[0] for r in rm.conn.execute("SELECT id FROM pages ORDER BY id LIMIT 5")]
    ch = ops.add_tag(rm, R, "Hot", [("page", p) for p in pages])
    assert ch.kinds == {"tags"} and ch.pages == set(pages) and len(ch.tag_ids) == 1
    with fresh(rm) as c:
        assert c.execute("SELECT name, color FROM tags").fetchall()[0][1] == "#d62728"
        assert c.execute("SELECT count(*) FROM tag_links").fetchone()[0] == 5
        assert c.execute("SELECT count(DISTINCT op_id) FROM audit_log").fetchone()[0] == 1
    again = ops.add_tag(rm, R, "hot", [("page", pages[0])])  # same tag, already there
    assert again.empty
    assert state.filter_pages(rm, "tag", "HOT") == pages
    ops.remove_tag(rm, R, "hot", [("page", pages[0])])
    assert rm.scalar("SELECT count(*) FROM tag_links") == 4
    ops.undo(rm, R, ch.op_id)
    assert rm.scalar("SELECT count(*) FROM tags") == 0
    ops.redo(rm, R, ch.op_id)
    assert rm.scalar("SELECT count(*) FROM tag_links") == 5
    ops.create_tag(rm, R, "Needs FOIA appeal", "#00aa00")
    assert ("Needs FOIA appeal", "#00aa00") in state.all_tags(rm)


def test_exhibit_and_notes(rm: Matter) -> None:
    did = rm.scalar("SELECT min(id) FROM documents")
    ch = ops.set_exhibit(rm, R, "PX-1", document_id=did, description="Email chain")
    assert ch.documents == {did} and ch.kinds == {"exhibits"}
    ops.set_exhibit(rm, R, "px-1", document_id=did, description="Email chain, 3 pages",
                    status="marked")
    with fresh(rm) as c:
        row = c.execute("SELECT number, description, status FROM exhibits").fetchone()
    assert tuple(row) == ("PX-1", "Email chain, 3 pages", "marked")
    assert state.review(rm, "document", did).exhibit.number == "PX-1"
    n = ops.add_note(rm, R, [("document", did)], "Ask about attachments")
    (nid,) = n.note_ids
    ops.update_note(rm, R, nid, "Ask about attachments (2)")
    assert state.review(rm, "document", did).notes[0].text.endswith("(2)")
    ops.delete_exhibit(rm, R, "PX-1")
    assert rm.scalar("SELECT count(*) FROM exhibits") == 0


def test_read_only_matter_refuses_writes(rm: Matter) -> None:
    path = rm.path
    rm.close()
    with Matter.open(path, read_only=True) as ro, pytest.raises(MatterReadOnly):
        ops.add_tag(ro, R, "hot", [("page", 1)])


# -- undo is exact (hypothesis) -----------------------------------------------------------------

_ACTIONS = st.lists(st.tuples(
    st.sampled_from(["codes", "toggle", "disp", "review", "tag", "untag", "note"]),
    st.integers(0, 4), st.integers(0, 5)), min_size=1, max_size=12)


def _snapshot(m: Matter) -> dict:
    out = {}
    for table in ("challenges", "tags", "tag_links", "exhibits", "notes"):
        out[table] = sorted(
            tuple(r) for r in m.conn.execute(
                f"SELECT * FROM {table}").fetchall())
    out["claims"] = m.conn.execute(
        "SELECT id, exemptions_reviewed FROM redactions ORDER BY id").fetchall()
    out["disp"] = m.conn.execute("SELECT id, disposition FROM pages ORDER BY id").fetchall()
    return out


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_ACTIONS)
def test_undoing_every_op_in_reverse_restores_the_matter(rm: Matter, actions) -> None:
    reds = some_redactions(rm, 5)
    pages = [r[0] for r in rm.conn.execute("SELECT id FROM pages ORDER BY id LIMIT 5")]
    start = _snapshot(rm)
    done = []
    for kind, i, j in actions:
        if kind == "codes":
            ch = ops.set_redaction_exemptions(rm, R, reds[:i + 1], vocab.EXEMPTION_CODES[j:j + 2])
        elif kind == "toggle":
            ch = ops.toggle_redaction_exemption(rm, R, reds[i:], vocab.EXEMPTION_CODES[j])
        elif kind == "disp":
            ch = ops.set_page_disposition(rm, R, pages[i:], vocab.keys("disposition")[j])
        elif kind == "review":
            ch = ops.set_review(rm, R, [("redaction", reds[i])],
                                status=vocab.keys("status")[j % 4], grounds=["waiver"] * (j % 2))
        elif kind == "tag":
            ch = ops.add_tag(rm, R, f"t{j % 2}", [("page", p) for p in pages[:i + 1]])
        elif kind == "untag":
            try:
                ch = ops.remove_tag(rm, R, f"t{j % 2}", [("page", pages[i])])
            except ops.ReviewError:
                continue
        else:
            ch = ops.add_note(rm, R, [("page", pages[i])], f"note {j}")
        if not ch.empty:
            done.append(ch.op_id)
    end = _snapshot(rm)
    for op in reversed(done):
        ops.undo(rm, R, op)
    assert _snapshot(rm) == start
    for op in done:
        ops.redo(rm, R, op)
    assert _snapshot(rm) == end
    # leave the matter as found for the next example
    for op in reversed(done):
        ops.undo(rm, R, op)
