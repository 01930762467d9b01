"""The lawyer's summary: figures per production and exemption, and a PDF report with bar charts.

:func:`figures` is the core both the report and the window's Statistics view use: counts per
production and per exemption, pages withheld in full, the share of text redacted, bad
redactions found (and how many characters they hide, never the text), challenges by ground and
by status, page dispositions, exhibits. :func:`export_summary` lays them out as a PDF with bar
charts drawn as PyMuPDF vector graphics, followed by the page accounting of each production
(:func:`app.compare.accounting.accounting`: Bates range, gaps, duplicates, numbers out of
order, pages withheld in full, and the count against the agency's letter).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app import vocabulary as vocab
from app.export.writers import ExportError, Ticker
from app.matter.store import Matter
from app.progress import CancelToken, ProgressFn
from app.vocabulary import order_codes


@dataclass(frozen=True)
class ProductionFigures:
    """The counts of one production."""

    id: int
    name: str
    tranche: int
    received_date: str | None
    documents: int
    pages: int
    redactions: int
    bad_redactions: int
    hidden_chars: int
    withheld_pages: int
    redacted_pages: int
    text_share: float  # mean share of page text redacted, 0-1
    exemptions: dict[str, int] = field(default_factory=dict)  # code -> redactions


@dataclass(frozen=True)
class Figures:
    """Everything the summary report and the Statistics view show."""

    productions: list[ProductionFigures]
    pages: int
    documents: int
    redactions: int
    bad_redactions: int
    bad_pages: int
    hidden_chars: int
    withheld_pages: int
    text_share: float
    exemptions: list[tuple[str, int]]  # (code, redactions), catalog order
    challenges: int
    challenges_by_ground: list[tuple[str, int]]  # (ground key, challenges), vocabulary order
    challenges_by_status: list[tuple[str, int]]  # (status key, challenges)
    redactions_by_status: list[tuple[str, int]]  # each redaction's latest status
    dispositions: list[tuple[str, int]]  # (disposition key, pages) set by reviewers
    exhibits: int

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for JSON)."""
        return asdict(self)


