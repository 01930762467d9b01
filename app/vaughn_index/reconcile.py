"""Reconciling the agency's Vaughn index with the production: findings, stored in the matter.

For the current version of each index, every entry is lined up with the pages its Bates ranges
name (``vaughn_entry_pages``) and the redactions on them, and each discrepancy becomes a row
of ``vaughn_findings`` (kinds in :data:`KINDS`) with its pages, redactions, codes and the
evidence behind it. The findings are recomputed when the matter changes: :func:`matter_state`
is a cheap fingerprint of pages, redactions, codes, documents and the review's audit log, and
:func:`ensure_current` reconciles again when it differs from the one stored at the last run.
A finding keeps its id and the challenge made from it (``challenge_op``) across recomputations,
by its key.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.matter.store import Matter
from app.review.ops import effective_exemptions
from app.vaughn_index import boilerplate, rules
from app.vaughn_index.ranges import BatesRange, PageFinder
from app.vocabulary import order_codes

KINDS: dict[str, str] = {
    "unclaimed_exemption": "Exemption stamped on the pages but not claimed by the entry",
    "unused_claim": "Exemption claimed by the entry but on none of its pages",
    "uncovered_pages": "Pages withheld in full that no entry covers",
    "uncovered_document": "Document with withholdings that no entry covers",
    "range_not_produced": "Entry's Bates range is not (all) in the production",
    "overlap": "Entry's pages overlap another entry",
    "page_count_mismatch": "Entry's page figures disagree with the pages received",
    "boilerplate": "Same justification across many entries or exemptions",
    "no_law_enforcement_purpose": "(b)(7) claim naming no law-enforcement purpose",
    "no_technique": "(b)(7)(E) claim naming no technique or procedure",
    "b5_no_privilege": "(b)(5) claim naming no privilege",
    "b5_not_deliberative": "(b)(5) claim not shown pre-decisional and deliberative",
}
# The challenge ground a finding becomes (app/vocabulary.py GROUNDS).
GROUNDS: dict[str, str] = {
    "no_law_enforcement_purpose": "not_law_enforcement",
    "no_technique": "not_technique",
    "b5_no_privilege": "exemption5_defects",
    "b5_not_deliberative": "exemption5_defects",
    "uncovered_pages": "segregability",
}
DEFAULT_GROUND = "inadequate_index"
_MAX_LISTED = 25


@dataclass(frozen=True)
class PageRow:
    """What reconciliation needs of one page."""

    id: int
    bates: str | None
    disposition: str | None  # the reviewer's key, or None
    withheld_in_full: bool
    redaction_count: int

    @property
    def disposition_key(self) -> str:
        """The reviewer's disposition, else withheld in full / released in part / in full."""
        if self.disposition:
            return self.disposition
        if self.withheld_in_full:
            return "withheld_in_full"
        return "released_in_part" if self.redaction_count else "released_in_full"


@dataclass
class _Finding:
    kind: str
    key: str
    entry_id: int | None
    summary: str
    codes: list[str] = field(default_factory=list)
    page_ids: list[int] = field(default_factory=list)
    redaction_ids: list[int] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)


def matter_state(matter: Matter) -> str:
    """A fingerprint of what reconciliation reads (not of the Vaughn tables themselves).

    Review writes count only when they touch redactions, pages or documents (codes,
    dispositions, record boundaries): a tag, note or challenge changes no finding.
    """
    row = matter.conn.execute(
        "SELECT (SELECT coalesce(max(id), 0) FROM (SELECT id FROM audit_log WHERE entity IN "
        "('redactions', 'pages', 'documents') ORDER BY id DESC LIMIT 1)), "
        "(SELECT count(*) || ':' || coalesce(max(id), 0) || ':' || total(withheld_in_full) || "
        "':' || total(redaction_count) || ':' || total(bates_number) || ':' || "
        "total(document_id) FROM pages), "
        "(SELECT count(*) || ':' || coalesce(max(id), 0) FROM redactions), "
        "(SELECT count(*) || ':' || total(n) FROM search_codes), "
        "(SELECT count(*) || ':' || coalesce(max(id), 0) FROM documents), "
        "(SELECT count(*) FROM productions)").fetchone()
    return "|".join(str(v) for v in row)


