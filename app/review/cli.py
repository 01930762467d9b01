"""``vaughn batch``, ``vaughn checkout`` and ``vaughn checkin``: team review from the command
line (app/review/batches.py, app/review/offline.py).

app/cli.py registers the parsers with :func:`add_parsers` and dispatches to the ``cmd_*``
functions by name.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.matter.server import matter_location


def add_parsers(sub: Any) -> None:
    """Add the ``batch``, ``checkout`` and ``checkin`` subcommands."""
    p = sub.add_parser("batch", help="assign pages to a reviewer as a batch, or list batches "
                       "with their progress")
    p.add_argument("matter", type=matter_location)
    p.add_argument("--assign", metavar="NAME", help="the batch to make (or refill)")
    p.add_argument("--to", metavar="REVIEWER", help="the reviewer who gets it")
    p.add_argument("--range", metavar="B1..B2", help="the pages from Bates B1 to B2")
    p.add_argument("--document", action="append", default=[], metavar="BEGBATES",
                   help="the pages of the record starting at BEGBATES (repeatable)")
    p.add_argument("--saved-search", metavar="NAME", help="the pages a saved search finds")
    p.add_argument("--lead", default="", help="who assigns (default: $VAUGHN_REVIEWER)")
    p.add_argument("--next", metavar="REVIEWER", help="print the next page REVIEWER has to do")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("checkout", help="copy a shared matter to a file to review offline")
    p.add_argument("matter", type=matter_location, help="the shared matter's URL")
    p.add_argument("dest", type=Path, help="the new matter file")
    p.add_argument("--reviewer", required=True)
    p.add_argument("--batch", help="mark this batch of the reviewer's as checked out")
    p = sub.add_parser("checkin", help="send a checked-out file's changes back to the server; "
                       "conflicts are listed, not sent")
    p.add_argument("file", type=Path, help="the checked-out matter file")
    p.add_argument("matter", type=matter_location, help="the shared matter's URL")
    p.add_argument("--mine", action="append", default=[], metavar="OP",
                   help="send this conflicting change over the other's (repeatable; 'all')")
    p.add_argument("--theirs", action="append", default=[], metavar="OP",
                   help="keep the server's change; yours stays in the file (repeatable; 'all')")
    p.add_argument("--json", action="store_true")


def cmd_batch(args: argparse.Namespace) -> int:
    import os

    from app.errors import VaughnError
    from app.matter.store import Matter
    from app.review import batches

    with Matter.open(args.matter) as m:
        if args.assign:
            lead = args.lead or os.environ.get("VAUGHN_REVIEWER", "")
            if not args.to:
                raise VaughnError("--assign needs --to REVIEWER")
            if args.range:
                first, _, last = args.range.partition("..")
                pages, source = batches.pages_in_range(m, first, last or first), args.range
            elif args.document:
                pages = batches.pages_of_documents(m, args.document)
                source = "documents " + ", ".join(args.document)
            elif args.saved_search:
                pages = batches.pages_of_saved_search(m, args.saved_search)
                source = f"search {args.saved_search}"
            else:
                raise VaughnError("--assign needs --range, --document or --saved-search")
            batches.assign(m, lead, args.assign, args.to, pages, source)
        if args.next:
            page = batches.next_in_queue(m, args.next)
            print(m.scalar("SELECT bates FROM pages WHERE id = ?", (page,))
                  if page is not None else "nothing left to review")
            return 0
        rows = batches.progress(m)
        if args.json:
            json.dump([b.__dict__ for b in rows], sys.stdout, indent=1)
            sys.stdout.write("\n")
            return 0
        for b in rows:
            out = f"  (checked out by {b.checked_out_to})" if b.checked_out_to else ""
            print(f"{b.name:<24} {b.reviewer:<20} {b.done:>5}/{b.pages:<5} pages done  "
                  f"{b.source}{out}")
    return 0


def cmd_checkout(args: argparse.Namespace) -> int:
    from app.matter.store import Matter
    from app.review.offline import checkout

    with Matter.open(args.matter) as server:
        local = checkout(server, args.dest, args.reviewer, args.batch)
        pages = local.scalar("SELECT count(*) FROM pages")
        local.close()
    print(f"checked out {pages} pages to {args.dest}: review it offline, then "
          f"vaughn checkin {args.dest} SERVER")
    return 0


def cmd_checkin(args: argparse.Namespace) -> int:
    from app.matter.store import Matter
    from app.review.offline import SETTING, checkin

    with Matter.open(args.file) as local, Matter.open(args.matter) as server:
        info = local.get_setting(SETTING) or {}
        resolve = {op: "mine" for op in args.mine} | {op: "theirs" for op in args.theirs}
        if "all" in resolve:
            from app.review.offline import offline_ops

            resolve = {op: resolve["all"] for op, _ in offline_ops(local, int(info.get("base", 0)))}
        report = checkin(local, server, resolve)
    if args.json:
        json.dump({"sent": report.sent, "kept_theirs": report.kept_theirs,
                   "conflicts": [c.__dict__ for c in report.conflicts]}, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(f"sent {report.sent} change(s); kept the server's for {report.kept_theirs}")
        for c in report.conflicts:
            kind, tid = c.target
            print(f"conflict {c.op_id}: your {c.action} on {kind} {tid} — {c.theirs_by} "
                  f"changed it at {c.theirs_at}: theirs {c.theirs}, yours {c.mine}")
        if report.conflicts:
            print("resolve each with --mine OP or --theirs OP (or 'all'), then check in again")
    return 0 if report.complete else 1