def figures(matter: Matter) -> Figures:
    """Compute the figures in a handful of aggregate queries."""
    q = matter.conn.execute
    prods = []
    codes_by_prod: dict[int, dict[str, int]] = {}
    for prod_id, code, n in q(
        "SELECT p.production_id, j.value, count(*) FROM redactions r "
        "JOIN pages p ON p.id = r.page_id, "
        "json_each(coalesce(r.exemptions_reviewed, r.exemptions)) j GROUP BY 1, 2"):
        codes_by_prod.setdefault(prod_id, {})[code] = n
    for row in q(
        "SELECT pr.id, pr.name, pr.tranche, pr.received_date, "
        "(SELECT count(*) FROM documents d WHERE d.production_id = pr.id), "
        "count(p.id), coalesce(sum(p.redaction_count), 0), "
        "coalesce(sum(p.withheld_in_full = 1 OR p.disposition = 'withheld_in_full'), 0), "
        "coalesce(sum(p.redaction_count > 0), 0), coalesce(avg(p.redacted_share), 0) "
        "FROM productions pr LEFT JOIN pages p ON p.production_id = pr.id "
        "GROUP BY pr.id ORDER BY pr.tranche, pr.id"):
        pid = row[0]
        bad, hidden = q("SELECT count(*), coalesce(sum(r.hidden_chars), 0) FROM redactions r "
                        "JOIN pages p ON p.id = r.page_id WHERE r.bad = 1 "
                        "AND p.production_id = ?", (pid,)).fetchone()
        codes = codes_by_prod.get(pid, {})
        prods.append(ProductionFigures(
            pid, row[1], row[2], row[3], row[4], row[5], row[6], bad, hidden, row[7], row[8],
            round(row[9], 4), {c: codes[c] for c in order_codes(codes)}))
    totals: dict[str, int] = {}
    for p in prods:
        for c, n in p.exemptions.items():
            totals[c] = totals.get(c, 0) + n
    n_pages = sum(p.pages for p in prods)
    share = (sum(p.text_share * p.pages for p in prods) / n_pages) if n_pages else 0.0
    by_ground: dict[str, int] = {}
    for g, n in q("SELECT j.value, count(*) FROM challenges c, json_each(c.grounds) j "
                  "WHERE c.status != 'not_reviewed' GROUP BY 1"):
        by_ground[g] = n
    by_status = dict(q("SELECT status, count(*) FROM challenges GROUP BY 1").fetchall())
    red_status = dict(q(
        "SELECT coalesce((SELECT c.status FROM challenges c WHERE c.target_kind = 'redaction' "
        "AND c.target_id = r.id ORDER BY c.id DESC LIMIT 1), 'not_reviewed'), count(*) "
        "FROM redactions r GROUP BY 1").fetchall())
    disp = dict(q("SELECT disposition, count(*) FROM pages WHERE disposition IS NOT NULL "
                  "GROUP BY 1").fetchall())
    ground_keys = list(vocab.keys("ground"))
    return Figures(
        productions=prods,
        pages=n_pages,
        documents=sum(p.documents for p in prods),
        redactions=sum(p.redactions for p in prods),
        bad_redactions=sum(p.bad_redactions for p in prods),
        bad_pages=matter.scalar("SELECT count(DISTINCT page_id) FROM redactions WHERE bad = 1")
        or 0,
        hidden_chars=sum(p.hidden_chars for p in prods),
        withheld_pages=sum(p.withheld_pages for p in prods),
        text_share=round(share, 4),
        exemptions=[(c, totals[c]) for c in order_codes(totals)],
        challenges=sum(by_status.values()),
        challenges_by_ground=[(g, by_ground[g]) for g in
                              ground_keys + sorted(set(by_ground) - set(ground_keys))
                              if g in by_ground],
        challenges_by_status=[(s, by_status[s]) for s in vocab.keys("status")
                              if s in by_status],
        redactions_by_status=[(s, red_status[s]) for s in vocab.keys("status")
                              if s in red_status],
        dispositions=[(d, disp[d]) for d in vocab.keys("disposition") if d in disp],
        exhibits=matter.scalar("SELECT count(*) FROM exhibits WHERE status != 'withdrawn'") or 0,
    )


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def export_summary(matter: Matter, out: str | Path, *, progress: ProgressFn | None = None,
                   cancel: CancelToken | None = None) -> Path:
    """Write the summary report PDF to ``out``."""
    from app.export.pdfdraw import PdfWriter

    if Path(out).suffix.lower() != ".pdf":
        raise ExportError(f"{Path(out).name}: the summary exports as .pdf")
    ticker = Ticker(3, "summary", progress, cancel, every=1)
    f = figures(matter)
    ticker.step()
    pdf = PdfWriter()
    caption = str(matter.get_setting("caption", "") or "")
    for line in caption.splitlines():
        pdf.text(line, size=10, align="center", gap=0)
    pdf.space(6)
    pdf.text("Production summary", size=16, bold=True, align="center", gap=2)
    pdf.text(f"{matter.path.name} — {dt.date.today().isoformat()}", size=9, align="center",
             gap=10, color=(0.3, 0.3, 0.3))
    pdf.table(
        ["Figure", "Value"], [3, 1],
        [["Productions", f"{len(f.productions):,}"],
         ["Documents", f"{f.documents:,}"],
         ["Pages", f"{f.pages:,}"],
         ["Redactions", f"{f.redactions:,}"],
         ["Pages withheld in full", f"{f.withheld_pages:,}"],
         ["Share of text redacted (mean per page)", _pct(f.text_share)],
         ["Bad redactions (text left under the box)", f"{f.bad_redactions:,}"],
         ["Pages with bad redactions", f"{f.bad_pages:,}"],
         ["Characters hidden under bad redactions", f"{f.hidden_chars:,}"],
         ["Challenges", f"{f.challenges:,}"],
         ["Exhibits", f"{f.exhibits:,}"]], size=9.5)
    pdf.text("Per production", size=11, bold=True, gap=4)
    pdf.table(
        ["Production", "Tranche", "Received", "Docs", "Pages", "Redactions", "Withheld pages",
         "Text redacted", "Bad"], [5, 1.4, 2, 1.2, 1.3, 1.7, 1.7, 1.7, 1.1],
        [[p.name, str(p.tranche), p.received_date or "", f"{p.documents:,}", f"{p.pages:,}",
          f"{p.redactions:,}", f"{p.withheld_pages:,}", _pct(p.text_share),
          f"{p.bad_redactions:,}"] for p in f.productions], size=8)
    codes = [c for c, _ in f.exemptions]
    if codes and f.productions:
        pdf.text("Redactions per production and exemption", size=11, bold=True, gap=4)
        pdf.table(["Production", *codes], [4, *([1.3] * len(codes))],
                  [[p.name, *(f"{p.exemptions.get(c, 0):,}" for c in codes)]
                   for p in f.productions], size=7.5)
    ticker.step()
    pdf.bar_chart("Redactions by exemption", f.exemptions)
    pdf.bar_chart("Pages withheld in full, by production",
                  [(p.name, p.withheld_pages) for p in f.productions])
    pdf.bar_chart("Share of text redacted, by production",
                  [(p.name, p.text_share * 100) for p in f.productions],
                  value_format="{:.1f}%")
    pdf.bar_chart("Bad redactions, by production",
                  [(p.name, p.bad_redactions) for p in f.productions])
    pdf.bar_chart("Challenges by ground",
                  [(vocab.label("ground", g), n) for g, n in f.challenges_by_ground])
    pdf.bar_chart("Challenges by status",
                  [(vocab.label("status", s), n) for s, n in f.challenges_by_status])
    pdf.bar_chart("Redactions by review status",
                  [(vocab.label("status", s), n) for s, n in f.redactions_by_status])
    if f.dispositions:
        pdf.bar_chart("Page dispositions set by reviewers",
                      [(vocab.label("disposition", d), n) for d, n in f.dispositions])
    _accounting_section(pdf, matter)
    ticker.check()
    pdf.save(out, title="Production summary")
    ticker.step()
    return Path(out).expanduser().resolve()


