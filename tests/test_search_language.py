"""The search language, operator by operator, against hand-checked page sets.

The production is built here: fourteen short pages whose every expected hit was worked out by
hand (see PAGES), two tranches, three pages that stand for OCR'd scans (their text garbled the
way OCR garbles it, text_source 'ocr'), redactions with stamped and reviewer-corrected codes,
and review data (challenges, tags, an exhibit, notes, a disposition) made through the review
core. Each row of the tables is a query and the page numbers (0-13) it must find, exactly.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import MatterError, QueryError
from app.ingest.pipeline import ingest
from app.matter.store import Matter
from app.search.index import count, explain, page_ids, search

# Page n carries Bates ICE-FOIA-0000(n+1). Pages 6, 7 and 9 are "OCR'd" (noisy twins).
PAGES = [
    "Operation Falcon Ridge arrests in Houston. John Doe was detained.",          # 0
    "Operation Iron Gate removals. Doe John signed the form.",                    # 1
    "Residence surveillance report for Johnson Doe",                              # 2
    "José Hernández interview with counsel regarding the draft memo",             # 3
    "Final memo: the draft was rejected. John met the officer Doe later.",        # 4
    "Weekly report of enforcement actions and surveillance",                      # 5
    "WeekIy rep0rt of enforcernent actions and survei11ance",                     # 6 ocr
    "Operatlon Fa1con Ridge arrests",                                             # 7 ocr
    "Headquarters review of the modern approval process",                         # 8
    "Headquarters review of the rnodern approva1 process",                        # 9 ocr
    "Public safety priority and national security priority",                      # 10
    "priority national security",                                                 # 11
    "Counsel advised that additional review may be required",                     # 12
    "The subject was encountered during a targeted operation",                    # 13
]
OCR_PAGES = {6, 7, 9}
ALL = set(range(len(PAGES)))


def _pdf(path, pages: list[tuple[int, str]]) -> None:
    import pymupdf

    doc = pymupdf.open()
    for n, text in pages:
        page = doc.new_page()
        page.insert_text((72, 100), text, fontsize=11)
        bates = f"ICE-FOIA-{n + 1:06d}"
        page.insert_text((page.rect.width - 160, page.rect.height - 24), bates, fontsize=9)
    doc.save(path)


@pytest.fixture(scope="module", params=["file", "server"])
def prod(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The matter and page index -> page id: in a file (FTS5), and the same matter moved to a
    PostgreSQL server (tsvector), so every query below runs on both backends."""
    import os

    from app.review import ops

    tmp = tmp_path_factory.mktemp("lang")
    os.environ.setdefault("VAUGHN_DATA_DIR", str(tmp / "data"))
    _pdf(tmp / "t1.pdf", list(enumerate(PAGES[:7])))
    _pdf(tmp / "t2.pdf", [(n, PAGES[n]) for n in range(7, 14)])
    matter = Matter.open(tmp / "lang.vaughn", create=True)
    ingest(matter, [tmp / "t1.pdf"], production="Tranche 1", analyze=False)
    ingest(matter, [tmp / "t2.pdf"], production="Tranche 2", analyze=False)
    ids = [r[0] for r in matter.conn.execute("SELECT id FROM pages ORDER BY id")]
    assert len(ids) == len(PAGES)
    with matter.write() as conn:
        for n in OCR_PAGES:
            conn.execute("UPDATE pages SET text_source = 'ocr' WHERE id = ?", (ids[n],))

        def red(n: int, codes: list[str], bad: int = 0) -> int:
            return conn.execute(
                "INSERT INTO redactions(page_id, x0, y0, x1, y1, source, label, exemptions, bad) "
                "VALUES (?, 300, 300, 350, 320, 'vector', ?, ?, ?)",
                (ids[n], "; ".join(codes), json.dumps(codes), bad)).lastrowid

        r0 = red(0, ["(b)(6)", "(b)(7)(C)"])
        r1 = red(1, ["(b)(5)"])
        red(4, ["(b)(7)(E)"], bad=1)
        r10 = red(10, ["Personal Privacy"])
        conn.execute("UPDATE pages SET redaction_count = 1 WHERE id IN (?, ?, ?, ?)",
                     (ids[0], ids[1], ids[4], ids[10]))
    who = "tester"
    ops.set_redaction_exemptions(matter, who, [r1], ["(b)(6)"])  # the reviewer corrects b5
    ops.add_challenge(matter, who, [("redaction", r0)], grounds=["public_interest"],
                      status="challenge", argument="The names are already public")
    ops.add_challenge(matter, who, [("page", ids[5])], grounds=["segregability"],
                      status="accept")
    ops.add_tag(matter, who, "hot", [("page", ids[2]), ("redaction", r10)])
    ops.set_exhibit(matter, who, "12", first_page_id=ids[3], last_page_id=ids[4])
    ops.add_note(matter, who, [("page", ids[8])], "See the declaration of Smith")
    ops.set_page_disposition(matter, who, [ids[13]], "withheld in full")
    if request.param == "server":
        import pg_harness

        matter.close()
        server = request.getfixturevalue("pg_server")
        url = pg_harness.load_matter(server.new_database("t_search_language"),
                                     tmp / "lang.vaughn")
        matter = Matter.open(url)
    yield matter, ids
    matter.close()


