"""Read the review state: the page tree, one page's redactions, a target's review, filters.

What the window's models and panels load (on the matter worker). Nothing here writes. A
redaction's *status* is its latest challenge's status (``not_reviewed`` when it has none); its
codes are the reviewer's when set, else those read from the stamp.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app import vocabulary as vocab
from app.matter.store import Matter, id_chunks
from app.review import versions
from app.review.ops import effective_exemptions
from app.review.views import (
    Note,
    PageData,
    RedactionData,
    Review,
    challenge_of,
    exhibit_of,
)

FILTERS = ("all", "bad", "withheld", "unreviewed", "challenged", "tag", "exemption", "low_ocr",
           "needs_look")

_LATEST_STATUS = (
    "(SELECT c.status FROM challenges c WHERE c.target_kind = '{kind}' AND c.target_id = {id} "
    "ORDER BY c.id DESC LIMIT 1)"
)


# "c is its target's latest challenge" (challenges are few; this is cheap)
_LATEST_C = ("c.id = (SELECT max(c2.id) FROM challenges c2 WHERE c2.target_kind = c.target_kind "
             "AND c2.target_id = c.target_id)")


def _status_sql(kind: str, id_expr: str) -> str:
    return _LATEST_STATUS.format(kind=kind, id=id_expr)


@dataclass(frozen=True)
class TreeRow:
    """One page of the production -> document -> page tree."""

    page_id: int
    document_id: int
    production_id: int
    bates: str | None
    page_index: int
    redactions: int
    bad: int
    unreviewed: int
    challenged: int
    withheld: bool
    disposition: str | None


@dataclass(frozen=True)
class Tree:
    """Productions, documents and pages in matter order (ids plus a small row each)."""

    productions: list[tuple[int, str]]
    documents: list[tuple[int, int, str]]  # (id, production_id, label)
    pages: list[TreeRow]


def tree(matter: Matter) -> Tree:
    """The whole tree in a few queries (20,000 pages in well under a second)."""
    prods = [(r[0], r[1]) for r in matter.conn.execute(
        "SELECT id, name FROM productions ORDER BY tranche, id")]
    docs = [(r[0], r[1], document_label(r[2], r[3], r[4], r[5], r[0])) for r in matter.conn.execute(
        "SELECT d.id, d.production_id, d.begbates, d.title, d.doc_type, d.doc_date FROM documents "
        "d LEFT JOIN (SELECT document_id, min(id) AS first FROM pages GROUP BY document_id) f "
        "ON f.document_id = d.id ORDER BY coalesce(f.first, 0), d.id")]
    return Tree(prods, docs, tree_rows(matter))


def document_label(begbates: str | None, title: str | None, doc_type: str | None,
                   doc_date: str | None, doc_id: int) -> str:
    """A record as the tree shows it: first Bates · type · date · title."""
    from app.documents.metadata import TYPE_LABELS

    parts = [begbates or f"DOC-{doc_id}"]
    if doc_type and doc_type != "other":
        parts.append(TYPE_LABELS.get(doc_type, doc_type))
    if doc_date:
        parts.append(doc_date)
    if title and title != begbates:
        parts.append(title if len(title) <= 60 else title[:59] + "…")
    return " · ".join(parts)


def first_page(matter: Matter) -> int | None:
    """The first page in tree order (first production, first document), or None."""
    row = matter.conn.execute(
        "SELECT p.id FROM pages p JOIN productions pr ON pr.id = p.production_id "
        "ORDER BY pr.tranche, pr.id, p.id LIMIT 1").fetchone()
    return row[0] if row else None


def page_source(matter: Matter, page_id: int) -> tuple[str, int]:
    """The file a page is in and its page index there; KeyError for no such page."""
    row = matter.conn.execute(
        "SELECT f.path, p.page_index FROM pages p JOIN source_files f "
        "ON f.id = p.source_file_id WHERE p.id = ?", (page_id,)).fetchone()
    if row is None:
        raise KeyError(f"no page {page_id}")
    return matter.local_path(row[0]), row[1]


def tree_rows(matter: Matter, page_ids: list[int] | None = None) -> list[TreeRow]:
    """Tree rows of some pages (all when None), in page order.

    Cheap at 20,000 pages / 1.4 million redactions: the redaction count is the page's own
    column, bad boxes come from a partial index, and only redactions that have a challenge are
    looked at for the review counts.
    """
    where_p, where_r = "", ""
    params: tuple[int, ...] = ()
    if page_ids is not None:
        if not page_ids:
            return []
        marks = ",".join("?" * len(page_ids))
        where_p, where_r = f"WHERE id IN ({marks})", f"AND r.page_id IN ({marks})"
        params = tuple(page_ids)
    bad = dict(matter.conn.execute(
        f"SELECT r.page_id, count(*) FROM redactions r WHERE r.bad = 1 {where_r} "
        f"GROUP BY r.page_id", params).fetchall())
    reviewed: dict[int, int] = {}
    challenged: dict[int, int] = {}
    for page_id, status in matter.conn.execute(
        f"SELECT r.page_id, c.status FROM challenges c JOIN redactions r ON r.id = c.target_id "
        f"WHERE c.target_kind = 'redaction' AND c.id = (SELECT max(c2.id) FROM challenges c2 "
        f"WHERE c2.target_kind = 'redaction' AND c2.target_id = c.target_id) {where_r}", params
    ):
        if status != "not_reviewed":
            reviewed[page_id] = reviewed.get(page_id, 0) + 1
        if status == "challenge":
            challenged[page_id] = challenged.get(page_id, 0) + 1
    page_chal = {r[0] for r in matter.conn.execute(
        "SELECT target_id FROM challenges c WHERE target_kind = 'page' AND status = 'challenge' "
        "AND c.id = (SELECT max(c2.id) FROM challenges c2 WHERE c2.target_kind = 'page' "
        "AND c2.target_id = c.target_id)")}
    return [
        TreeRow(pid, doc, prod, bates, index, n, bad.get(pid, 0),
                max(0, n - reviewed.get(pid, 0)), challenged.get(pid, 0) + (pid in page_chal),
                bool(withheld), disp)
        for pid, doc, prod, bates, index, withheld, disp, n in matter.conn.execute(
            f"SELECT id, document_id, production_id, bates, page_index, withheld_in_full, "
            f"disposition, redaction_count FROM pages {where_p} ORDER BY id", params)
    ]


def affected_pages(matter: Matter, redactions: Iterable[int] = (), pages: Iterable[int] = (),
                   documents: Iterable[int] = ()) -> list[int]:
    """The pages whose tree rows a change to these targets may alter."""
    out = set(pages)
    for table, col, ids in (("redactions", "id", list(redactions)),
                            ("pages", "document_id", list(documents))):
        for chunk in id_chunks(ids):
            sql_col = "page_id" if table == "redactions" else "id"
            out.update(r[0] for r in matter.conn.execute(
                f"SELECT {sql_col} FROM {table} WHERE {col} IN ({','.join('?' * len(chunk))})",
                chunk))
    return sorted(out)


def filter_pages(matter: Matter, kind: str, value: str = "") -> list[int]:
    """Page ids (in order) that pass a filter: one of :data:`FILTERS`."""
    params: tuple[Any, ...]
    if kind == "all":
        sql, params = "SELECT id FROM pages", ()
    elif kind == "bad":
        sql, params = "SELECT DISTINCT page_id FROM redactions WHERE bad = 1", ()
    elif kind == "withheld":
        sql, params = ("SELECT id FROM pages WHERE withheld_in_full = 1 "
                       "OR disposition = 'withheld_in_full'"), ()
    elif kind == "unreviewed":
        reviewed = dict(matter.conn.execute(
            f"SELECT r.page_id, count(*) FROM challenges c JOIN redactions r "
            f"ON r.id = c.target_id WHERE c.target_kind = 'redaction' AND {_LATEST_C} "
            f"AND c.status != 'not_reviewed' GROUP BY r.page_id").fetchall())
        return [pid for pid, n in matter.conn.execute(
            "SELECT id, redaction_count FROM pages WHERE redaction_count > 0 ORDER BY id")
            if n > reviewed.get(pid, 0)]
    elif kind == "challenged":
        sql = (f"SELECT r.page_id FROM challenges c JOIN redactions r ON r.id = c.target_id "
               f"WHERE c.target_kind = 'redaction' AND {_LATEST_C} AND c.status = 'challenge' "
               f"UNION SELECT c.target_id FROM challenges c WHERE c.target_kind = 'page' "
               f"AND {_LATEST_C} AND c.status = 'challenge' "
               f"UNION SELECT p.id FROM challenges c JOIN pages p ON p.document_id = c.target_id "
               f"WHERE c.target_kind = 'document' AND {_LATEST_C} AND c.status = 'challenge'")
        params = ()
    elif kind == "tag":
        sql = ("SELECT l.target_id FROM tag_links l JOIN tags t ON t.id = l.tag_id "
               "WHERE t.name = ? AND l.target_kind = 'page' UNION "
               "SELECT r.page_id FROM tag_links l JOIN tags t ON t.id = l.tag_id "
               "JOIN redactions r ON r.id = l.target_id WHERE t.name = ? "
               "AND l.target_kind = 'redaction' UNION "
               "SELECT p.id FROM tag_links l JOIN tags t ON t.id = l.tag_id "
               "JOIN pages p ON p.document_id = l.target_id WHERE t.name = ? "
               "AND l.target_kind = 'document'")
        params = (value, value, value)
    elif kind == "exemption":
        code = vocab.exemption_code(value)
        sql = "SELECT page_id FROM search_codes WHERE code = ? AND n > 0"
        params = (code,)
    elif kind == "low_ocr":  # OCR that needs a human look (app.ocr.queue.low_confidence_pages)
        from app.ocr.queue import low_confidence_pages

        return sorted(r["id"] for r in low_confidence_pages(matter))
    elif kind == "needs_look":  # stopped over a time budget (app.matter.stops), or low OCR
        from app.matter.stops import ILLEGIBLE_SQL
        from app.ocr.queue import low_confidence_pages

        stopped = {r[0] for r in matter.conn.execute("SELECT page_id FROM page_stops")}
        stopped |= {r[0] for r in matter.conn.execute(ILLEGIBLE_SQL)}  # codes not legible
        return sorted(stopped | {r["id"] for r in low_confidence_pages(matter)})
    else:
        raise ValueError(f"unknown filter {kind!r}; one of {', '.join(FILTERS)}")
    return sorted(r[0] for r in matter.conn.execute(sql, params))


def page_view(matter: Matter, page_id: int) -> PageData:
    """One page as the page view and claims panel show it: size, file, redactions, review."""
    row = matter.query(
        "SELECT p.id, p.bates, p.page_index, p.width, p.height, p.rotation, p.document_id, "
        "p.withheld_in_full, p.disposition, f.path, f.kind, d.begbates AS doc_begbates, "
        "pr.name AS production FROM pages p JOIN source_files f ON f.id = p.source_file_id "
        "JOIN documents d ON d.id = p.document_id JOIN productions pr ON pr.id = p.production_id "
        "WHERE p.id = ?", (page_id,))
    if not row:
        raise KeyError(page_id)
    page = dict(row[0])
    from app.matter.stops import notes_by_page

    rotation, width, height = int(page["rotation"]), page["width"], page["height"]
    rows = matter.query(
        f"SELECT r.*, {_status_sql('redaction', 'r.id')} AS status FROM redactions r "
        f"WHERE r.page_id = ? ORDER BY r.y0, r.x0, r.id", (page_id,))
    seen = versions.versions(matter.conn, [("page", page_id)]
                             + [("redaction", int(r["id"])) for r in rows])
    redactions = tuple(
        RedactionData(
            id=int(r["id"]),
            bbox=display_box((r["x0"], r["y0"], r["x1"], r["y1"]), rotation, width, height),
            label=r["label"] or "",
            label_place=r["label_place"] or "",
            stamped=tuple(json.loads(r["exemptions"])),
            exemptions=tuple(effective_exemptions(r["exemptions"], r["exemptions_reviewed"])),
            reviewed=r["exemptions_reviewed"] is not None,
            statute=r["statute"] or "",
            bad=bool(r["bad"]),
            hidden_chars=int(r["hidden_chars"] or 0),
            status=r["status"] or "not_reviewed",
            version=seen[("redaction", int(r["id"]))],
        )
        for r in rows
    )
    return PageData(
        id=int(page["id"]), bates=page["bates"], page_index=int(page["page_index"]),
        width=width, height=height, rotation=rotation, document_id=int(page["document_id"]),
        withheld_in_full=bool(page["withheld_in_full"]), disposition=page["disposition"],
        path=matter.local_path(page["path"]), kind=page["kind"], doc_begbates=page["doc_begbates"],
        production=page["production"],
        needs_look=tuple(notes_by_page(matter, page_id).get(page_id, [])),
        redactions=redactions, version=seen[("page", page_id)])


def display_box(bbox: tuple[float, float, float, float], rotation: int, width: float,
                height: float) -> tuple[float, float, float, float]:
    """A box in unrotated page coordinates (as stored) where it shows on the rotated page.

    ``width``/``height`` are the rotated page's (as stored in ``pages``); the same transform as
    PyMuPDF's ``page.rotation_matrix``.
    """
    x0, y0, x1, y1 = bbox
    rotation %= 360
    if rotation == 90:
        return (width - y1, x0, width - y0, x1)
    if rotation == 180:
        return (width - x1, height - y1, width - x0, height - y0)
    if rotation == 270:
        return (y0, height - x1, y1, height - x0)
    return bbox


def review(matter: Matter, kind: str, target_id: int) -> Review:
    """A target's review: latest challenge (or None), tags, notes and exhibit."""
    chal = matter.query("SELECT * FROM challenges WHERE target_kind = ? AND target_id = ? "
                        "ORDER BY id DESC LIMIT 1", (kind, target_id))
    challenge = challenge_of(chal[0], json.loads(chal[0]["grounds"])) if chal else None
    tags = tuple(r[0] for r in matter.conn.execute(
        "SELECT t.name FROM tag_links l JOIN tags t ON t.id = l.tag_id "
        "WHERE l.target_kind = ? AND l.target_id = ? ORDER BY t.name", (kind, target_id)))
    notes = tuple(Note(int(r["id"]), r["text"], r["reviewer"], r["updated_at"])
                  for r in matter.query(
                      "SELECT id, text, reviewer, updated_at FROM notes WHERE target_kind = ? "
                      "AND target_id = ? ORDER BY id", (kind, target_id)))
    exhibit = None
    if kind in ("document", "page"):
        col = "document_id" if kind == "document" else "first_page_id"
        ex = matter.query(f"SELECT * FROM exhibits WHERE {col} = ? ORDER BY id LIMIT 1",
                          (target_id,))
        exhibit = exhibit_of(ex[0]) if ex else None
    version = versions.versions(matter.conn, [(kind, target_id)])[(kind, target_id)]
    return Review(kind, target_id, challenge, tags, notes, exhibit, version)