def _label(entry: dict[str, Any]) -> str:
    item = f"entry {entry['item']}" if entry["item"] else f"row {entry['row']}"
    return f"{item} ({entry['bates'].splitlines()[0][:60]})" if entry["bates"] else item


def _bates_list(info: dict[int, PageRow], ids: Iterable[int]) -> list[str]:
    out = [info[p].bates or f"page {p}" for p in ids if p in info]
    return out[:_MAX_LISTED] + ([f"... {len(out) - _MAX_LISTED} more"]
                                if len(out) > _MAX_LISTED else [])


def _scope_pages(matter: Matter, production_id: int | None) -> list[tuple[Any, ...]]:
    sql = ("SELECT id, bates_prefix, bates_number, document_id, bates, disposition, "
           "withheld_in_full, redaction_count FROM pages")
    if production_id is None:
        return matter.conn.execute(sql + " ORDER BY id").fetchall()
    return matter.conn.execute(sql + " WHERE production_id = ? ORDER BY id",
                               (production_id,)).fetchall()


def _redactions(matter: Matter, production_id: int | None
                ) -> dict[int, list[tuple[int, list[str]]]]:
    sql = ("SELECT r.id, r.page_id, r.exemptions, r.exemptions_reviewed FROM redactions r "
           "JOIN pages p ON p.id = r.page_id")
    params: tuple[int, ...] = ()
    if production_id is not None:
        sql += " WHERE p.production_id = ?"
        params = (production_id,)
    out: dict[int, list[tuple[int, list[str]]]] = defaultdict(list)
    # a matter holds few distinct code lists: each JSON text is parsed once (the lists are
    # shared, read only; parsing every row was half of a 20,000-page reconciliation)
    parsed: dict[tuple[str | None, str | None], list[str]] = {}
    for rid, pid, stamped, reviewed in matter.conn.execute(sql + " ORDER BY r.id", params):
        key = (stamped, reviewed)
        codes = parsed.get(key)
        if codes is None:
            codes = parsed[key] = effective_exemptions(stamped, reviewed)
        out[pid].append((rid, codes))
    return out


def _compute(matter: Matter, index_id: int) -> tuple[list[_Finding], dict[int, list[int]]]:
    prod = matter.scalar("SELECT production_id FROM vaughn_indexes WHERE id = ?", (index_id,))
    pages = _scope_pages(matter, prod)
    finder = PageFinder((p[0], p[1], p[2]) for p in pages)
    info = {p[0]: PageRow(p[0], p[4], p[5], bool(p[6]), p[7] or 0) for p in pages}
    reds = _redactions(matter, prod)
    scope = ("any production" if prod is None else "production " + repr(matter.scalar(
        "SELECT name FROM productions WHERE id = ?", (prod,))))
    entries = matter.query(
        "SELECT e.id, e.row, e.item, e.bates, e.ranges, e.exemptions, e.justification, "
        "e.page_count, e.pages_released, e.pages_withheld_in_part, e.pages_withheld_in_full, "
        "e.disposition, (SELECT count(*) FROM json_each(i.columns) WHERE json_each.key = "
        "'pages_withheld_in_part') AS has_part FROM vaughn_entries e JOIN vaughn_indexes i ON "
        "i.id = e.index_id WHERE e.index_id = ? ORDER BY e.row",
        (index_id,))
    found: list[_Finding] = []
    entry_pages: dict[int, list[int]] = {}
    for e in entries:
        ranges = [BatesRange(**r) for r in json.loads(e["ranges"] or "[]")]
        ids: list[int] = []
        expected = 0
        for r in ranges:
            expected += r.size
            ids.extend(finder.pages(r))
        ids = list(dict.fromkeys(ids))
        entry_pages[e["id"]] = ids
        found.extend(_entry_findings(e, ranges, ids, expected, info, reds, scope))
    found.extend(_overlaps(entries, entry_pages, info))
    found.extend(_boilerplate(_groups(matter, index_id, entries), entries, entry_pages, reds))
    found.extend(_uncovered(pages, entry_pages, info, reds))
    return found, entry_pages