def _found(prod, query: str, **kw) -> set[int]:
    matter, ids = prod
    index = {pid: n for n, pid in enumerate(ids)}
    got = page_ids(matter, query, **kw)
    assert got == sorted(got), "hits come in page order"
    results = search(matter, query, limit=100, **kw)
    assert results.total == len(got) == count(matter, query, **kw)
    assert [h.page_id for h in results.hits] == got[:100]
    return {index[i] for i in got}


TEXT = [
    ("operation", {0, 1, 13}),
    ("Operation", {0, 1, 13}),
    ("falcon OR residence", {0, 2}),
    ("operation AND (gate OR ridge)", {0, 1}),
    ("operation gate", {1}),
    ("operation NOT falcon", {1, 13}),
    ("operation AND NOT falcon", {1, 13}),
    ("NOT operation", ALL - {0, 1, 13}),
    ("NOT operation NOT priority", ALL - {0, 1, 13, 10, 11}),
    ("NOT (operation OR priority)", ALL - {0, 1, 13, 10, 11}),
    ("res*", {2}),
    ("rep*", {2, 5, 6}),  # "rep0rt" too
    ('"draft memo"', {3}),
    ('"the draft"', {3, 4}),
    ('"memo the draft"', {4}),
    ('"national security"*', {10, 11}),
    ('"national sec"*', {10, 11}),
    ("jose hernandez", {3}),
    ("JOSÉ", {3}),
    ("and", {5, 6, 10}),
    ("nothingatall", set()),
    ("priority OR nothingatall", {10, 11}),
]

PROXIMITY = [
    ("john w/0 doe", {0, 1}),
    ("john W/0 doe", {0, 1}),
    ("john pre/0 doe", {0}),
    ("doe pre/0 john", {1}),
    ("john w/3 doe", {0, 1, 4}),
    ("john w/2 doe", {0, 1}),
    ("john pre/3 doe", {0, 4}),
    ("john pre/2 doe", {0}),
    ("joh* w/2 doe", {0, 1, 2}),
    ("Joh* pre/0 doe", {0, 2}),
    ('"joh* doe"', {0, 2}),
    ("(john OR johnson) w/0 doe", {0, 1, 2}),
    ('"john doe"~0', {0}),
    ('"john doe"~1', {0}),
    ('"john doe"~2', {0, 1}),
    ('"john doe"~3', {0, 1, 4}),
    ('"national security"~0', {10, 11}),
    ('"security national"~1', set()),
    ('"security national"~2', {10, 11}),
    ("priority pre/2 security", {10, 11}),
    ("security pre/0 priority", {10}),
    ("priority w/0 national w/0 security", {10, 11}),  # any order
    ('"draft memo" w/5 counsel', {3}),
    ("john w/3 doe AND NOT detained", {1, 4}),
    ("falcon~ w/0 ridge", {0, 7}),
]

FUZZY = [
    ("falcon~", {0, 7}),
    ("falcon~1", {0, 7}),
    ("falcon~0", {0}),
    ("fa%lcon", {0, 7}),
    ("f%alcon", {0, 7}),
    ("falco%n", {0}),
    ("fa%1lcon", {0, 7}),
    ("fa%2on", {0, 7}),  # "%2": two differences (it once read as one, before a "2on")
    ("modern", {8}),
    ("modern~", {8, 9}),
    ("modern~1", {8, 9}),  # "rnodern": 2 edits, 0 once OCR look-alikes are folded
    ("counsil~", {3, 12}),
    ("weekly~ report~", {5, 6}),
    ("surveillance~", {2, 5, 6}),
    ("xq~", set()),  # too short for a fuzzy edit: exact only
]

OCR_OPTION = [
    ("modern", {8, 9}),
    ("weekly", {5, 6}),
    ("surveillance", {2, 5, 6}),
    ("operation", {0, 1, 7, 13}),
    ("counsil", set()),  # the near misses are on text pages: not widened there
    ('"modern approval"', {8}),  # phrases are not widened
    ("operation falcon", {0, 7}),
]

