"""Read-only listings of a matter: pages, redactions, productions, Bates lookups.

These are what the CLI prints as JSON and what the window's models load; none of them writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from app.bates import bates_key, parse, parse_range
from app.matter.stops import notes_by_page
from app.matter.store import Matter

_PAGE_SQL = """
SELECT p.id, p.bates, pr.name AS production, d.id AS document_id, d.begbates AS doc_begbates,
       d.title AS doc_title, f.path AS file, p.page_index, p.text_layer, p.needs_ocr,
       p.text_source, p.withheld_in_full, p.redaction_count, p.redacted_share, p.width, p.height,
       p.rotation, p.disposition, p.ocr_confidence
FROM pages p
JOIN productions pr ON pr.id = p.production_id
JOIN documents d ON d.id = p.document_id
JOIN source_files f ON f.id = p.source_file_id
"""


def page_item(row: dict[str, Any]) -> dict[str, Any]:
    """A page row as the JSON item the CLI prints."""
    return {
        "id": row["id"],
        "bates": row["bates"],
        "production": row["production"],
        "document": row["doc_begbates"] or f"DOC-{row['document_id']}",
        "document_id": row["document_id"],
        "file": row["file"],
        "page_index": row["page_index"],
        "text_layer": bool(row["text_layer"]),
        "needs_ocr": bool(row["needs_ocr"]),
        "withheld_in_full": bool(row["withheld_in_full"]),
        "redactions": row["redaction_count"],
        "redacted_share": round(row["redacted_share"], 4),
        "disposition": row.get("disposition"),
        "ocr": row["text_source"] == "ocr",
        "ocr_confidence": row.get("ocr_confidence"),
    }


def pages(matter: Matter, where: str = "", params: tuple[Any, ...] = ()
          ) -> Iterator[dict[str, Any]]:
    """Every page (or those matching ``where``), in matter order."""
    sql = _PAGE_SQL + (f" WHERE {where}" if where else "") + " ORDER BY p.id"
    tags, exhibit = _tags(matter, "page"), _page_exhibits(matter)
    stops = notes_by_page(matter)
    for row in matter.query(sql, params):
        item = page_item(row)
        item["tags"] = tags.get(row["id"], [])
        item["exhibit"] = exhibit.get(row["id"])
        item["needs_look"] = stops.get(row["id"], [])  # "analysis stopped after 30 s"
        yield item


def _tags(matter: Matter, kind: str) -> dict[int, list[str]]:
    """Tag names of every target of ``kind`` that has any, sorted."""
    out: dict[int, list[str]] = {}
    for tid, name in matter.conn.execute(
        "SELECT l.target_id, t.name FROM tag_links l JOIN tags t ON t.id = l.tag_id "
        "WHERE l.target_kind = ? ORDER BY t.name COLLATE NOCASE", (kind,)):
        out.setdefault(tid, []).append(name)
    return out


def _page_exhibits(matter: Matter) -> dict[int, str]:
    """The exhibit number of every page inside an exhibit (the lowest id wins overlaps)."""
    out: dict[int, str] = {}
    for number, doc_id, first, last in matter.conn.execute(
        "SELECT number, document_id, first_page_id, last_page_id FROM exhibits ORDER BY id"):
        if doc_id is not None:
            rows = matter.conn.execute("SELECT id FROM pages WHERE document_id = ?", (doc_id,))
        elif first is not None:
            lo, hi = sorted((first, last if last is not None else first))
            rows = matter.conn.execute("SELECT id FROM pages WHERE id BETWEEN ? AND ?", (lo, hi))
        else:
            continue
        for (pid,) in rows:
            out.setdefault(pid, number)
    return out


def _redaction_challenges(matter: Matter) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for cid, rid, grounds, status, priority, argument in matter.conn.execute(
        "SELECT id, target_id, grounds, status, priority, argument FROM challenges "
        "WHERE target_kind = 'redaction' ORDER BY id"):
        out.setdefault(rid, []).append({"id": cid, "grounds": json.loads(grounds),
                                        "status": status, "priority": priority,
                                        "argument": argument})
    return out


def find_bates(matter: Matter, text: str) -> list[dict[str, Any]]:
    """Pages for a Bates number ("ICE-FOIA-000120") or range ("…000120..…000180").

    Lookups ignore case, spaces and look-alike hyphens. Raises ValueError for a bad range.
    """
    if ".." in text:
        first, last = parse_range(text)
        return list(pages(matter, "p.bates_prefix = ? AND p.bates_number BETWEEN ? AND ?",
                          (first.prefix_key, first.number, last.number)))
    found = list(pages(matter, "p.bates_key = ?", (bates_key(text),)))
    if not found:
        parsed = parse(text)
        if parsed is not None and parsed.number is not None:  # "ICE FOIA 120" style typing
            found = list(pages(matter, "p.bates_prefix = ? AND p.bates_number = ?",
                               (parsed.prefix_key, parsed.number)))
    return found


def redactions(matter: Matter, *, bad_only: bool = False) -> Iterator[dict[str, Any]]:
    """Every redaction record with its page's Bates and file."""
    sql = (
        "SELECT r.*, p.bates, p.page_index, f.path AS file, p.width, p.height, p.rotation "
        "FROM redactions r JOIN pages p ON p.id = r.page_id "
        "JOIN source_files f ON f.id = p.source_file_id"
        + (" WHERE r.bad = 1" if bad_only else "")
        + " ORDER BY p.id, r.id"
    )
    tags, challenges = _tags(matter, "redaction"), _redaction_challenges(matter)
    for row in matter.query(sql):
        yield {
            "id": row["id"],
            "bates": row["bates"],
            "file": row["file"],
            "page_index": row["page_index"],
            "bbox": [row["x0"], row["y0"], row["x1"], row["y1"]],
            "exemptions": json.loads(row["exemptions"]),
            "statute": row["statute"] or None,
            "label": row["label"],
            "label_place": row["label_place"],
            "bad": bool(row["bad"]),
            "hidden_chars": row["hidden_chars"],
            "withheld_in_full": bool(row["withheld_in_full"]),
            "source": row["source"],
            "challenges": challenges.get(row["id"], []),
            "tags": tags.get(row["id"], []),
        }