def _entry_findings(e: dict[str, Any], ranges: list[BatesRange], ids: list[int],
                    expected: int, info: dict[int, PageRow],
                    reds: dict[int, list[tuple[int, list[str]]]], scope: str
                    ) -> list[_Finding]:
    out: list[_Finding] = []
    label = _label(e)
    claimed = json.loads(e["exemptions"] or "[]")
    if not ranges:
        out.append(_Finding("range_not_produced", f"range_not_produced:{e['row']}", e["id"],
                            f"{label}: no Bates number could be read in {e['bates']!r}",
                            evidence={"bates": e["bates"], "expected": 0, "found": 0}))
    elif len(ids) < expected:
        missing = expected - len(ids)
        what = (f"is not in {scope}" if not ids
                else f"has {missing} of its {expected} pages missing from {scope}")
        out.append(_Finding("range_not_produced", f"range_not_produced:{e['row']}", e["id"],
                            f"{label}: the Bates range {what}", page_ids=ids,
                            evidence={"bates": e["bates"], "expected": expected,
                                      "found": len(ids), "missing": missing}))
    stamped: dict[str, list[int]] = defaultdict(list)
    stamped_pages: dict[str, list[int]] = defaultdict(list)
    for pid in ids:
        for rid, codes in reds.get(pid, []):
            for code in codes:
                stamped[code].append(rid)
                if not stamped_pages[code] or stamped_pages[code][-1] != pid:
                    stamped_pages[code].append(pid)
    for code in order_codes(set(stamped) - set(claimed)):
        out.append(_Finding(
            "unclaimed_exemption", f"unclaimed_exemption:{e['row']}:{code}", e["id"],
            f"{label}: {code} is stamped on {len(stamped_pages[code])} page(s) "
            f"({len(stamped[code])} redaction(s)) but the entry does not claim it",
            [code], stamped_pages[code], stamped[code],
            {"code": code, "claimed": claimed, "redactions": len(stamped[code]),
             "pages": _bates_list(info, stamped_pages[code])}))
    if ids:
        for code in order_codes(set(claimed) - set(stamped)):
            out.append(_Finding(
                "unused_claim", f"unused_claim:{e['row']}:{code}", e["id"],
                f"{label}: claims {code} but no redaction on its {len(ids)} page(s) is "
                f"marked {code}", [code], ids, [],
                {"code": code, "claimed": claimed, "stamped": order_codes(stamped),
                 "pages": len(ids)}))
    if ids:
        disagreements = _count_disagreements(e, ids, info)
        if disagreements:
            text = "; ".join(f"{d['field'].replace('_', ' ')}: index {d['index']}, received "
                             f"{d['received']}" for d in disagreements)
            out.append(_Finding("page_count_mismatch", f"page_count_mismatch:{e['row']}",
                                e["id"], f"{label}: {text}", claimed, ids, [],
                                {"disagreements": disagreements}))
    for hit in rules.check(claimed, e["justification"] or ""):
        codes = [c for c in claimed if c == hit.code or (
            hit.kind == "no_law_enforcement_purpose" and c.startswith("(b)(7)"))]
        rids = [rid for pid in ids for rid, cs in reds.get(pid, []) if set(cs) & set(codes)]
        pids = list(dict.fromkeys(pid for pid in ids for rid, cs in reds.get(pid, [])
                                  if set(cs) & set(codes))) or ids
        out.append(_Finding(hit.kind, f"{hit.kind}:{e['row']}", e["id"],
                            f"{label}: {hit.summary}", codes, pids, rids,
                            {**hit.evidence, "justification": (e["justification"] or "")[:300]}))
    return out


def _count_disagreements(e: dict[str, Any], ids: list[int], info: dict[int, PageRow]
                         ) -> list[dict[str, Any]]:
    keys = [info[p].disposition_key for p in ids if p in info]
    rif = keys.count("released_in_full")
    rip = keys.count("released_in_part")
    wif = keys.count("withheld_in_full")
    # "Pages released" next to a "withheld in part" column means released in full; alone, it
    # means every page released (in full or in part).
    released = rif if e["has_part"] else rif + rip
    out = []
    for name, received in (("page_count", len(ids)), ("pages_released", released),
                           ("pages_withheld_in_part", rip), ("pages_withheld_in_full", wif)):
        if e[name] is not None and e[name] != received:
            out.append({"field": name, "index": e[name], "received": received})
    disp = e["disposition"]
    if disp:
        actual = ("withheld_in_full" if wif == len(keys) else
                  "released_in_full" if rif == len(keys) else "released_in_part")
        if disp != actual:
            out.append({"field": "disposition", "index": disp.replace("_", " "),
                        "received": actual.replace("_", " ")})
    return out