FIELDS = [
    ("exemption:(b)(6)", {0, 1}),  # page 1 through the reviewer's correction
    ("exemption:b6", {0, 1}),
    ("exemption:(b)(5)", set()),  # corrected away
    ("exemption:(b)(7)(C)", {0}),
    ("exemption:B7C", {0}),
    ("exemption:7c", {0}),
    ('exemption:"Ex. 7(C)"', {0}),
    ('exemption:"personal privacy"', {10}),
    ("exemption:(b)(6),(b)(7)(E)", {0, 1, 4}),
    ("bad:yes", {4}),
    ("bad:no", ALL - {4}),
    ("challenged:yes", {0}),
    ("challenged:no", ALL - {0}),
    ("status:challenge", {0}),
    ("status:accept", {5}),
    ("status:not_reviewed", {1, 4, 10}),
    ('ground:"public interest"', {0}),
    ("ground:segreg", {5}),
    ("tag:hot", {2, 10}),
    ("tag:HOT", {2, 10}),
    ("tag:cold", set()),
    ("exhibit:12", {3, 4}),
    ("exhibit:99", set()),
    ('disposition:"withheld in full"', {13}),
    ('disposition:"released in part"', {0, 1, 4, 10}),
    ("withheld:yes", {13}),
    ('production:"Tranche 2"', set(range(7, 14))),
    ("production:2", set(range(7, 14))),
    ("tranche:1", set(range(0, 7))),
    ("ocr:yes", OCR_PAGES),
    ("ocr:no", ALL - OCR_PAGES),
    ("note:declaration", {8}),
    ('note:"already public"', {0}),
    ("operation exemption:(b)(6)", {0, 1}),
    ("exemption:b6 OR tag:hot", {0, 1, 2, 10}),
    ("weekly AND NOT ocr:yes", {5}),
    ("NOT ocr:yes AND weekly~", {5}),
    ("(john w/3 doe) AND NOT bad:yes", {0, 1}),
    ("Tag:hot", {2, 10}),
]

BATES = [
    ("bates:ICE-FOIA-000003..ICE-FOIA-000005", {2, 3, 4}),
    ("bates:ICE-FOIA-000003..000005", {2, 3, 4}),
    ("bates:ice-foia-000014", {13}),
    ('bates:"ICE FOIA 000014"', {13}),
    ("ICE-FOIA-000007", {6}),
    ("ICE\u2013FOIA\u2013000007", {6}),  # en dashes
    ("ICE\u2010FOIA-000007", {6}),
    ("ICE FOIA 000007", {6}),
    ("ICE-FOIA-000003..ICE-FOIA-000004", {2, 3}),
    ("ICE-FOIA-000099", set()),
    ("bates:ICE-FOIA-000001..ICE-FOIA-000014 AND surveillance", {2, 5}),
]


@pytest.mark.parametrize(("query", "expected"), TEXT)
def test_words_phrases_booleans_prefixes(prod, query: str, expected: set[int]) -> None:
    assert _found(prod, query) == expected


@pytest.mark.parametrize(("query", "expected"), PROXIMITY)
def test_proximity(prod, query: str, expected: set[int]) -> None:
    assert _found(prod, query) == expected


@pytest.mark.parametrize(("query", "expected"), FUZZY)
def test_fuzzy(prod, query: str, expected: set[int]) -> None:
    assert _found(prod, query) == expected


@pytest.mark.parametrize(("query", "expected"), OCR_OPTION)
def test_tolerate_ocr_errors_widens_only_ocr_pages(prod, query: str,
                                                   expected: set[int]) -> None:
    assert _found(prod, query, ocr_tolerant=True) == expected


@pytest.mark.parametrize(("query", "expected"), FIELDS)
def test_fields(prod, query: str, expected: set[int]) -> None:
    assert _found(prod, query) == expected


@pytest.mark.parametrize(("query", "expected"), BATES)
def test_bates(prod, query: str, expected: set[int]) -> None:
    assert _found(prod, query) == expected


ERRORS = [
    ('"unclosed', 0, "never closed"),
    ("(a OR b", 0, "never closed"),
    ("a OR", 4, "ends"),
    ("a AND", 5, "ends"),
    ("NOT", 3, "ends"),
    (")", 0, "no opening"),
    ("()", 1, "empty"),
    ("exemptoin:b6", 0, "did you mean exemption"),
    ("john w/3", 8, "expected a word"),
    ("w/3 doe", 0, "each side"),
    ("john w/3 doe pre/3 smith", 13, "same operator"),
    ("(john AND doe) w/3 smith", 0, "OR group"),
    ("smith~9", 5, "at most"),
    ("smith~x", 6, "number of edits"),
    ("al%%%%pha", 2, "at most"),
    ("a%b%c", 1, "one run of %"),
    ('"john doe"~', 10, "number of words"),
    ("production:nowhere", 0, "Tranche 1"),
    ("status:maybe", 0, "not a known status"),
    ("challenged:perhaps", 0, "yes or no"),
    ("exemption:", 10, "expected a value"),
    ('exemption:""', 10, "expected a value"),
    ("bates:ICE-FOIA-000009..ICE-FOIA-000003", 0, "ends before it starts"),
    ("bates:ICE-FOIA-000009..DHS-000010", 0, "different prefixes"),
    ("***", 0, "no letters"),
]


