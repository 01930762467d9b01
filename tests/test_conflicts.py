"""Two reviewers on one matter: no silent overwrite, undo only your own (issue #20).

Each test runs on a matter file opened twice and on a matter on a real PostgreSQL server
opened twice: two reviewers' windows, the same code path.
"""

from __future__ import annotations

import shutil

import pytest
from pg_harness import load_matter

from app.errors import ReviewConflict
from app.review import state
from app.session import Session

ANN, BOB = "Ann", "Bob"


@pytest.fixture(params=["file", "server"])
def location(request, pdf_matter_template, tmp_path) -> str:
    if request.param == "file":
        path = tmp_path / "team.vaughn"
        shutil.copy(pdf_matter_template, path)
        return str(path)
    return load_matter(request.getfixturevalue("server_url"), pdf_matter_template)


@pytest.fixture
def two(location):
    """Ann's and Bob's sessions on one matter."""
    a, b = Session.open(location), Session.open(location)
    yield a, b
    a.close()
    b.close()


def _first_redaction(s: Session) -> tuple[int, int]:
    page = s.pages.filter("bad")[0] if s.pages.filter("bad") else s.pages.first()
    assert page is not None
    view = s.pages.page(page)
    return int(page), view.redactions[0].id


def test_the_second_writer_is_told_and_sees_the_others_values(two) -> None:
    ann, bob = two
    page, rid = _first_redaction(ann)
    seen_ann = ann.pages.page(page).redactions[0].version
    seen_bob = bob.pages.page(page).redactions[0].version
    assert seen_ann == seen_bob
    bob.writer(BOB, expect={("redaction", rid): seen_bob}).set_exemptions([rid], ["b5"])
    with pytest.raises(ReviewConflict) as err:
        ann.writer(ANN, expect={("redaction", rid): seen_ann}).set_exemptions([rid], ["b6"])
    assert err.value.reviewer == BOB and err.value.target == ("redaction", rid)
    assert err.value.after["exemptions_reviewed"] == '["(b)(5)"]'
    assert "Bob changed this redaction" in str(err.value)
    # nothing of Ann's was written; she chooses to write over it, knowing the new version
    assert ann.pages.page(page).redactions[0].exemptions == ("(b)(5)",)
    ann.writer(ANN, expect={("redaction", rid): err.value.version}).set_exemptions([rid], ["b6"])
    assert bob.pages.page(page).redactions[0].exemptions == ("(b)(6)",)


def test_changes_to_other_targets_and_ones_own_are_no_conflict(two) -> None:
    ann, bob = two
    page, rid = _first_redaction(ann)
    view = ann.pages.page(page)
    other = view.redactions[1].id
    seen = {("redaction", r.id): r.version for r in view.redactions}
    bob.writer(BOB).set_exemptions([other], ["b5"])  # a different redaction
    ann.writer(ANN).set_exemptions([rid], ["b7c"])  # Ann herself, in another window
    ann.writer(ANN, expect=seen).set_exemptions([rid], ["b6"])
    assert ann.pages.page(page).redactions[0].exemptions == ("(b)(6)",)


def test_a_challenge_and_tags_count_as_the_targets_review(two) -> None:
    ann, bob = two
    _page, rid = _first_redaction(ann)
    seen = ann.pages.review(("redaction", rid)).version
    bob.writer(BOB).set_review([("redaction", rid)], {"status": "accept"})
    with pytest.raises(ReviewConflict):
        ann.writer(ANN, expect={("redaction", rid): seen}).set_review(
            [("redaction", rid)], {"status": "challenge", "grounds": ["segregability"]})
    review = ann.pages.review(("redaction", rid))
    assert review.challenge is not None and review.challenge.status == "accept"
    assert review.version > seen


def test_undo_undoes_only_your_own_changes(two) -> None:
    ann, bob = two
    page, rid = _first_redaction(ann)
    mine = ann.writer(ANN).set_exemptions([rid], ["b6"])
    bob.writer(BOB).set_exemptions([rid], ["b5"])
    with pytest.raises(ReviewConflict, match="Bob changed"):
        ann.undo(ANN, mine.op_id)
    assert ann.pages.page(page).redactions[0].exemptions == ("(b)(5)",)  # Bob's stays
    ann.undo(ANN, mine.op_id, force=True)  # she chose to
    assert not ann.pages.page(page).redactions[0].reviewed


def test_undo_with_no_one_else_in_between_still_works(two) -> None:
    ann, bob = two
    page, rid = _first_redaction(ann)
    bob.writer(BOB).set_exemptions([rid], ["b5"])  # before Ann's op: not in the way
    mine = ann.writer(ANN).set_exemptions([rid], ["b6"])
    ann.undo(ANN, mine.op_id)
    assert ann.pages.page(page).redactions[0].exemptions == ("(b)(5)",)


def test_versions_come_with_what_the_window_reads(two) -> None:
    ann, _bob = two
    page, rid = _first_redaction(ann)
    before = ann.pages.page(page)
    ann.writer(ANN).set_disposition([page], "withheld in full")
    after = ann.pages.page(page)
    assert after.version > before.version
    assert after.redactions[0].version == before.redactions[0].version
    assert state.review(ann.matter, "page", page).version == after.version


def test_a_change_one_reviewer_makes_reaches_the_others_window(two) -> None:
    """What the window's watch timer reads (Session.others_changes): Bob's change, not Ann's
    own, with the targets it touched; on a server woken by NOTIFY."""
    import time

    ann, bob = two
    page, rid = _first_redaction(ann)
    assert ann.others_changes().empty  # the first call starts watching
    ann.writer(ANN, op_id="ann-own-op").set_exemptions([rid], ["b6"])
    assert ann.others_changes().empty  # her own op is not news to her
    bob.writer(BOB).add_tag("hot", [("page", page)])
    deadline = time.monotonic() + 2
    seen = ann.others_changes()
    while seen.empty and time.monotonic() < deadline:
        time.sleep(0.05)
        seen = ann.others_changes()
    assert page in seen.pages and "tags" in seen.kinds
    assert rid not in seen.redactions
    assert ann.others_changes().empty  # told once