def _overlaps(entries: Sequence[dict[str, Any]], entry_pages: dict[int, list[int]],
              info: dict[int, PageRow]) -> list[_Finding]:
    by_page: dict[int, list[int]] = defaultdict(list)
    for e in entries:
        for pid in entry_pages[e["id"]]:
            by_page[pid].append(e["id"])
    shared: dict[tuple[int, int], list[int]] = defaultdict(list)
    for pid, owners in by_page.items():
        for i, a in enumerate(owners):
            for b in owners[i + 1:]:
                shared[(a, b)].append(pid)
    by_id = {e["id"]: e for e in entries}
    out = []
    for (a, b), pids in sorted(shared.items()):
        first, later = by_id[a], by_id[b]
        out.append(_Finding(
            "overlap", f"overlap:{later['row']}:{first['row']}", b,
            f"{_label(later)}: {len(pids)} page(s) also covered by {_label(first)}",
            [], pids, [], {"other_entry": first["row"], "other_item": first["item"],
                           "other_bates": first["bates"], "pages": _bates_list(info, pids)}))
    return out


def _groups(matter: Matter, index_id: int, entries: Sequence[dict[str, Any]]
            ) -> list[dict[str, Any]]:
    """The version's boilerplate groups (entry ids), computed once and kept with the version."""
    cached = matter.scalar("SELECT boilerplate FROM vaughn_indexes WHERE id = ?", (index_id,))
    if cached is not None:
        return list(json.loads(cached))
    codes = [json.loads(e["exemptions"] or "[]") for e in entries]
    found = [{"members": [entries[i]["id"] for i in g.members],
              "exemption_sets": [list(x) for x in g.exemption_sets],
              "identical": g.identical, "min_score": g.min_score}
             for g in boilerplate.groups([e["justification"] or "" for e in entries], codes)]
    with matter.write() as conn:
        conn.execute("UPDATE vaughn_indexes SET boilerplate = ? WHERE id = ?",
                     (json.dumps(found), index_id))
    return found


def _boilerplate(groups: list[dict[str, Any]], entries: Sequence[dict[str, Any]],
                 entry_pages: dict[int, list[int]],
                 reds: dict[int, list[tuple[int, list[str]]]]) -> list[_Finding]:
    by_id = {e["id"]: e for e in entries}
    out = []
    for group in groups:
        members = [by_id[i] for i in group["members"] if i in by_id]
        rows = [e["row"] for e in members]
        spans = len(group["exemption_sets"])
        for e in members:
            ids = entry_pages[e["id"]]
            claimed = set(json.loads(e["exemptions"] or "[]"))
            rids = [rid for pid in ids for rid, cs in reds.get(pid, []) if set(cs) & claimed]
            out.append(_Finding(
                "boilerplate", f"boilerplate:{e['row']}", e["id"],
                f"{_label(e)}: the same justification is used by {len(members)} "
                f"entries" + (f" for {spans} different exemption sets" if spans > 1 else "")
                + ("" if group["identical"] else " (near-identical wording)"),
                order_codes(claimed), ids, rids,
                {"count": len(members), "entries": rows[:_MAX_LISTED],
                 "exemption_sets": group["exemption_sets"],
                 "identical": group["identical"],
                 "min_similarity": round(group["min_score"], 1),
                 "threshold": boilerplate.THRESHOLD,
                 "justification": (e["justification"] or "")[:300]}))
    return out


