"""The ``vaughn`` command line: a thin layer over ``app/`` (every listing also as JSON).

``vaughn`` with no arguments, or with a matter path alone, opens the review window; that
dispatch lives in ``ui/launch.py`` because ``app/`` never imports the GUI.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.compare.cli import add_parsers as _add_compare_parsers
from app.compare.cli import cmd_accounting, cmd_compare  # noqa: F401 (dispatch)
from app.errors import VaughnError
from app.matter.server import is_server_url, matter_location
from app.review.cli import add_parsers as _add_team_parsers
from app.review.cli import cmd_batch, cmd_checkin, cmd_checkout  # noqa: F401 (dispatch)
from app.vaughn_index.cli import add_parser as _add_vaughn_index_parser

EXIT_OK, EXIT_ERROR, EXIT_PARTIAL = 0, 1, 2
COMMANDS = (
    "ingest", "pages", "documents", "productions", "search", "report", "bates", "redactions",
    "analyze", "ocr", "tag", "export", "settings", "compare", "accounting", "backup", "restore",
    "check", "relink", "vaughn-index", "migrate", "batch", "checkout", "checkin",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="vaughn",
        description="Review FOIA productions: ingest, search, redactions. "
        "With no command, or a matter file alone, opens the review window.",
    )
    from app import __version__

    parser.add_argument("--version", action="version", version=f"vaughn {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_matter_parsers(sub)
    _add_record_parsers(sub)
    _add_maintenance_parsers(sub)
    _add_review_parsers(sub)
    _add_ocr_parser(sub)
    _add_compare_parsers(sub)
    _add_team_parsers(sub)
    _add_vaughn_index_parser(sub)
    return parser


def _add_matter_parsers(sub: Any) -> None:
    """ingest and analyze, and the listings: pages, search, report, bates, redactions."""
    p = sub.add_parser("ingest", help="load production files into a matter (creates it)")
    p.add_argument("matter", type=matter_location)
    p.add_argument("sources", nargs="+", type=Path, help="PDFs, image files, folders, volumes")
    p.add_argument("--production", help="production name (default: each source's name)")
    p.add_argument("--password", help="password for encrypted PDFs")
    p.add_argument("--received", help="date the production arrived (YYYY-MM-DD)")
    p.add_argument("--ocr", action="store_true", help="then OCR scanned pages (see vaughn ocr)")
    p.add_argument("--budget", type=float, metavar="S", help="seconds each page's analysis may "
                   "take before it is stopped for a human look (default: the matter's, else "
                   "30)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    p = sub.add_parser("pages", help="list every page")
    p.add_argument("matter", type=matter_location)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("search", help="search: words, \"phrases\", AND/OR/NOT, pre*, w/N, "
                       "pre/N, fuzzy~, fields (exemption:b6 tag:hot...), bates:B1..B2")
    p.add_argument("matter", type=matter_location)
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--rank", action="store_true", help="order by relevance, not page order")
    p.add_argument("--ocr-tolerant", action="store_true",
                   help="also find plain words misread by OCR, on OCR'd pages")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("report", help="search-term report: pages, documents and hits per term")
    p.add_argument("matter", type=matter_location)
    p.add_argument("--terms", type=Path, required=True, help="a text file, one query a line")
    p.add_argument("--out", type=Path, required=True, help="the report (.csv or .xlsx)")
    p.add_argument("--ocr-tolerant", action="store_true")

    p = sub.add_parser("bates", help="look up a Bates number or a range FIRST..LAST")
    p.add_argument("matter", type=matter_location)
    p.add_argument("bates")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("redactions", help="list every redaction the analysis found")
    p.add_argument("matter", type=matter_location)
    p.add_argument("--bad-only", action="store_true", help="only bad redactions")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("analyze", help="re-run the redaction analysis on every page")
    p.add_argument("matter", type=matter_location)
    p.add_argument("--password", help="password for encrypted PDFs")
    p.add_argument("--page", dest="pages", action="append", default=[], metavar="B",
                   help="only this page (a Bates number or FIRST..LAST; repeatable): a retry "
                   "of a page whose analysis was stopped")
    p.add_argument("--budget", type=float, metavar="S",
                   help="seconds each page may take (default: the matter's, else 30)")


def _add_record_parsers(sub: Any) -> None:
    """documents (with --split and --merge) and productions."""
    p = sub.add_parser("documents", help="documents (records) with their type, date, title, "
                       "segregability figures and why each starts where it does; --split and "
                       "--merge fix a boundary")
    p.add_argument("matter", type=matter_location)
    edit = p.add_mutually_exclusive_group()
    edit.add_argument("--split", metavar="BATES", help="start a new record at this page")
    edit.add_argument("--merge", metavar="BATES",
                      help="join the record starting at this page to the record before it")
    edit.add_argument("--undo", metavar="OP", help="undo a split or merge (its op id)")
    p.add_argument("--reviewer", help="who is reviewing (default: the matter's reviewer "
                   "setting, else the login name)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("productions", help="list the productions in a matter")
    p.add_argument("matter", type=matter_location)
    p.add_argument("--json", action="store_true")


def _add_maintenance_parsers(sub: Any) -> None:
    """backup, restore, check, relink and migrate."""
    p = sub.add_parser("migrate", help="move a matter to a PostgreSQL server or back: "
                       "vaughn migrate MATTER.vaughn postgresql://host/db (or the reverse)")
    p.add_argument("source", type=matter_location, help="the matter file or server URL")
    p.add_argument("dest", type=matter_location, help="a new matter file or an empty database")

    p = sub.add_parser("backup", help="copy the matter consistently (default: backups folder)")
    p.add_argument("matter", type=matter_location)
    p.add_argument("dest", type=Path, nargs="?", help="file or folder for the copy")

    p = sub.add_parser("restore", help="replace the matter with a backup (newest by default)")
    p.add_argument("matter", type=matter_location)
    p.add_argument("--from", dest="source", type=Path, help="the backup file to restore")

    p = sub.add_parser("check", help="integrity, full-text index, and every source file's hash")
    p.add_argument("matter", type=matter_location)
    p.add_argument("--repair", action="store_true", help="rebuild the full-text index")
    p.add_argument("--quick", action="store_true", help="check presence only, not hashes")

    p = sub.add_parser("relink", help="find moved source files under FOLDER by their hash")
    p.add_argument("matter", type=matter_location)
    p.add_argument("folder", type=Path)


def _add_review_parsers(sub: Any) -> None:
    """The tag, export and settings subcommands (issue 6)."""
    p = sub.add_parser("tag", help="tag, challenge, mark as exhibit or set the disposition of "
                       "pages or redactions (one transaction)")
    p.add_argument("matter", type=matter_location)
    t = p.add_argument_group("targets (at least one; repeatable)")
    t.add_argument("--bates", action="append", default=[], metavar="B", help="a page by Bates")
    t.add_argument("--range", dest="ranges", action="append", default=[], metavar="B1..B2",
                   help="every page of a Bates range")
    t.add_argument("--query", dest="queries", action="append", default=[], metavar="Q",
                   help="every page a search finds")
    t.add_argument("--redaction", dest="redactions", action="append", default=[], type=int,
                   metavar="ID", help="a redaction by id (see `vaughn redactions --json`)")
    p.add_argument("--tag", dest="tags", action="append", default=[], metavar="NAME")
    p.add_argument("--untag", dest="untags", action="append", default=[], metavar="NAME")
    p.add_argument("--exhibit", metavar="NUMBER",
                   help="make the targets' pages (first to last) exhibit NUMBER")
    p.add_argument("--description", help="the exhibit's description")
    p.add_argument("--exhibit-status", help="planned, offered, marked, admitted, withdrawn")
    p.add_argument("--challenge", dest="grounds", action="append", default=[],
                   metavar="GROUND", help="challenge on this ground (repeatable; a prefix "
                   "is enough: segreg, foresee, public...)")
    p.add_argument("--argument", help="the challenge's argument")
    p.add_argument("--evidence", help="evidence for the challenge (cite, link, passage)")
    p.add_argument("--status", help="not_reviewed, accept, challenge, dropped")
    p.add_argument("--priority", help="high, medium, low")
    p.add_argument("--disposition", help="released in full/in part, withheld in full, "
                   "duplicate, non-responsive, referred")
    p.add_argument("--note", help="attach a note")
    p.add_argument("--reviewer", help="who is reviewing (default: the matter's reviewer "
                   "setting, else the login name)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("export", help="export the exhibit list, challenge table, redaction "
                       "log, exhibit PDF, summary or Vaughn index findings (format from --out's "
                       "extension)")
    p.add_argument("matter", type=matter_location)
    p.add_argument("kind", help="exhibits, challenges, redaction-log, exhibit-pdf, summary, "
                   "index-findings")
    p.add_argument("--out", type=Path, required=True, help="the file to write")
    p.add_argument("--as-produced", action="store_true",
                   help="exhibit-pdf: keep bad redactions as produced (hidden text stays)")
    p.add_argument("--mark", choices=("slip", "stamp"),
                   help="exhibit-pdf: a slip sheet before each exhibit or a corner stamp")
    p.add_argument("--all-statuses", action="store_true",
                   help="challenges: include challenges still not reviewed")

    p = sub.add_parser("settings", help="show or set matter settings (case caption...)")
    p.add_argument("matter", type=matter_location)
    p.add_argument("--caption", help="the case caption (\\n for a new line)")
    p.add_argument("--case-number")
    p.add_argument("--exhibit-party", choices=("plaintiff", "defendant"))
    p.add_argument("--exhibit-mark", choices=("slip", "stamp"))
    p.add_argument("--reviewer", help="default reviewer name for `vaughn tag`")
    p.add_argument("--analysis-budget", type=float, metavar="S",
                   help="seconds a page's redaction analysis may take (default 30)")
    p.add_argument("--ocr-budget", type=float, metavar="S",
                   help="seconds a page's OCR may take (default 180)")
    p.add_argument("--json", action="store_true")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``vaughn`` console script and ``python main.py``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        return int(globals()[f"cmd_{args.command.replace('-', '_')}"](args))
    except VaughnError as exc:
        print(f"vaughn: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("vaughn: interrupted; everything committed so far is kept", file=sys.stderr)
        return 130


def _open(path: Path, create: bool = False) -> Any:
    from app.matter.store import Matter

    return Matter.open(path, create=create)


def _emit(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def cmd_migrate(args: argparse.Namespace) -> int:
    from app.matter.store import Matter
    from app.matter.transfer import copy_matter

    with Matter.open(args.source) as source:
        if Path(str(args.dest)).exists() and not is_server_url(args.dest):
            raise VaughnError(f"{args.dest}: already exists; migrate into a new matter file")
        with Matter.open(args.dest, create=True) as dest:
            moved = copy_matter(source, dest)
            print(f"moved {moved.rows.get('pages', 0)} pages, {moved.total} rows: "
                  f"{source.location} -> {dest.location}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from app.ingest.pipeline import ingest

    if args.received:
        import datetime as dt

        try:
            dt.date.fromisoformat(args.received)
        except ValueError:
            print(f"vaughn: --received wants a date as YYYY-MM-DD, not {args.received!r}",
                  file=sys.stderr)
            return EXIT_ERROR
    bar = _progress_bar("ingest")
    with _open(args.matter, create=True) as matter:
        try:
            report = ingest(matter, args.sources, production=args.production,
                            password=args.password, received=args.received,
                            budget=args.budget, progress=bar)
        finally:
            bar.close()
        if args.ocr:
            _run_ocr(matter, None, report.changed_pages)
    if args.json:
        _emit({
            "pages_added": report.pages_added,
            "outcomes": [o.__dict__ for o in report.outcomes],
            "stopped": report.stopped,
        })
    else:
        for o in report.outcomes:
            if o.status == "ingested":
                print(f"ingested  {o.path} ({o.pages} pages, production {o.production!r})")
            elif o.status == "skipped":
                print(f"skipped   {o.path}: {o.reason}")
        for o in report.by_status("failed"):
            print(f"FAILED    {o.path}: {o.reason}", file=sys.stderr)
        for s in report.stopped:
            where = s["bates"] or f"{s['file']} p.{s['page_index'] + 1}"
            print(f"STOPPED   {where}: {s['note']} (needs a human look; retry with "
                  f"vaughn analyze MATTER --page)", file=sys.stderr)
        n_files = len(report.by_status("ingested"))
        print(f"{report.pages_added} pages added from {n_files} file(s); "
              f"{len(report.by_status('skipped'))} skipped, "
              f"{len(report.by_status('failed'))} failed -> {args.matter}")
    return EXIT_OK if report.ok else EXIT_PARTIAL


def cmd_pages(args: argparse.Namespace) -> int:
    from app.matter.listing import pages

    with _open(args.matter) as matter:
        items = list(pages(matter))
    if args.json:
        _emit(items)
    else:
        for it in items:
            flag = "" if it["text_layer"] else "  [no text layer]"
            print(f"{it['bates'] or '(no Bates)':<28} {Path(it['file']).name} "
                  f"p.{it['page_index'] + 1}{flag}")
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    from app.search.index import search

    with _open(args.matter) as matter:
        results = search(matter, args.query, limit=args.limit, rank=args.rank,
                         ocr_tolerant=args.ocr_tolerant)
    if args.json:
        _emit({"total": results.total, "hits": [
            {"bates": h.bates, "file": h.file, "page_index": h.page_index,
             "snippet": h.snippet, "score": h.score} for h in results.hits]})
    else:
        print(f"{results.total} page(s) match")
        for h in results.hits:
            print(f"{h.bates or '(no Bates)':<28} {h.snippet}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from app.search.report import read_terms, term_report, write_report

    try:
        terms = read_terms(args.terms)
    except OSError as exc:
        print(f"vaughn: cannot read {args.terms}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    with _open(args.matter) as matter:
        report = term_report(matter, terms, ocr_tolerant=args.ocr_tolerant)
    write_report(report, args.out)
    for r in report.rows:
        print(f"{r.pages:>7} pages {r.hits:>8} hits  {r.term}" + (f"  ERROR: {r.error}"
                                                                   if r.error else ""))
    print(f"{report.total_pages} unique page(s) for {len(report.rows)} term(s) -> {args.out}")
    return EXIT_PARTIAL if any(r.error for r in report.rows) else EXIT_OK


def cmd_bates(args: argparse.Namespace) -> int:
    from app.matter.listing import find_bates

    with _open(args.matter) as matter:
        try:
            items = find_bates(matter, args.bates)
        except ValueError as exc:
            print(f"vaughn: {exc}", file=sys.stderr)
            return EXIT_ERROR
    if args.json:
        _emit(items)
    else:
        for it in items:
            print(f"{it['bates']:<28} {Path(it['file']).name} p.{it['page_index'] + 1}")
        if not items:
            print(f"no page has Bates number {args.bates}", file=sys.stderr)
    return EXIT_OK if items else EXIT_ERROR


def cmd_redactions(args: argparse.Namespace) -> int:
    from app.matter.listing import redactions

    with _open(args.matter) as matter:
        items = list(redactions(matter, bad_only=args.bad_only))
    if args.json:
        _emit(items)
    else:
        for it in items:
            codes = ", ".join(it["exemptions"]) or "(no basis stamped)"
            flags = " BAD" if it["bad"] else ""
            flags += " WITHHELD IN FULL" if it["withheld_in_full"] else ""
            print(f"{it['bates'] or '(no Bates)':<28} {codes}{flags}")
    return EXIT_OK


def cmd_analyze(args: argparse.Namespace) -> int:
    from app.ingest.reanalyze import reanalyze

    with _open(args.matter) as matter:
        page_ids = None
        if args.pages:
            page_ids = _page_ids(matter, args.pages)
            if page_ids is None:
                return EXIT_ERROR
        bar = _progress_bar("analyze")
        try:
            summary = reanalyze(matter, password=args.password, progress=bar,
                                page_ids=page_ids, budget=args.budget)
        finally:
            bar.close()
    print(summary)
    return EXIT_OK if not summary.failed and not summary.stopped else EXIT_PARTIAL


def _page_ids(matter: Any, specs: list[str]) -> list[int] | None:
    """Page ids for Bates numbers or ranges; None (after saying which) if one is unknown."""
    from app.matter.listing import find_bates

    ids: list[int] = []
    for spec in specs:
        try:
            found = find_bates(matter, spec)
        except ValueError as exc:
            print(f"vaughn: {exc}", file=sys.stderr)
            return None
        if not found:
            print(f"vaughn: no page {spec!r}", file=sys.stderr)
            return None
        ids.extend(item["id"] for item in found)
    return sorted(set(ids))


def cmd_documents(args: argparse.Namespace) -> int:
    from app.matter.listing import documents

    if args.split or args.merge or args.undo:
        return _edit_documents(args)
    with _open(args.matter) as matter:
        items = documents(matter)
    if args.json:
        _emit(items)
    else:
        for it in items:
            span = it["begbates"] or f"DOC-{it['id']}"
            if it["endbates"] and it["endbates"] != it["begbates"]:
                span += f"..{it['endbates']}"
            print(f"{span:<36} {it['pages']:>4} p. {it['doc_type'] or '':<10} "
                  f"{it['doc_date'] or '':<10} {(it['title'] or '')[:40]:<40} "
                  f"{it['redactions']:>5} boxes {it['withheld_pages']:>3} withheld  "
                  f"{it['redacted_share']:6.1%} redacted  {it['disposition_hint']}")
    return EXIT_OK


def _edit_documents(args: argparse.Namespace) -> int:
    from app.documents.edit import merge_at, page_for, split_at
    from app.review import ops
    from app.tagging import default_reviewer

    with _open(args.matter) as matter:
        reviewer = (args.reviewer or default_reviewer(matter)).strip()
        if args.undo:
            changes = ops.undo(matter, reviewer, args.undo)
            what = f"undone {args.undo}"
        else:
            page_id = page_for(matter, args.split or args.merge)
            fn = split_at if args.split else merge_at
            changes = fn(matter, reviewer, page_id)
            what = (f"split at {args.split}" if args.split else f"merged {args.merge} into the "
                    "record before it")
        result: dict[str, Any] = {"op_id": changes.op_id, "documents": sorted(changes.documents),
                  "pages": len(changes.pages), "done": what}
    if args.json:
        _emit(result)
    else:
        print(f"{what}: {len(result['documents'])} record(s) changed, {result['pages']} page(s) "
              f"moved (op {changes.op_id}; undo with --undo {changes.op_id})")
    return EXIT_OK


def cmd_productions(args: argparse.Namespace) -> int:
    from app.matter.listing import productions

    with _open(args.matter) as matter:
        items = productions(matter)
    if args.json:
        _emit(items)
    else:
        for it in items:
            print(f"{it['tranche']:>3}  {it['name']:<30} {it['documents']} documents, "
                  f"{it['pages']} pages")
    return EXIT_OK


class _Bar:
    """A tqdm bar on stderr driven by (done, total, what) callbacks; silent when not a tty."""

    def __init__(self, desc: str) -> None:
        from tqdm import tqdm

        self.bar = tqdm(desc=desc, unit="file", file=sys.stderr, disable=None, leave=False)

    def __call__(self, done: int, total: int, what: str) -> None:
        self.bar.total = total
        self.bar.n = done
        self.bar.set_postfix_str(what[-40:], refresh=True)

    def close(self) -> None:
        self.bar.close()


def _progress_bar(desc: str) -> _Bar:
    return _Bar(desc)


def _file_only(location: Any, what: str) -> Path:
    """``location`` as a matter file; a shared matter gets a plain refusal."""
    if is_server_url(location):
        from app.matter.server import display_url

        raise VaughnError(f"{display_url(str(location))}: {what} copies matter files; a shared "
                          "matter is backed up on its server (pg_dump), or taken offline with "
                          "vaughn checkout")
    return Path(location)


def cmd_backup(args: argparse.Namespace) -> int:
    from app.matter.backup import backup

    _file_only(args.matter, "vaughn backup")
    with _open(args.matter) as matter:
        dest = backup(matter, args.dest)
    print(f"backed up to {dest}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from app.matter.backup import latest_backup, restore

    args.matter = _file_only(args.matter, "vaughn restore")
    source = args.source or latest_backup(args.matter.stem)
    if source is None:
        print(f"vaughn: no backup of {args.matter.name} found; name one with --from",
              file=sys.stderr)
        return EXIT_ERROR
    safety = restore(source, args.matter)
    print(f"restored {args.matter} from {source}\n(the matter as it was is kept at {safety})")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from app.matter.maintenance import check, rebuild_index

    with _open(args.matter) as matter:
        if args.repair:
            rebuild_index(matter)
        report = check(matter, hashes=not args.quick)
    print("\n".join(report.lines()))
    return EXIT_OK if report.ok else EXIT_PARTIAL


def cmd_relink(args: argparse.Namespace) -> int:
    from app.matter.maintenance import relink

    with _open(args.matter) as matter:
        found, still = relink(matter, args.folder)
    print(f"{found} source file(s) relinked; {len(still)} still missing")
    for path in still:
        print(f"  missing: {path}")
    return EXIT_OK if not still else EXIT_PARTIAL


def cmd_tag(args: argparse.Namespace) -> int:
    from app.tagging import TagRequest, apply

    req = TagRequest(
        bates=args.bates, ranges=args.ranges, queries=args.queries, redactions=args.redactions,
        tags=args.tags, untags=args.untags, exhibit=args.exhibit, description=args.description,
        exhibit_status=args.exhibit_status, grounds=args.grounds, argument=args.argument,
        evidence=args.evidence, status=args.status, priority=args.priority,
        disposition=args.disposition, note=args.note, reviewer=args.reviewer)
    with _open(args.matter) as matter:
        result = apply(matter, req)
    if args.json:
        _emit(result)
    else:
        c = result["changed"]
        print(f"{len(result['pages'])} page(s), {len(result['redactions'])} redaction(s): "
              f"{', '.join(c['kinds']) or 'nothing'} changed (op {result['op_id']})")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from app.export import export, resolve_kind

    kind = resolve_kind(args.kind)
    options: dict[str, Any] = {}
    if kind == "exhibit-pdf":
        options = {"as_produced": args.as_produced, "mark": args.mark}
    elif args.as_produced or args.mark:
        print("vaughn: --as-produced and --mark go with exhibit-pdf", file=sys.stderr)
        return EXIT_ERROR
    if kind == "challenges" and args.all_statuses:
        from app import vocabulary as vocab

        options["statuses"] = list(vocab.keys("status"))
    bar = _progress_bar("export")
    with _open(args.matter) as matter:
        try:
            path = export(matter, kind, args.out, progress=bar, **options)
        finally:
            bar.close()
    print(f"wrote {path}")
    return EXIT_OK


def cmd_vaughn_index(args: argparse.Namespace) -> int:
    from app.tagging import default_reviewer
    from app.vaughn_index.cli import run

    return run(args, default_reviewer, _progress_bar)


_SETTINGS = ("caption", "case_number", "exhibit_party", "exhibit_mark", "reviewer")


def cmd_settings(args: argparse.Namespace) -> int:
    from app.pagework import budget_for, set_budget

    with _open(args.matter) as matter:
        for key in _SETTINGS:
            value = getattr(args, key)
            if value is not None:
                if key == "caption":
                    value = value.replace("\\n", "\n")
                matter.set_setting(key, value)
        for step in ("analysis", "ocr"):
            seconds = getattr(args, f"{step}_budget")
            if seconds is not None:
                try:
                    set_budget(matter, step, seconds)
                except ValueError as exc:
                    print(f"vaughn: {exc}", file=sys.stderr)
                    return EXIT_ERROR
        current = {k: matter.get_setting(k) for k in _SETTINGS}
        current.update({f"{s}_budget": budget_for(matter, s) for s in ("analysis", "ocr")})
    if args.json:
        _emit(current)
    else:
        for key, value in current.items():
            print(f"{key:<14} {'' if value is None else value}")
    return EXIT_OK


# -- OCR (app/ocr) ---------------------------------------------------------------------------


def _add_ocr_parser(sub: Any) -> None:
    p = sub.add_parser("ocr", help="OCR scanned pages (runs or resumes the matter's OCR queue)")
    p.add_argument("matter", type=matter_location)
    p.add_argument("--workers", type=int, help="OCR processes (default: the matter's setting, "
                   "else one per core); remembered for the matter")
    p.add_argument("--low", action="store_true",
                   help="list pages whose OCR confidence is low (need a human look)")
    p.add_argument("--redo", metavar="BATES", help="OCR one page again (with --dpi/--mode)")
    p.add_argument("--dpi", type=int, default=400, help="dpi for --redo (default 400)")
    p.add_argument("--mode", choices=("page", "lines"), default="page",
                   help="for --redo: 'lines' reads line by line (tables, odd layouts)")
    p.add_argument("--json", action="store_true")


def _run_ocr(matter: Any, workers: int | None, page_ids: list[int] | None) -> Any:
    from app.ocr.queue import run_ocr, set_workers

    if workers:
        set_workers(matter, workers)
    bar = _progress_bar("ocr")
    bar.bar.unit = "page"
    try:
        summary = run_ocr(matter, workers=workers, page_ids=page_ids, progress=bar)
    finally:
        bar.close()
    print(f"ocr: {summary}", file=sys.stderr)
    return summary


def cmd_ocr(args: argparse.Namespace) -> int:
    from app.ocr import queue

    with _open(args.matter) as matter:
        if args.low:
            rows = queue.low_confidence_pages(matter)
            if args.json:
                _emit(rows)
            else:
                for r in rows:
                    print(f"{r['bates'] or r['id']}\t{r['ocr_confidence']:.2f}")
                print(f"{len(rows)} page(s) need a human look", file=sys.stderr)
            return EXIT_OK
        if args.redo:
            from app.bates import bates_key

            page_id = matter.scalar("SELECT id FROM pages WHERE bates_key = ?",
                                    (bates_key(args.redo),))
            if page_id is None:
                print(f"vaughn: no page {args.redo!r}", file=sys.stderr)
                return EXIT_ERROR
            result = queue.reocr_page(matter, page_id, dpi=args.dpi, mode=args.mode)
            if result.error:
                print(f"vaughn: OCR failed: {result.error}", file=sys.stderr)
                return EXIT_ERROR
            print(f"{args.redo}: OCR again at {args.dpi} dpi ({args.mode}), "
                  f"confidence {result.confidence:.2f}")
            return EXIT_OK
        summary = _run_ocr(matter, args.workers, None)
        counts = queue.status(matter)
    if args.json:
        _emit({"done": summary.done, "failed": [list(f) for f in summary.failed],
               "low_confidence": summary.low_confidence, "seconds": summary.seconds,
               "queue": counts})
    return EXIT_OK if not summary.failed else EXIT_PARTIAL
