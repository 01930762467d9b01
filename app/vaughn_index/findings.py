"""Reading the reconciliation's findings, the entries that cover a page, and turning a finding
into a challenge.

:func:`findings` lists the current versions' findings (recomputed first when the matter changed
and is writable); :func:`entries_for_page` gives the entries covering a page with their
findings (the window's entry panel); :func:`challenge_finding` makes one challenge on the
finding's redactions (else its pages) through :func:`app.review.ops.add_challenge`, with the
finding's ground, a one-line argument and the agency's entry as evidence: one transaction,
undoable like every review op.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from app.errors import VaughnError
from app.matter.audit import Changes, Target
from app.matter.store import Matter
from app.review import ops
from app.vaughn_index.imports import current_index_ids
from app.vaughn_index.reconcile import DEFAULT_GROUND, GROUNDS, KINDS, ensure_current

__all__ = ["KINDS", "challenge_finding", "entries_for_page", "findings", "pages_with_findings"]

_FIELDS = ("f.id, f.index_id, f.kind, f.key, f.entry_id, f.codes, f.page_ids, f.redaction_ids, "
           "f.summary, f.evidence, f.challenge_op, e.row, e.item, e.bates, e.exemptions, "
           "e.justification, e.description, e.doc_date, i.file_name, i.version")
_FROM = ("FROM vaughn_findings f JOIN vaughn_indexes i ON i.id = f.index_id "
         "LEFT JOIN vaughn_entries e ON e.id = f.entry_id")


def _challenged(matter: Matter, op_id: str | None) -> bool:
    if not op_id:
        return False
    return bool(matter.scalar(
        "SELECT count(*) FROM audit_log a JOIN challenges c ON c.id = a.entity_id "
        "WHERE a.op_id = ? AND a.entity = 'challenges'", (op_id,)))


def _item(matter: Matter, r: dict[str, Any], bates: dict[int, str]) -> dict[str, Any]:
    page_ids = json.loads(r["page_ids"])
    entry = None
    if r["entry_id"] is not None:
        entry = {"id": r["entry_id"], "row": r["row"], "item": r["item"], "bates": r["bates"],
                 "exemptions": json.loads(r["exemptions"] or "[]"),
                 "justification": r["justification"], "description": r["description"],
                 "date": r["doc_date"]}
    return {
        "id": r["id"], "kind": r["kind"], "kind_label": KINDS.get(r["kind"], r["kind"]),
        "key": r["key"], "summary": r["summary"], "codes": json.loads(r["codes"]),
        "entry": entry, "page_ids": page_ids,
        "pages": [bates.get(p) for p in page_ids[:200]],
        "redaction_ids": json.loads(r["redaction_ids"]),
        "evidence": json.loads(r["evidence"]),
        "ground": GROUNDS.get(r["kind"], DEFAULT_GROUND),
        "index": {"id": r["index_id"], "file_name": r["file_name"], "version": r["version"]},
        "challenge_op": r["challenge_op"],
        "challenged": _challenged(matter, r["challenge_op"]),
    }


def _bates_of(matter: Matter, rows: list[Any]) -> dict[int, str]:
    wanted = sorted({p for r in rows for p in json.loads(r["page_ids"])[:200]})
    out: dict[int, str] = {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i:i + 500]
        out.update({pid: b for pid, b in matter.conn.execute(
            f"SELECT id, bates FROM pages WHERE id IN ({','.join('?' * len(chunk))})", chunk)})
    return out


def findings(matter: Matter, *, kinds: list[str] | None = None, refresh: bool = True
             ) -> list[dict[str, Any]]:
    """The findings of every current index version, by entry row then kind."""
    if refresh:
        ensure_current(matter)
    ids = current_index_ids(matter)
    if not ids:
        return []
    where = f"f.index_id IN ({','.join('?' * len(ids))})"
    params: list[Any] = list(ids)
    if kinds:
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise VaughnError(f"unknown finding kind(s): {', '.join(sorted(unknown))}; "
                              f"choose from {', '.join(KINDS)}")
        where += f" AND f.kind IN ({','.join('?' * len(kinds))})"
        params += kinds
    rows = matter.query(f"SELECT {_FIELDS} {_FROM} WHERE {where} "
                        "ORDER BY f.index_id, e.row IS NULL, e.row, f.id", params)
    bates = _bates_of(matter, rows)
    return [_item(matter, r, bates) for r in rows]


def finding(matter: Matter, finding_id: int) -> dict[str, Any]:
    """One finding by id; VaughnError when there is none."""
    rows = matter.query(f"SELECT {_FIELDS} {_FROM} WHERE f.id = ?", (finding_id,))
    if not rows:
        raise VaughnError(f"no Vaughn index finding {finding_id}")
    return _item(matter, rows[0], _bates_of(matter, rows))


def entries_for_page(matter: Matter, page_id: int) -> list[dict[str, Any]]:
    """The current index entries covering ``page_id``, each with the findings on this page."""
    ids = current_index_ids(matter)
    if not ids:
        return []
    rows = matter.query(
        "SELECT e.id, e.row, e.item, e.bates, e.doc_date, e.description, e.exemptions, "
        "e.justification, e.disposition, i.file_name, i.version FROM vaughn_entry_pages ep "
        "JOIN vaughn_entries e ON e.id = ep.entry_id JOIN vaughn_indexes i ON i.id = e.index_id "
        f"WHERE ep.page_id = ? AND e.index_id IN ({','.join('?' * len(ids))}) ORDER BY e.row",
        (page_id, *ids))
    out = []
    for r in rows:
        found = matter.query(
            "SELECT f.id, f.kind, f.summary, f.challenge_op FROM vaughn_findings f WHERE "
            "f.entry_id = ? ORDER BY f.id", (r["id"],))
        out.append({**dict(r), "exemptions": json.loads(r["exemptions"] or "[]"),
                    "findings": [{"id": f["id"], "kind": f["kind"], "summary": f["summary"],
                                  "challenged": _challenged(matter, f["challenge_op"])}
                                 for f in found]})
    return out


def page_findings(matter: Matter, page_id: int) -> list[dict[str, Any]]:
    """Findings of the current versions that name ``page_id`` (also those of no entry)."""
    ids = current_index_ids(matter)
    if not ids:
        return []
    return [dict(r) for r in matter.query(
        "SELECT f.id, f.kind, f.summary FROM vaughn_finding_pages fp JOIN vaughn_findings f "
        f"ON f.id = fp.finding_id WHERE fp.page_id = ? AND f.index_id IN "
        f"({','.join('?' * len(ids))}) ORDER BY f.id", (page_id, *ids))]


def pages_with_findings(matter: Matter) -> set[int]:
    """Ids of the pages any current finding names (the window's findings filter)."""
    ids = current_index_ids(matter)
    if not ids:
        return set()
    return {int(r[0]) for r in matter.conn.execute(
        "SELECT DISTINCT fp.page_id FROM vaughn_finding_pages fp JOIN vaughn_findings f ON "
        f"f.id = fp.finding_id WHERE f.index_id IN ({','.join('?' * len(ids))})", ids)}


def entry_for_pages(matter: Matter, page_ids: list[int]) -> dict[int, dict[str, Any]]:
    """For each page, the first current entry covering it (its item, Bates, justification)."""
    ensure_current(matter)
    ids = current_index_ids(matter)
    out: dict[int, dict[str, Any]] = {}
    if not ids or not page_ids:
        return out
    wanted = sorted(set(page_ids))
    for i in range(0, len(wanted), 500):
        chunk = wanted[i:i + 500]
        for r in matter.query(
            "SELECT ep.page_id, e.row, e.item, e.bates, e.exemptions, e.justification "
            "FROM vaughn_entry_pages ep JOIN vaughn_entries e ON e.id = ep.entry_id "
            f"WHERE ep.page_id IN ({','.join('?' * len(chunk))}) AND e.index_id IN "
            f"({','.join('?' * len(ids))}) ORDER BY e.index_id DESC, e.row DESC",
                [*chunk, *ids]):
            out[r["page_id"]] = dict(r)
    return out


def challenge_finding(matter: Matter, reviewer: str, finding_id: int, *,
                      op_id: str | None = None) -> Changes:
    """Challenge the finding's redactions (else its pages) on its ground; one transaction.

    A finding already made a challenge (and not undone) is refused rather than doubled.
    """
    ensure_current(matter)
    f = finding(matter, finding_id)
    if f["challenged"]:
        raise VaughnError(f"finding {finding_id} is already a challenge (op {f['challenge_op']}; "
                          "undo it to make it again)")
    targets: list[Target] = [("redaction", r) for r in f["redaction_ids"]]
    if not targets:
        targets = [("page", p) for p in f["page_ids"]]
    if not targets:
        raise VaughnError(f"finding {finding_id} names no page of the production to challenge "
                          f"({f['summary']})")
    entry = f["entry"]
    cite = f"Vaughn index {f['index']['file_name']} (v{f['index']['version']})"
    if entry:
        cite += f", entry {entry['item'] or 'row ' + str(entry['row'])} ({entry['bates']})"
    op_id = op_id or uuid.uuid4().hex
    with matter.write() as conn:
        changes = ops.add_challenge(
            matter, reviewer, targets, op_id=op_id, grounds=[f["ground"]],
            argument=f"{f['kind_label']}: {f['summary']}", evidence_cite=cite,
            evidence_passage=(entry["justification"] if entry else "")[:1000])
        conn.execute("UPDATE vaughn_findings SET challenge_op = ? WHERE id = ?",
                     (op_id, finding_id))
    return changes


def evidence_text(f: dict[str, Any]) -> str:
    """A finding's evidence in one cell: the words, counts or entries behind it."""
    ev = f["evidence"]
    kind = f["kind"]
    if "looked_for" in ev:
        missing = ev.get("missing")
        text = f"claimed {', '.join(ev.get('trigger', []))}; "
        if missing:
            return text + f"does not say: {', '.join(missing)} (found only: " \
                f"{', '.join(ev.get('found') or []) or 'none'})"
        return text + f"none of these words: {', '.join(ev['looked_for'])}"
    if kind == "boilerplate":
        same = "identical" if ev.get("identical") else (
            f"near-identical (similarity ≥ {ev.get('min_similarity')}, threshold "
            f"{ev.get('threshold')})")
        rows = ", ".join(map(str, ev.get("entries", [])))
        return (f"{same} text in {ev.get('count')} entries (rows {rows}); exemption sets: "
                + "; ".join(", ".join(s) or "none" for s in ev.get("exemption_sets", [])))
    if kind == "page_count_mismatch":
        return "; ".join(f"{d['field'].replace('_', ' ')}: index {d['index']}, received "
                         f"{d['received']}" for d in ev.get("disagreements", []))
    if kind == "overlap":
        return (f"also in row {ev.get('other_entry')} ({ev.get('other_bates')}): "
                + ", ".join(ev.get("pages", [])))
    if kind == "range_not_produced":
        return f"{ev.get('found', 0)} of {ev.get('expected', 0)} pages found"
    if kind in ("unclaimed_exemption", "unused_claim"):
        claimed = ", ".join(ev.get("claimed", [])) or "none"
        extra = (f"{ev.get('redactions')} redaction(s) on " + ", ".join(ev.get("pages", []))
                 if kind == "unclaimed_exemption" else
                 f"stamped on its pages: {', '.join(ev.get('stamped', [])) or 'none'}")
        return f"entry claims {claimed}; {extra}"
    return ", ".join(ev.get("pages", []))
