"""``vaughn vaughn-index``: import an agency's index, list its findings, challenge one.

app/cli.py registers the parser with :func:`add_parser` and its ``cmd_vaughn_index`` calls
:func:`run` with what lives above this layer (the reviewer's default name, the progress bar).

- ``vaughn vaughn-index MATTER FILE [--production NAME]``: import (a new version when one
  exists), reconcile, print the entries, findings and what changed since the last version.
- ``vaughn vaughn-index MATTER --findings [--kind K] [--json]``: the current findings.
- ``vaughn vaughn-index MATTER --challenge ID``: turn finding ID into a challenge
  (``--undo OP`` takes it back).
- ``vaughn vaughn-index MATTER --versions``: every imported version.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.matter.server import matter_location

EXIT_OK, EXIT_ERROR = 0, 1


def add_parser(sub: Any) -> None:
    """Add the ``vaughn-index`` subcommand."""
    p = sub.add_parser("vaughn-index", help="import the agency's Vaughn index (xlsx, csv, "
                       "docx, pdf), reconcile it with the production, list or challenge its "
                       "findings")
    p.add_argument("matter", type=matter_location)
    p.add_argument("file", type=Path, nargs="?", help="the index to import")
    p.add_argument("--production", help="the production the index covers (default: all)")
    p.add_argument("--findings", action="store_true", help="list the current findings")
    p.add_argument("--kind", action="append", default=[], metavar="KIND",
                   help="only findings of this kind (repeatable)")
    p.add_argument("--challenge", type=int, action="append", default=[], metavar="ID",
                   help="turn finding ID into a challenge on its redactions or pages")
    p.add_argument("--undo", metavar="OP", help="undo a challenge made with --challenge (its "
                   "op id)")
    p.add_argument("--versions", action="store_true", help="list every imported version")
    p.add_argument("--reviewer", help="who is reviewing (default: the matter's reviewer "
                   "setting, else the login name)")
    p.add_argument("--json", action="store_true")


def _emit(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def run(args: argparse.Namespace, default_reviewer: Callable[[Any], str],
        progress_bar: Callable[[str], Any]) -> int:
    """The subcommand; ``default_reviewer(matter)`` and ``progress_bar(desc)`` come from
    app/cli.py."""
    from app.matter.store import Matter
    from app.vaughn_index import findings as fmod
    from app.vaughn_index.imports import import_index, indexes

    if not (args.file or args.findings or args.challenge or args.versions or args.undo):
        print("vaughn: give an index FILE to import, or --findings, --challenge, --undo or "
              "--versions", file=sys.stderr)
        return EXIT_ERROR
    with Matter.open(args.matter) as matter:
        reviewer = (args.reviewer or default_reviewer(matter)).strip()
        out: dict[str, Any] = {}
        if args.file:
            from app.vaughn_index.parse import read_table

            bar = progress_bar("read")
            bar.bar.unit = "page"
            try:
                table = read_table(args.file, progress=bar)
            finally:
                bar.close()
            result = import_index(matter, args.file, production=args.production,
                                  reviewer=reviewer, table=table)
            out["imported"] = result.__dict__
            if not args.json:
                c = result.changes
                print(f"imported {result.file_name} as version {result.version}: "
                      f"{result.entries} entries, {result.findings} findings")
                print("columns: " + ", ".join(f"{f} <- {h!r}" for f, h in
                                               result.columns.items()))
                if result.skipped_tables:
                    print(f"note: {result.skipped_tables} other table(s) in the file have "
                          "different columns and were not read (check the entries)",
                          file=sys.stderr)
                if c.get("previous_index_id"):
                    print(f"since version {result.version - 1}: {len(c['added'])} added, "
                          f"{len(c['removed'])} removed, {len(c['changed'])} changed")
                    for what in ("added", "removed"):
                        for b in c[what]:
                            print(f"  {what:<8} {b}")
                    for ch in c["changed"]:
                        print(f"  changed  {ch['bates']}: {', '.join(ch['fields'])}")
        for fid in args.challenge:
            changes = fmod.challenge_finding(matter, reviewer, fid)
            out.setdefault("challenged", []).append(
                {"finding": fid, "op_id": changes.op_id,
                 "challenges": sorted(changes.challenge_ids)})
            if not args.json:
                print(f"finding {fid}: {len(changes.challenge_ids)} challenge(s) made "
                      f"(op {changes.op_id}; undo with --undo {changes.op_id})")
        if args.undo:
            from app.review import ops

            changes = ops.undo(matter, reviewer, args.undo)
            out["undone"] = {"op_id": changes.op_id, "challenges": sorted(changes.challenge_ids)}
            if not args.json:
                print(f"undone {args.undo}: {len(changes.challenge_ids)} challenge(s) removed")
        if args.versions:
            out["versions"] = indexes(matter)
            if not args.json:
                for v in out["versions"]:
                    mark = "*" if v["current"] else " "
                    print(f"{mark} v{v['version']:<3} {v['file_name']:<30} "
                          f"{v['production'] or '(all productions)':<20} {v['entries']:>5} "
                          f"entries {v['findings']:>5} findings  {v['imported_at']}")
        if args.findings:
            out["findings"] = fmod.findings(matter, kinds=args.kind or None)
            if not args.json:
                for f in out["findings"]:
                    mark = " [challenged]" if f["challenged"] else ""
                    print(f"{f['id']:>5}  {f['kind']:<27} {f['summary']}{mark}")
                print(f"{len(out['findings'])} finding(s)")
    if args.json:
        _emit(out)
    return EXIT_OK