def _uncovered(pages: list[tuple[Any, ...]], entry_pages: dict[int, list[int]],
               info: dict[int, PageRow], reds: dict[int, list[tuple[int, list[str]]]]
               ) -> list[_Finding]:
    covered = {p for ids in entry_pages.values() for p in ids}
    by_doc: dict[int, list[int]] = defaultdict(list)
    for page in pages:  # (id, prefix, number, document_id, ...)
        by_doc[page[3]].append(page[0])
    out = []
    for did, pids in by_doc.items():
        withheld = [p for p in pids if p in info and (
            info[p].disposition_key == "withheld_in_full" or reds.get(p))]
        if not withheld:
            continue
        rids = [rid for p in withheld for rid, _ in reds.get(p, [])]
        if not covered.intersection(pids):
            out.append(_Finding(
                "uncovered_document", f"uncovered_document:{did}", None,
                f"document {_span(info, pids)}: {len(withheld)} page(s) with withholdings, "
                f"and no entry of the index covers it", [], withheld, rids,
                {"document_id": did, "first_bates": info[pids[0]].bates if pids[0] in info
                 else None, "pages": _bates_list(info, withheld)}))
            continue
        wif = [p for p in withheld if info[p].disposition_key == "withheld_in_full"
               and p not in covered]
        if wif:
            out.append(_Finding(
                "uncovered_pages", f"uncovered_pages:{did}", None,
                f"{_span(info, wif)}: {len(wif)} page(s) withheld in full that no entry "
                "covers", [], wif, [rid for p in wif for rid, _ in reds.get(p, [])],
                {"document_id": did, "first_bates": info[pids[0]].bates if pids[0] in info
                 else None, "pages": _bates_list(info, wif)}))
    return out


def _span(info: dict[int, PageRow], pids: list[int]) -> str:
    names = [info[p].bates or f"page {p}" for p in pids if p in info]
    if not names:
        return "(no pages)"
    return names[0] if len(names) == 1 else f"{names[0]}..{names[-1]}"


def reconcile_index(matter: Matter, index_id: int) -> int:
    """Recompute one version's entry pages and findings; returns how many findings."""
    found, entry_pages = _compute(matter, index_id)
    state = matter_state(matter)
    with matter.write() as conn:
        # the same finding keeps its id (a listed id stays valid) and its challenge
        kept = {k: (fid, op) for fid, k, op in conn.execute(
            "SELECT id, key, challenge_op FROM vaughn_findings WHERE index_id = ?",
            (index_id,))}
        conn.execute("DELETE FROM vaughn_findings WHERE index_id = ?", (index_id,))
        conn.execute("DELETE FROM vaughn_entry_pages WHERE entry_id IN (SELECT id FROM "
                     "vaughn_entries WHERE index_id = ?)", (index_id,))
        conn.executemany("INSERT INTO vaughn_entry_pages(entry_id, page_id) VALUES (?, ?)",
                         [(eid, p) for eid, ids in entry_pages.items() for p in ids])
        # findings that keep their id first, so a new one's id cannot take a kept one's
        for f in sorted(found, key=lambda f: f.key not in kept):
            old_id, op = kept.get(f.key, (None, None))
            cur = conn.execute(
                "INSERT INTO vaughn_findings(id, index_id, kind, key, entry_id, codes, "
                "page_ids, redaction_ids, summary, evidence, challenge_op) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (old_id, index_id, f.kind, f.key, f.entry_id, json.dumps(f.codes),
                 json.dumps(f.page_ids), json.dumps(f.redaction_ids), f.summary,
                 json.dumps(f.evidence, ensure_ascii=False), op))
            fid = int(cur.lastrowid or 0)
            conn.executemany("INSERT INTO vaughn_finding_pages(finding_id, page_id) "
                             "VALUES (?, ?) ON CONFLICT DO NOTHING", [(fid, p) for p in f.page_ids])
        conn.execute("UPDATE vaughn_indexes SET reconciled_state = ? WHERE id = ?",
                     (state, index_id))
    return len(found)


def reconcile(matter: Matter) -> int:
    """Recompute the findings of every current index version; returns the total."""
    from app.vaughn_index.imports import current_index_ids

    return sum(reconcile_index(matter, i) for i in current_index_ids(matter))


def ensure_current(matter: Matter) -> bool:
    """Reconcile again when the matter changed since the last run (not on a read-only matter).

    Returns True when it recomputed.
    """
    from app.vaughn_index.imports import current_index_ids

    if matter.read_only:
        return False
    ids = current_index_ids(matter)
    if not ids:
        return False
    state = matter_state(matter)
    stale = [i for i in ids if matter.scalar(
        "SELECT reconciled_state FROM vaughn_indexes WHERE id = ?", (i,)) != state]
    for i in stale:
        reconcile_index(matter, i)
    return bool(stale)