@pytest.mark.parametrize(("query", "position", "words"), ERRORS)
def test_errors_point_at_the_problem(prod, query: str, position: int, words: str) -> None:
    matter, _ = prod
    with pytest.raises(QueryError) as err:
        search(matter, query)
    assert err.value.position == position, err.value
    assert words.lower() in err.value.message.lower()


def test_snippets_mark_hits_and_field_only_pages_get_their_first_words(prod) -> None:
    matter, _ = prod
    hit = search(matter, "falcon exemption:b6").hits[0]
    assert "«Falcon»" in hit.snippet
    near = search(matter, "john pre/3 doe").hits
    assert all("«John»" in h.snippet for h in near)
    tagged = search(matter, "tag:hot").hits
    assert tagged[0].snippet.startswith("Residence surveillance")
    ranked = search(matter, "(priority OR security) production:2", rank=True).hits
    assert {h.bates for h in ranked} == {"ICE-FOIA-000011", "ICE-FOIA-000012"}
    assert [h.score for h in ranked] == sorted((h.score for h in ranked), reverse=True)


def test_explain_shows_fuzzy_expansions(prod) -> None:
    matter, _ = prod
    text = explain(matter, "falcon~ AND tag:hot")
    assert "fa1con" in text and "tag" in text


_ALPHABET = st.sampled_from([
    *'ab "()*-:^{}+~%.|', " AND ", " OR ", " NOT ", "NEAR", "é", "w/2", " pre/1 ", "~2",
    "exemption:", "tag:", "bates:", "ICE-FOIA-000003", "..", "b6", "status:", "%%", "'", ";",
    "\u2013", "production:", "note:", "\x00", "john", "doe*",
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_ALPHABET, max_size=14).map("".join))
def test_nothing_typed_crashes_or_reaches_sqlite_raw(prod, query: str) -> None:
    matter, _ = prod
    try:
        results = search(matter, query, limit=5)
    except QueryError as exc:
        assert 0 <= exc.position <= len(query)
        return
    except (sqlite3.Error, MatterError) as exc:  # pragma: no cover - what this looks for
        raise AssertionError(f"{query!r} reached the database as syntax: {exc}") from exc
    assert results.total >= len(results.hits)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=30))
def test_arbitrary_text_is_safe(prod, query: str) -> None:
    matter, _ = prod
    try:
        search(matter, query, limit=3, ocr_tolerant=True)
    except QueryError as exc:
        assert 0 <= exc.position <= len(query)


def test_prefixes_through_the_vocabulary_find_the_same_pages(prod) -> None:
    from app.search import fuzzy

    matter, _ = prod
    assert fuzzy.warm(matter.conn) > 20
    for query, expected in TEXT + PROXIMITY + [("zzz*", set()), ("ope*", {0, 1, 7, 13})]:
        if "*" in query:
            assert _found(prod, query) == expected, query


def test_fields_give_the_same_pages_when_probed_per_page(prod, monkeypatch) -> None:
    """Filters on many pages (DENSE) probe an index per page: same answers as collecting."""
    from app.search import fields

    monkeypatch.setattr(fields, "DENSE", 1)
    for query, expected in FIELDS:
        assert _found(prod, query) == expected, query


EXCLUDING = ["ocr:yes", "tag:hot", "bad:no", "production:2", "status:not_reviewed",
             "exemption:b6 OR tag:hot"]


@pytest.mark.parametrize("filt", EXCLUDING)
def test_filter_minus_text_agrees_with_set_algebra(prod, filt: str) -> None:
    """A filter with NOT text (read as a merge walk) gives the same pages as set difference,
    alone and nested inside AND, OR and NOT."""
    f, w, w2, w3 = _found(prod, f"({filt})"), _found(prod, "operation"), \
        _found(prod, "weekly"), _found(prod, "priority")
    assert _found(prod, f"({filt}) AND NOT operation") == f - w
    assert _found(prod, f"({filt}) AND NOT operation AND NOT priority") == f - w - w3
    assert _found(prod, f"(({filt}) AND NOT operation) OR weekly") == (f - w) | w2
    assert _found(prod, f"NOT (({filt}) AND NOT operation)") == ALL - (f - w)
    assert _found(prod, f"weekly AND (({filt}) AND NOT operation)") == w2 & (f - w)
    assert _found(prod, f"(({filt}) AND NOT operation) AND (tag:hot OR ocr:yes)") == \
        (f - w) & (_found(prod, "tag:hot") | _found(prod, "ocr:yes"))
