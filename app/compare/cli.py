"""``vaughn compare`` and ``vaughn accounting``: the command-line side of app/compare.

app/cli.py registers the parsers with :func:`add_parsers` and dispatches to
:func:`cmd_compare` / :func:`cmd_accounting` (it imports them by name).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.matter.server import matter_location


def add_parsers(sub: Any) -> None:
    """Add the ``compare`` and ``accounting`` subcommands."""
    p = sub.add_parser("compare", help="match re-released records across tranches and list "
                       "redactions lifted, added or re-coded")
    p.add_argument("matter", type=matter_location)
    p.add_argument("--findings", action="store_true",
                   help="also list consistency findings (passages redacted here, public there)")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("accounting", help="per production: Bates gaps, duplicates, order, "
                       "pages withheld in full, count against the agency's letter")
    p.add_argument("matter", type=matter_location)
    p.add_argument("--letter-count", action="append", default=[], metavar="PRODUCTION=N",
                   help="record the page count the agency's letter claims (repeatable)")
    p.add_argument("--json", action="store_true")


def _emit(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def _side(matter: Any, doc_id: int, page_ids: list[int]) -> dict[str, Any]:
    first, last = page_ids[0], page_ids[-1]
    row = matter.conn.execute(
        "SELECT pr.name, pr.tranche, d.title FROM documents d JOIN productions pr "
        "ON pr.id = d.production_id WHERE d.id = ?", (doc_id,)).fetchone()
    b1 = matter.scalar("SELECT bates FROM pages WHERE id = ?", (first,))
    b2 = matter.scalar("SELECT bates FROM pages WHERE id = ?", (last,))
    return {"bates": b1 if b1 == b2 else f"{b1}..{b2}", "document_id": doc_id,
            "production": row[0], "tranche": row[1], "title": row[2], "pages": page_ids}


def compare_json(matter: Any, with_findings: bool = False) -> dict[str, Any]:
    """Matched pairs with their differences (what ``vaughn compare --json`` prints)."""
    from app.compare import consistency, diff, match

    result = match.match(matter)
    pairs = []
    for pair in result.pairs:
        changes = [diff.change_json(matter, c) for c in diff.diff_pair(matter, pair)]
        pairs.append({
            "a": _side(matter, pair.a, [pp.a for pp in pair.pages]),
            "b": _side(matter, pair.b, [pp.b for pp in pair.pages]),
            "score": pair.score,
            "methods": sorted({pp.method for pp in pair.pages}),
            "lifted": [c for c in changes if c["kind"] == "lifted"],
            "added": [c for c in changes if c["kind"] == "added"],
            "recoded": [c for c in changes if c["kind"] == "recoded"],
        })
    out: dict[str, Any] = {"pages": result.pages, "seconds": round(result.seconds, 3),
                           "pairs": pairs}
    if with_findings:
        out["findings"] = consistency.findings(matter, result)
    return out


def cmd_compare(args: argparse.Namespace) -> int:
    """``vaughn compare MATTER [--findings] [--json]``."""
    from app.matter.store import Matter

    with Matter.open(args.matter) as matter:
        data = compare_json(matter, args.findings)
    if args.json:
        _emit(data)
        return 0
    for p in data["pairs"]:
        print(f"{p['a']['bates']} ({p['a']['production']})  ~  {p['b']['bates']} "
              f"({p['b']['production']})  score {p['score']:.2f}: {len(p['lifted'])} lifted, "
              f"{len(p['added'])} added, {len(p['recoded'])} re-coded")
        for c in p["lifted"]:
            print(f"    lifted  {c['a_bates']} {'/'.join(c['a_exemptions']) or '?'}: "
                  f"{c['text'] if c['text'] is not None else '(text unavailable)'}")
    for f in data.get("findings", ()):
        print(f"finding {f['kind']}: {json.dumps(f, ensure_ascii=False)}")
    print(f"{len(data['pairs'])} matched pair(s) among {data['pages']} pages "
          f"in {data['seconds']:.1f} s", file=sys.stderr)
    return 0


def cmd_accounting(args: argparse.Namespace) -> int:
    """``vaughn accounting MATTER [--letter-count PRODUCTION=N] [--json]``."""
    from app.compare.accounting import (
        AccountingError,
        accounting,
        find_production,
        set_letter_page_count,
    )
    from app.matter.store import Matter

    with Matter.open(args.matter) as matter:
        for item in args.letter_count:
            name, sep, count = item.rpartition("=")
            if not sep or not count.strip().isdigit():
                raise AccountingError(f"--letter-count wants PRODUCTION=N, not {item!r}")
            set_letter_page_count(matter, find_production(matter, name), int(count))
        data = accounting(matter)
    if args.json:
        _emit(data)
        return 0
    for a in data:
        letter = ("" if a["letter_page_count"] is None else
                  f"; letter says {a['letter_page_count']} ({a['letter_difference']:+d})")
        print(f"{a['production']} (tranche {a['tranche']}): {a['pages']} pages "
              f"{a['first_bates']}..{a['last_bates']}; {len(a['gaps'])} gap(s) "
              f"({a['missing_numbers']} numbers), {len(a['duplicates'])} duplicate(s), "
              f"{len(a['out_of_order'])} out of order, {a['withheld_in_full']} withheld in full, "
              f"{a['no_bates']} without Bates{letter}")
        for g in a["gaps"]:
            print(f"    gap        {g['first']}..{g['last']} ({g['count']})")
        for d in a["duplicates"]:
            print(f"    duplicate  {d['bates']} x{d['count']}")
        for o in a["out_of_order"]:
            print(f"    order      {o['bates']} after {o['after']}")
    return 0