ACCOUNTING_LISTED = 40  # gaps, duplicates and out-of-order numbers listed per production


def _accounting_section(pdf: Any, matter: Matter) -> None:
    """Page accounting: one row per production, then its gaps, duplicates and order breaks."""
    from app.compare.accounting import accounting

    rows = accounting(matter)
    pdf.text("Page accounting", size=11, bold=True, gap=4)
    pdf.table(
        ["Production", "Pages", "Bates range", "Gaps (missing)", "Duplicates", "Out of order",
         "Withheld in full", "Letter says", "Difference"],
        [4, 1.2, 5, 1.8, 1.5, 1.5, 1.5, 1.4, 1.4],
        [[a["production"], f"{a['pages']:,}",
          f"{a['first_bates']} to {a['last_bates']}" if a["first_bates"] else "",
          f"{len(a['gaps']):,} ({a['missing_numbers']:,})", f"{len(a['duplicates']):,}",
          f"{len(a['out_of_order']):,}", f"{a['withheld_in_full']:,}",
          "" if a["letter_page_count"] is None else f"{a['letter_page_count']:,}",
          "" if a["letter_difference"] is None else f"{a['letter_difference']:+,}"]
         for a in rows], size=7.5)
    for a in rows:
        items = ([f"gap {g['first']} to {g['last']} ({g['count']:,} missing)" for g in a["gaps"]]
                 + [f"duplicate {d['bates']} ({d['count']} pages)" for d in a["duplicates"]]
                 + [f"out of order {o['bates']} after {o['after']}" for o in a["out_of_order"]])
        if not items:
            continue
        more = len(items) - ACCOUNTING_LISTED
        pdf.text(f"{a['production']}: " + "; ".join(items[:ACCOUNTING_LISTED])
                 + (f"; and {more:,} more" if more > 0 else ""), size=8.5, gap=4)