def productions(matter: Matter) -> list[dict[str, Any]]:
    """Productions with their page and document counts, in tranche order."""
    return [
        dict(r)
        for r in matter.query(
            "SELECT pr.id, pr.name, pr.tranche, pr.source_path, pr.received_date, pr.loaded_at, "
            "(SELECT count(*) FROM pages p WHERE p.production_id = pr.id) AS pages, "
            "(SELECT count(*) FROM documents d WHERE d.production_id = pr.id) AS documents "
            "FROM productions pr ORDER BY pr.tranche"
        )
    ]


def documents(matter: Matter) -> list[dict[str, Any]]:
    """Documents with their segregability figures: pages, boxes, withheld pages, share redacted.

    ``redacted_share`` is the page-weighted mean of the pages' shares of text area redacted
    (a page withheld in full counts as 1.0).
    """
    rows = matter.query(
        "SELECT d.id, d.begbates, d.endbates, d.title, d.doc_type, d.doc_date, d.author, "
        "d.recipients, d.boundary_source, d.boundary, pr.name AS "
        "production, count(p.id) AS pages, coalesce(sum(p.redaction_count), 0) AS redactions, "
        "coalesce(sum(p.withheld_in_full), 0) AS withheld_pages, "
        "coalesce(avg(CASE WHEN p.withheld_in_full = 1 THEN 1.0 ELSE p.redacted_share END), 0) "
        "AS redacted_share FROM documents d JOIN productions pr ON pr.id = d.production_id "
        "LEFT JOIN pages p ON p.document_id = d.id GROUP BY d.id, pr.id "
        "ORDER BY pr.tranche, coalesce(min(p.id), 0), d.id"
    )
    out = []
    for r in rows:
        item = dict(r)
        item["boundary"] = _json_list(item.get("boundary"))
        item["redacted_share"] = round(item["redacted_share"], 4)
        item["disposition_hint"] = (
            "withheld in full" if item["pages"] and item["withheld_pages"] == item["pages"]
            else "released in part" if item["redactions"] else "released in full")
        out.append(item)
    return out


def _json_list(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []
