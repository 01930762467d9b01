"""Consistency finder: passages withheld in one place and released in another.

Findings come from what the matter itself proves, never from text hidden under a bad redaction:

* ``released_in_other_version``: a redaction of one version of a matched record whose passage
  the other version shows (lifted or added, :mod:`app.compare.diff`), with the released text.
* ``released_elsewhere``: that released passage (at least :data:`MIN_WORDS` words) also appears
  in the visible text of other pages anywhere in the matter (full-text phrase search), so the
  same sentence or name in the same words is public there too.
* ``different_exemptions``: the same passage redacted under different exemptions in different
  places (a re-coded box between versions, or one released passage withheld under different
  codes by different redactions).

Each finding has both locations (page id, Bates, and the redaction id and bbox where redacted).
Limit: a passage that no version releases is only known by its box, so two redactions of the
same never-released name in different documents are not linked.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

from app.compare import diff as _diff
from app.compare import match as _match
from app.matter.store import Matter
from app.search.text_index import for_conn

MIN_WORDS = 2
MAX_ELSEWHERE = 20  # pages listed per passage


def _where(matter: Matter, page_id: int) -> dict[str, Any]:
    row = matter.conn.execute(
        "SELECT p.bates, pr.name FROM pages p JOIN productions pr ON pr.id = p.production_id "
        "WHERE p.id = ?", (page_id,)).fetchone()
    return {"page_id": page_id, "bates": row[0] if row else None,
            "production": row[1] if row else None}


def _phrase_pages(matter: Matter, text: str) -> list[int]:
    words = _match.tokens(text)
    if len(words) < MIN_WORDS:
        return []
    query = '"' + " ".join(words) + '"'
    try:
        return list(itertools.islice(for_conn(matter.conn).ordered(query), MAX_ELSEWHERE + 5))
    except Exception:  # an FTS syntax corner case: no extra findings for this passage
        return []


def findings(matter: Matter, result: _match.MatchResult | None = None) -> list[dict[str, Any]]:
    """Every consistency finding in the matter (see the module docstring)."""
    result = result or _match.match(matter)
    out: list[dict[str, Any]] = []
    by_passage: dict[str, list[tuple[int, int, tuple[str, ...]]]] = defaultdict(list)
    for pair in result.pairs:
        for ch in _diff.diff_pair(matter, pair):
            if ch.kind == "recoded":
                out.append({"kind": "different_exemptions",
                            "a": {**_where(matter, ch.a_page), "redaction_id": ch.a_redaction,
                                  "bbox": list(ch.a_bbox), "exemptions": list(ch.a_exemptions)},
                            "b": {**_where(matter, ch.b_page), "redaction_id": ch.b_redaction,
                                  "bbox": list(ch.b_bbox), "exemptions": list(ch.b_exemptions)},
                            "text": None})
                continue
            rid = ch.a_redaction if ch.kind == "lifted" else ch.b_redaction
            red_page, shown = ((ch.a_page, ch.b_page) if ch.kind == "lifted"
                               else (ch.b_page, ch.a_page))
            codes = ch.a_exemptions if ch.kind == "lifted" else ch.b_exemptions
            redacted = {**_where(matter, red_page), "redaction_id": rid,
                        "bbox": list(ch.a_bbox), "exemptions": list(codes)}
            out.append({"kind": "released_in_other_version", "redacted": redacted,
                        "released": _where(matter, shown), "text": ch.text})
            if not ch.text:
                continue
            key = " ".join(_match.tokens(ch.text))
            by_passage[key].append((int(rid or 0), red_page, codes))
            for pid in _phrase_pages(matter, ch.text)[:MAX_ELSEWHERE]:
                if pid in (ch.a_page, ch.b_page):
                    continue
                out.append({"kind": "released_elsewhere", "redacted": redacted,
                            "released": _where(matter, pid), "text": ch.text})
    for key, items in by_passage.items():
        coded: dict[Any, Any] = {}
        for rid, pid, codes in items:
            if codes:
                coded.setdefault(codes, (rid, pid))
        if len(coded) > 1:
            (c1, (r1, p1)), (c2, (r2, p2)) = list(coded.items())[:2]
            out.append({"kind": "different_exemptions",
                        "a": {**_where(matter, p1), "redaction_id": r1, "exemptions": list(c1)},
                        "b": {**_where(matter, p2), "redaction_id": r2, "exemptions": list(c2)},
                        "text": key})
    return out