def all_tags(matter: Matter) -> list[tuple[str, str]]:
    """(name, colour) of every tag, the default ones first even before they are used."""
    found = {r[0].lower(): (r[0], r[1]) for r in matter.conn.execute(
        "SELECT name, color FROM tags ORDER BY name COLLATE NOCASE")}
    from app.review.ops import DEFAULT_TAG_COLORS

    out = [found.pop(n, (n, c)) for n, c in DEFAULT_TAG_COLORS.items()]
    return out + list(found.values())


def custom_codes(matter: Matter) -> list[str]:
    """Exemption codes in use that are not in the catalog ("(j)(2)", "Personal Privacy")."""
    # search_codes (migration 0004) keeps every effective code per page, kept up by triggers
    used = {r[0] for r in matter.conn.execute("SELECT DISTINCT code FROM search_codes")}
    return sorted(c for c in used if c not in vocab.EXEMPTION_CODES)


_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def query_terms(query: str) -> list[str]:
    """The words of a search query worth highlighting on a page (operators dropped)."""
    words = [w for w in _WORD.findall(query) if w not in ("AND", "OR", "NOT")]
    return list(dict.fromkeys(words))


def search_page_ids(matter: Matter, query: str) -> list[int]:
    """Every page matching a search query (the whole query language), in page order."""
    from app.search.index import page_ids

    return page_ids(matter, query)
