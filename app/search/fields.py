"""Field filters and Bates lookups as SQL predicates over ``pages p``.

Each function returns ``(sql, params)``: a boolean expression over the pages table aliased
``p``, with every value passed as a parameter (never formatted into SQL). Review fields read
the tables of migration 0002_review: a target's *status* and *grounds* are those of its latest
challenge; a redaction's codes are the reviewer's when set, else the stamp's (the
``search_codes`` table of migration 0004_search keeps them indexed). A value that names nothing
("status:maybe") raises QueryError at the field's position, listing the choices.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from app.bates import bates_key, parse_range
from app.bates import parse as parse_bates
from app.errors import QueryError
from app.matter.words import tokens_of
from app.search.query import Bates, Field

Predicate = tuple[str, tuple[Any, ...]]  # (SQL over ``pages p``, its parameters)

_YES = {"yes", "y", "true", "1", "on"}
_NO = {"no", "n", "false", "0", "off"}

# Targets (kind, id) -> the pages they are on. ``{targets}`` is a SELECT of (kind, id).
_TARGET_PAGES = (
    "p.id IN (WITH t(kind, tid) AS ({targets}) "
    "SELECT r.page_id FROM redactions r WHERE r.id IN (SELECT tid FROM t WHERE kind = 'redaction') "
    "UNION SELECT tid FROM t WHERE kind = 'page' "
    "UNION SELECT p2.id FROM pages p2 WHERE p2.document_id IN "
    "(SELECT tid FROM t WHERE kind = 'document'))"
)
_LATEST = ("SELECT c.target_kind, c.target_id FROM challenges c WHERE c.id = "
           "(SELECT max(c2.id) FROM challenges c2 WHERE c2.target_kind = c.target_kind "
           "AND c2.target_id = c.target_id)")


def _yes_no(field: Field) -> bool:
    value = field.value.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise QueryError(f"expected yes or no after {field.name}:, not {field.value!r}",
                     field.position)


def _resolve(kind: str, field: Field) -> str:
    try:
        from app import vocabulary as vocab
    except ImportError as exc:  # pragma: no cover - the review core is part of the app
        raise QueryError(f"{field.name}: needs the review data", field.position) from exc
    try:
        return vocab.resolve(kind, field.value)
    except vocab.VocabError as exc:
        raise QueryError(f"{field.name}: {exc}", field.position) from None


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    if getattr(conn, "on_server", False):
        return bool(conn.execute("SELECT to_regclass(?) IS NOT NULL", (name,)).fetchone()[0])
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None


def _has_column(conn: sqlite3.Connection, table: str, column: str) -> bool:
    return any(r[1] == column for r in conn.execute(f"PRAGMA table_info({table})"))


def _need_review(conn: sqlite3.Connection, field: Field) -> None:
    if not _has_table(conn, "challenges"):
        raise QueryError(f"{field.name}: needs a matter with review data (upgrade it)",
                         field.position)


DENSE = 2000  # a filter on at least this many pages probes per page instead of collecting


def _dense(conn: sqlite3.Connection, select: str, params: tuple[Any, ...]) -> bool:
    """True when ``select`` has DENSE rows or more (read from an index, stops there)."""
    return int(conn.execute(f"SELECT count(*) FROM ({select} LIMIT {DENSE}) AS dense",
                            params).fetchone()[0]) >= DENSE


def exemption_codes(value: str) -> list[str]:
    """Canonical codes named by a typed value ("b7c", "(b)(6),(b)(7)(C)", "Personal Privacy")."""
    from app.redactions import canonical_codes

    codes, _ = canonical_codes(value)
    if codes:
        return codes
    try:
        from app.vocabulary import exemption_code

        return [exemption_code(value)]
    except Exception:
        return [" ".join(value.split())]


def field_predicate(conn: sqlite3.Connection, field: Field, *,
                    correlated: bool = False, streaming: bool = True) -> Predicate:
    """The SQL predicate for one field filter.

    With ``correlated``, the large filters (exemption, bad) probe an index for each page read
    instead of collecting every page they match first: right when another part of the query
    drives it (a word narrows the pages), wrong when the filter stands alone. With
    ``streaming`` (reading the first hits), a filter on many pages probes too, so the first
    hundred come at once; for counting (``streaming=False``) collecting is faster.
    """
    name = field.name
    if name in _LARGE_FIELDS:
        return _LARGE_FIELDS[name](conn, field, correlated, streaming)
    if name in _PAGE_FIELDS:
        return _PAGE_FIELDS[name](conn, field)
    if name not in _REVIEW_FIELDS:  # pragma: no cover  (the parser knows the fields)
        raise QueryError(f"unknown field {name!r}", field.position)
    _need_review(conn, field)
    return _REVIEW_FIELDS[name](conn, field)


# -- page fields: what the production and the analysis say ------------------------------------

def _exemption(conn: sqlite3.Connection, field: Field, correlated: bool,
               streaming: bool) -> Predicate:
    codes = exemption_codes(field.value)
    marks = ",".join("?" * len(codes))
    if _has_table(conn, "search_codes"):
        if correlated or streaming and _dense(conn, "SELECT 1 FROM search_codes WHERE code IN "
                                              f"({marks})", tuple(codes)):
            return (f"EXISTS (SELECT 1 FROM search_codes sc WHERE sc.code IN ({marks}) "
                    "AND sc.page_id = p.id)", tuple(codes))
        return (f"p.id IN (SELECT page_id FROM search_codes WHERE code IN ({marks}))",
                tuple(codes))
    col = ("coalesce(r.exemptions_reviewed, r.exemptions)"
           if _has_column(conn, "redactions", "exemptions_reviewed") else "r.exemptions")
    return (f"p.id IN (SELECT r.page_id FROM redactions r, json_each({col}) j "
            f"WHERE j.value IN ({marks}) COLLATE NOCASE)", tuple(codes))


def _bad(conn: sqlite3.Connection, field: Field, correlated: bool,
         streaming: bool) -> Predicate:
    dense = correlated or streaming and _dense(conn, "SELECT 1 FROM redactions WHERE bad = 1",
                                               ())
    sql = ("EXISTS (SELECT 1 FROM redactions rb WHERE rb.page_id = p.id AND rb.bad = 1)"
           if dense else "p.id IN (SELECT page_id FROM redactions WHERE bad = 1)")
    return (sql if _yes_no(field) else f"NOT {sql}"), ()


def _withheld(conn: sqlite3.Connection, field: Field) -> Predicate:
    col = "p.disposition = 'withheld_in_full'" if _has_column(conn, "pages", "disposition") \
        else "0"
    sql = f"(p.withheld_in_full = 1 OR {col})"
    return (sql if _yes_no(field) else f"NOT {sql}"), ()


def _ocr(conn: sqlite3.Connection, field: Field) -> Predicate:
    value = field.value.strip().lower()
    if value in ("needed", "pending", "queued"):
        return "p.needs_ocr = 1", ()
    sql = "p.text_source = 'ocr'"
    return (sql if _yes_no(field) else "p.text_source != 'ocr'"), ()


def _production(conn: sqlite3.Connection, field: Field) -> Predicate:
    rows = conn.execute(
        "SELECT id FROM productions WHERE name = ? COLLATE NOCASE OR CAST(tranche AS TEXT) = ?",
        (field.value.strip(), field.value.strip())).fetchall()
    if not rows:
        names = [r[0] for r in conn.execute("SELECT name FROM productions ORDER BY tranche")]
        raise QueryError(f"no production named {field.value!r}; expected one of: "
                         f"{', '.join(names) or '(none loaded)'}", field.position)
    ids = tuple(r[0] for r in rows)
    return f"p.production_id IN ({','.join('?' * len(ids))})", ids


def _disposition(conn: sqlite3.Connection, field: Field) -> Predicate:
    key = _resolve("disposition", field)
    own = "p.disposition" if _has_column(conn, "pages", "disposition") else "NULL"
    return (f"coalesce({own}, CASE WHEN p.withheld_in_full = 1 THEN 'withheld_in_full' "
            "WHEN p.redaction_count > 0 THEN 'released_in_part' "
            "ELSE 'released_in_full' END) = ?", (key,))


# -- review fields: what the reviewers said (a matter with review data) -----------------------

def _challenged(conn: sqlite3.Connection, field: Field) -> Predicate:
    sql = _TARGET_PAGES.format(targets=_LATEST + " AND c.status = 'challenge'")
    return (sql if _yes_no(field) else f"NOT {sql}"), ()


def _status(conn: sqlite3.Connection, field: Field) -> Predicate:
    key = _resolve("status", field)
    sql = _TARGET_PAGES.format(targets=_LATEST + " AND c.status = ?")
    if key != "not_reviewed":
        return sql, (key,)
    return (f"({sql} OR p.id IN (SELECT r.page_id FROM redactions r WHERE NOT EXISTS "
            "(SELECT 1 FROM challenges c WHERE c.target_kind = 'redaction' "
            "AND c.target_id = r.id)))", (key,))


def _ground(conn: sqlite3.Connection, field: Field) -> Predicate:
    key = _resolve("ground", field)
    return (_TARGET_PAGES.format(
        targets=_LATEST + " AND EXISTS (SELECT 1 FROM json_each(c.grounds) g "
        "WHERE g.value = ?)"), (key,))


def _tag(conn: sqlite3.Connection, field: Field) -> Predicate:
    targets = ("SELECT l.target_kind, l.target_id FROM tag_links l JOIN tags g "
               "ON g.id = l.tag_id WHERE g.name = ? COLLATE NOCASE")
    return _TARGET_PAGES.format(targets=targets), (field.value.strip(),)


def _exhibit(conn: sqlite3.Connection, field: Field) -> Predicate:
    value = field.value.strip()
    numbers = (value, value.lstrip("0") or value)
    return ("p.id IN (SELECT p2.id FROM exhibits e JOIN pages p2 ON p2.id BETWEEN "
            "e.first_page_id AND coalesce(e.last_page_id, e.first_page_id) WHERE "
            "e.number IN (?, ?) COLLATE NOCASE AND e.first_page_id IS NOT NULL "
            "UNION SELECT p2.id FROM exhibits e JOIN pages p2 ON p2.document_id = "
            "e.document_id WHERE e.number IN (?, ?) COLLATE NOCASE "
            "AND e.first_page_id IS NULL)", numbers + numbers)


def _note(conn: sqlite3.Connection, field: Field) -> Predicate:
    words = tokens_of(field.value)
    if not words:
        raise QueryError("expected a word after note:", field.position)
    like = " AND ".join(["instr(lower(x.body), ?) > 0"] * len(words))
    targets = (
        "SELECT x.target_kind, x.target_id FROM (SELECT target_kind, target_id, text AS body "
        "FROM notes UNION ALL SELECT target_kind, target_id, argument || ' ' || "
        "evidence_passage || ' ' || evidence_cite AS body FROM challenges) x "
        f"WHERE {like}"
    )
    return _TARGET_PAGES.format(targets=targets), tuple(words)


_TYPE_WORDS = {"e-mail": "email", "mail": "email", "emails": "email", "memorandum": "memo",
               "spreadsheet": "report", "spreadsheet/report": "report", "slip": "slip_sheet",
               "slip sheet": "slip_sheet", "slipsheet": "slip_sheet", "letters": "letter"}


def _date_bounds(value: str, field: Field) -> tuple[str, str]:
    """"2022", "2022-03", "2022-03-04" or FIRST..LAST -> (low, high) ISO strings."""
    low, _, high = value.partition("..")
    high = high or low
    for part in (low, high):
        bits = part.split("-")
        if not (1 <= len(bits) <= 3 and all(b.isdigit() for b in bits) and len(bits[0]) == 4):
            raise QueryError(f"date: expects 2022, 2022-03, 2022-03-04 or FIRST..LAST, "
                             f"not {value!r}", field.position)
    return low, high + "-99"  # "2022-03" .. "2022-03-99" covers every day of the month


def _document_predicate(conn: sqlite3.Connection, field: Field) -> Predicate:
    """document: (a Bates number on the record), type: (e-mail, memo...), date: (ISO)."""
    value = field.value.strip()
    if field.name == "document":
        key = bates_key(value)
        if not key:
            raise QueryError("expected a Bates number after document:", field.position)
        return ("p.document_id IN (SELECT document_id FROM pages WHERE bates_key = ?)", (key,))
    if field.name == "type":
        from app.documents.metadata import TYPE_LABELS, TYPES

        word = " ".join(value.lower().replace("_", " ").split())
        kind = _TYPE_WORDS.get(word) or next(
            (t for t in TYPES if word in (t, t.replace("_", " "), TYPE_LABELS[t])), None)
        if kind is None:
            raise QueryError(f"type: expects one of {', '.join(TYPE_LABELS.values())}, "
                             f"not {value!r}", field.position)
        return ("p.document_id IN (SELECT id FROM documents WHERE doc_type = ?)", (kind,))
    low, high = _date_bounds(value, field)
    return ("p.document_id IN (SELECT id FROM documents WHERE doc_date BETWEEN ? AND ?)",
            (low, high))


def bates_predicate(node: Bates) -> Predicate:
    """The pages a Bates number or range names (ignoring case, spaces, look-alike hyphens)."""
    text = node.text
    if ".." in text:
        try:
            first, last = parse_range(text)
        except ValueError as exc:
            raise QueryError(f"{exc}; expected FIRST..LAST as in "
                             "ICE-FOIA-000120..ICE-FOIA-000180", node.position) from None
        return ("(p.bates_prefix = ? AND p.bates_number BETWEEN ? AND ?)",
                (first.prefix_key, first.number, last.number))
    key = bates_key(text)
    if not key:
        raise QueryError("expected a Bates number after bates:", node.position)
    parsed = parse_bates(text)
    if parsed is not None and parsed.number is not None:
        return ("(p.bates_key = ? OR (p.bates_prefix = ? AND p.bates_number = ?))",
                (key, parsed.prefix_key, parsed.number))
    return "p.bates_key = ?", (key,)


# field name -> its predicate (the large fields also take correlated and streaming)
_LARGE_FIELDS = {"exemption": _exemption, "bad": _bad}
_PAGE_FIELDS = {"withheld": _withheld, "ocr": _ocr, "production": _production,
                "disposition": _disposition, "document": _document_predicate,
                "type": _document_predicate, "date": _document_predicate}
_REVIEW_FIELDS = {"challenged": _challenged, "status": _status, "ground": _ground,
                  "tag": _tag, "exhibit": _exhibit, "note": _note}
