"""Generate a realistic FOIA production set with a ground-truth answer key.

Adapted from the team's shared corpus generator so that `make run` and the tests can make
sample productions without ../shared. Used for the sample matter and test fixtures only.

The set looks like what an agency hands a requester: Bates-stamped pages of
weekly enforcement reports, emails and memos, with redaction boxes stamped with
the exemptions claimed ("(b)(6); (b)(7)(C)"), a few pages withheld in full, some
scanned pages with no text layer, and -- as happens in real productions -- a few
"bad" redactions where a black box was drawn over text that is still in the file.

Usage:
    python make_production.py OUT_DIR [--seed 7] [--docs 40] [--layout pdf]
    python make_production.py OUT_DIR --layout loadfile    # DAT/OPT + TIFF volume
    python make_production.py OUT_DIR --layout folder      # one PDF per document
    python make_production.py OUT_DIR --pages 20000        # scale test (approximate)
    python make_production.py OUT_DIR --tranches 2         # rolling productions;
        # tranche 2 re-releases some tranche-1 documents with different redactions

OUT_DIR gets the production files and truth.json, the answer key:
    documents[] -> {doc_id, kind, title, begbates, endbates, file, pages[]}
    pages[]     -> {bates, file, page_index, scanned, withheld_in_full,
                    visible_text, redactions[]}
    redactions[]-> {bbox (PDF points, page space), label, exemptions[], bad,
                    withheld_text}
    rereleases[] -> pairs of documents in different tranches that hold the same
                    record with different redactions.

Needs only PyMuPDF and Pillow. Deterministic for a given seed and options.
Speed: about 10 pages/s without scans. For scale tests (50,000+ pages) generate a
few thousand pages once and ingest copies of them as further productions.
"""
from __future__ import annotations

import argparse
import io
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

import pymupdf
from PIL import Image, ImageFilter

PAGE = pymupdf.paper_rect("letter")
MARGIN = 54.0
FONT = pymupdf.Font("helv")
BOLD = pymupdf.Font("hebo")
_ADVANCE: dict[tuple[int, str], float] = {}


def width_of(text: str, size: float, font: pymupdf.Font = FONT) -> float:
    """Font.text_length, with per-glyph advances cached (it is slow per call)."""
    total = 0.0
    for ch in text:
        key = (id(font), ch)
        if key not in _ADVANCE:
            _ADVANCE[key] = font.glyph_advance(ord(ch))
        total += _ADVANCE[key]
    return total * size

FIRST = ["Maria", "Jose", "Luis", "Ana", "Carlos", "Juan", "Rosa", "Miguel",
         "Elena", "Jorge", "Wilmer", "Yesenia", "Edgar", "Dilcia", "Oscar",
         "Brayan", "Kevin", "Marvin", "Sofia", "Ramon", "Nelson", "Karla"]
LAST = ["Hernandez", "Garcia", "Martinez", "Lopez", "Gonzalez", "Rodriguez",
        "Perez", "Ramirez", "Flores", "Cruz", "Reyes", "Morales", "Ortiz",
        "Castillo", "Mejia", "Vasquez", "Aguilar", "Chavez", "Salazar", "Rivas"]
COUNTRIES = ["Mexico", "Guatemala", "Honduras", "El Salvador", "Venezuela",
             "Colombia", "Ecuador", "Nicaragua", "Dominican Republic", "Haiti"]
GROUPS = ["MS-13", "18th Street", "Sinaloa Cartel", "CJNG", "Tren de Aragua",
          "Gulf Cartel", "Barrio Azteca", "Latin Kings", "Los Zetas", "none known"]
OFFICES = ["Houston", "San Antonio", "Atlanta", "Newark", "Chicago", "Phoenix",
           "Los Angeles", "Miami", "Dallas", "New Orleans", "Seattle", "Denver"]
CRIMES = ["DUI", "Aggravated assault", "Drug trafficking", "Illegal re-entry",
          "Robbery", "Firearms possession", "Human smuggling", "Burglary",
          "Domestic violence", "Fraud"]
ACTIONS = ["Arrest and remove", "Detain pending removal", "Issue NTA",
           "Enroll in ATD", "Execute final order", "Request detainer"]
PRIORITY = ["National security", "Public safety", "Border security"]
STREETS = ["Oak St", "Main St", "Elm Ave", "Pine Rd", "Cedar Ln", "Maple Dr",
           "Lakeview Blvd", "Sunset Ave", "Hillcrest Rd", "River Rd"]

SENTENCES = [
    "The Guidelines narrow enforcement to threats to national security, public safety and border security.",
    "Field offices shall submit proposed enforcement actions to headquarters for review before execution.",
    "Each proposed action must articulate the aggravating and mitigating factors considered by the officer.",
    "Headquarters review is expected to be completed within five business days of submission.",
    "Officers should document any known gang, cartel or terrorist group affiliation in the case narrative.",
    "The weekly spreadsheet report consolidates all pending submissions across areas of responsibility.",
    "Please confirm whether the subject meets the public safety priority before the operation proceeds.",
    "We recommend that the approval process be revisited after the first ninety days of implementation.",
    "The subject was encountered during a targeted operation and has a prior removal order.",
    "This assessment reflects the preliminary views of the working group and is not a final decision.",
    "Surveillance was conducted at the residence using the standard pre-operational checklist.",
    "The target list for the operation is attached and should not be forwarded outside the agency.",
    "Counsel has advised that additional review may be required for cases involving pending appeals.",
    "Statistics for the reporting period show a decline in at-large arrests compared with prior years.",
    "The monthly briefing for leadership will include the backlog of pending review requests.",
    "Coordination with the local sheriff's office was completed prior to the scheduled arrest.",
]

OPERATIONS = ["Cross Check", "Falcon Ridge", "Silent Harbor", "Desert Lantern",
              "Blue Meridian", "Granite Pass", "Iron Gate", "Quiet Storm"]
TEMPLATES = [
    "Operation {op} in the {office} area of responsibility resulted in {n} at-large arrests on {date}.",
    "The {office} field office submitted {n} proposed actions during the week of {date}.",
    "Of the cases reviewed under Operation {op}, {n} involved subjects with a reported {group} affiliation.",
    "Headquarters returned {n} submissions from {office} for additional justification on {date}.",
    "The {office} docket shows {n} detained cases awaiting a hearing as of {date}.",
]


def prose(rng: random.Random, lo: int, hi: int) -> str:
    """A paragraph: boilerplate sentences mixed with facts that make pages findable."""
    out = rng.sample(SENTENCES, rng.randint(lo, hi))
    if rng.random() < 0.7:
        out.insert(rng.randrange(len(out) + 1), rng.choice(TEMPLATES).format(
            op=rng.choice(OPERATIONS), office=rng.choice(OFFICES), n=rng.randint(2, 480),
            group=rng.choice(GROUPS[:-1]),
            date=f"{rng.choice(['March', 'April', 'May', 'June', 'July'])} {rng.randint(1, 28)}, 2022"))
    return " ".join(out)


# Exemption sets an agency typically stamps, by what is withheld.
PERSONAL = ["(b)(6)", "(b)(7)(C)"]
TECHNIQUE = ["(b)(7)(E)"]
DELIBERATIVE = ["(b)(5)"]


@dataclass
class Redaction:
    bbox: list[float]
    label: str
    exemptions: list[str]
    bad: bool
    withheld_text: str


@dataclass
class PageTruth:
    bates: str = ""
    file: str = ""
    page_index: int = 0
    scanned: bool = False
    withheld_in_full: bool = False
    visible_text: str = ""
    redactions: list[Redaction] = field(default_factory=list)


@dataclass
class DocTruth:
    doc_id: str
    kind: str
    title: str
    tranche: int = 1
    begbates: str = ""
    endbates: str = ""
    file: str = ""
    pages: list[PageTruth] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


#: What PageWriter.line writes: plain text, or (text, the exemptions it is redacted under).
Part = str | tuple[str, list[str] | None]


class PageWriter:
    """Writes lines onto a page and remembers which spans to redact."""

    withheld_exemptions: list[str]  # set on slip sheets only (withheld in full)

    def __init__(self, page: pymupdf.Page, rng: random.Random):
        self.page, self.rng = page, rng
        self.doc, self.pno = page.parent, page.number
        self.y = MARGIN + 20
        self.pending: list[tuple[pymupdf.Rect, list[str], str]] = []
        self.visible: list[str] = []

    def line(self, parts: Sequence[Part], size: float = 10.0, font: pymupdf.Font = FONT,
             x: float = MARGIN, gap: float = 1.45) -> float:
        """parts: list of str or (str, exemptions) tuples; tuples get redacted."""
        cursor = x
        shown = []
        for part in parts:
            text, exemptions = (part, None) if isinstance(part, str) else part
            width = width_of(text, size, font)
            self.page.insert_text((cursor, self.y), text, fontsize=size,
                                  fontname="hebo" if font is BOLD else "helv")
            if exemptions:
                rect = pymupdf.Rect(cursor - 1, self.y - size * 0.95,
                                    cursor + width + 1, self.y + size * 0.3)
                self.pending.append((rect, exemptions, text))
            else:
                shown.append(text)
            cursor += width
        self.visible.append(" ".join(s.strip() for s in shown if s.strip()))
        self.y += size * gap
        return self.y

    def paragraph(self, text: str, exemptions: list[str] | None = None, size: float = 10.0,
                  width: float | None = None) -> None:
        width = width or PAGE.width - 2 * MARGIN
        words, line = text.split(), ""
        lines = []
        for w in words:
            trial = (line + " " + w).strip()
            if width_of(trial, size) > width:
                lines.append(line)
                line = w
            else:
                line = trial
        lines.append(line)
        for ln in lines:
            self.line([(ln, exemptions)] if exemptions else [ln], size=size)
        self.y += size * 0.6

    def room(self, needed: float = 40) -> bool:
        return bool(self.y + needed < PAGE.height - MARGIN - 20)

    def apply(self, bad: bool = False) -> list[Redaction]:
        """Burn the redactions in, or (bad=True) only draw boxes over live text."""
        self.page = self.doc[self.pno]  # adding pages orphans earlier Page objects
        out, bad_rects = [], []
        for rect, exemptions, text in self.pending:
            label = "; ".join(exemptions)
            out.append(Redaction([round(v, 2) for v in rect], label, exemptions, bad, text))
            if bad:
                bad_rects.append((rect, label))
            else:
                self.page.add_redact_annot(rect, text=label, fontname="helv",
                                           fontsize=_fit(label, rect), fill=(0, 0, 0),
                                           text_color=(1, 1, 1), cross_out=False)
        if len(bad_rects) < len(self.pending):
            self.page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE)
        for rect, label in bad_rects:  # the classic mistake: a box, text still there
            self.page.draw_rect(rect, color=None, fill=(0, 0, 0))
            self.page.insert_textbox(rect, label, fontsize=_fit(label, rect),
                                     color=(1, 1, 1), align=pymupdf.TEXT_ALIGN_CENTER)
        return out


def _fit(label: str, rect: pymupdf.Rect) -> float:
    return max(3.0, min(8.0, float(rect.width - 2) / max(width_of(label, 1), 1)))


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def a_number(rng: random.Random) -> str:
    return f"A{rng.randint(200, 249):03d}-{rng.randint(100, 999):03d}-{rng.randint(100, 999):03d}"


def _header(w: PageWriter, title: str) -> None:
    w.line(["LAW ENFORCEMENT SENSITIVE // FOR OFFICIAL USE ONLY"], size=7)
    w.line([title], size=13, font=BOLD, gap=2.0)


def weekly_report(doc: pymupdf.Document, rng: random.Random,
                  truth: DocTruth) -> list[PageWriter]:
    office = rng.choice(OFFICES)
    truth.title = f"ERO {office} Weekly Proposed Enforcement Actions"
    rows = rng.randint(20, 140)
    cols = [("Subject", 0), ("A-Number", 100), ("DOB", 170), ("Country", 220),
            ("Affiliation", 300), ("Conviction", 370), ("Proposed action", 445)]
    writers = []
    i = 0
    while i < rows:
        page = doc.new_page(width=PAGE.width, height=PAGE.height)
        w = PageWriter(page, rng)
        _header(w, truth.title)
        w.line([f"Area of Responsibility: {office}    Priority: {rng.choice(PRIORITY)}"], size=9)
        w.line(["   ".join(c for c, _ in cols)], size=8, font=BOLD)
        while i < rows and w.room(14):
            values = [(person(rng), PERSONAL), (a_number(rng), PERSONAL),
                      (f"{rng.randint(1,12):02d}/{rng.randint(1,28):02d}/{rng.randint(1960,2004)}", PERSONAL),
                      (rng.choice(COUNTRIES), None), (rng.choice(GROUPS), ["(b)(7)(C)"]),
                      (rng.choice(CRIMES), None), (rng.choice(ACTIONS), None)]
            y = w.y
            shown = []
            for (text, ex), (_, x) in zip(values, cols, strict=False):
                w.y = y
                size = 7.5
                page.insert_text((MARGIN + x, y), text, fontsize=size, fontname="helv")
                if ex:
                    width = width_of(text, size)
                    w.pending.append((pymupdf.Rect(MARGIN + x - 1, y - size * 0.95,
                                                   MARGIN + x + width + 1, y + size * 0.3), ex, text))
                else:
                    shown.append(text)
            w.visible.append(" ".join(shown))
            w.y = y + 7.5 * 1.6
            i += 1
        writers.append(w)
    return writers


def email(doc: pymupdf.Document, rng: random.Random, truth: DocTruth) -> list[PageWriter]:
    subject = rng.choice(["Weekly submissions", "Review of proposed action",
                          "Priority determination", "Operation planning",
                          "Question on guidelines implementation", "Backlog update"])
    sender = person(rng)
    truth.title = subject
    truth.meta = {"from": sender, "to": person(rng)}
    w = PageWriter(doc.new_page(width=PAGE.width, height=PAGE.height), rng)
    writers = [w]
    replies = rng.randint(1, 4)
    for n in range(replies):  # newest message first, as mail clients print threads
        if not w.room(140):
            w = PageWriter(doc.new_page(width=PAGE.width, height=PAGE.height), rng)
            writers.append(w)
        prefix = "RE: " if n < replies - 1 else ""
        date = f"{rng.choice(['Mon', 'Tue', 'Wed', 'Thu', 'Fri'])}, {rng.randint(1, 28)} {rng.choice(['Mar', 'Apr', 'May', 'Jun', 'Jul'])} 2022 {rng.randint(7, 18)}:{rng.randint(0, 59):02d}"
        w.line(["From: ", (sender if n == 0 else person(rng), PERSONAL), " (ICE)"])
        w.line(["To: ", (truth.meta["to"], PERSONAL), " (ICE)"])
        if rng.random() < 0.6:
            w.line(["Cc: ", (person(rng), PERSONAL), "; ", (person(rng), PERSONAL)])
        w.line([f"Sent: {date}"])
        w.line([f"Subject: {prefix}{subject}"], font=BOLD, gap=2.2)
        for _ in range(rng.randint(1, 6)):
            if not w.room(70):
                w = PageWriter(doc.new_page(width=PAGE.width, height=PAGE.height), rng)
                writers.append(w)
            w.paragraph(prose(rng, 2, 4), rng.choice([None, None, DELIBERATIVE, TECHNIQUE]))
        w.line(["Regards,"])
        w.line([(person(rng), PERSONAL)])
        w.line(["Deportation Officer, ", (rng.choice(OFFICES) + " Field Office", PERSONAL)], gap=3)
    return writers


def memo(doc: pymupdf.Document, rng: random.Random, truth: DocTruth) -> list[PageWriter]:
    subject = rng.choice(["Implementation of the Guidelines for Civil Immigration Enforcement",
                          "Headquarters Review of Proposed Enforcement Actions",
                          "Weekly Reporting Requirements", "Operational Planning Procedures"])
    truth.title = subject
    page = doc.new_page(width=PAGE.width, height=PAGE.height)
    w = PageWriter(page, rng)
    _header(w, "MEMORANDUM")
    w.line(["MEMORANDUM FOR: Field Office Directors"])
    w.line(["FROM: ", (person(rng), PERSONAL), ", Executive Associate Director"])
    w.line([f"SUBJECT: {subject}"], font=BOLD, gap=2.2)
    writers = [w]
    for n in range(rng.randint(6, 28)):
        body = f"{n + 1}. " + prose(rng, 2, 5)
        exemptions = rng.choice([None, None, None, DELIBERATIVE, TECHNIQUE])
        if not w.room(80):
            w = PageWriter(doc.new_page(width=PAGE.width, height=PAGE.height), rng)
            writers.append(w)
        w.paragraph(body, exemptions)
    return writers


def slip_sheet(doc: pymupdf.Document, rng: random.Random,
               truth: DocTruth) -> list[PageWriter]:
    exemptions = rng.choice([DELIBERATIVE, TECHNIQUE, DELIBERATIVE + PERSONAL])
    truth.title = "Withheld in full"
    writers = []
    for _ in range(rng.randint(1, 3)):
        page = doc.new_page(width=PAGE.width, height=PAGE.height)
        w = PageWriter(page, rng)
        w.y = PAGE.height / 2 - 20
        text = f"WITHHELD IN FULL PURSUANT TO {' AND '.join(exemptions)}"
        w.line([text], size=14, font=BOLD, x=(PAGE.width - width_of(text, 14, BOLD)) / 2)
        w.withheld_exemptions = exemptions
        writers.append(w)
    return writers


#: Writes one kind of document into a new PDF: its pages' writers (truth gets its title).
KindFn = Callable[[pymupdf.Document, random.Random, DocTruth], list[PageWriter]]
KINDS: list[tuple[str, KindFn, int]] = [("report", weekly_report, 3), ("email", email, 5), ("memo", memo, 3), ("slip", slip_sheet, 1)]


def stamp_bates(page: pymupdf.Page, bates: str) -> None:
    size = 9
    x = PAGE.width - MARGIN - width_of(bates, size)
    page.insert_text((x, PAGE.height - 24), bates, fontsize=size, fontname="helv")


def scan(page: pymupdf.Page, rng: random.Random) -> bytes:
    """Render a page as a slightly skewed, noisy grayscale scan (PNG bytes)."""
    pix = page.get_pixmap(dpi=150, colorspace=pymupdf.csGRAY)
    img = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    img = img.rotate(rng.uniform(-0.6, 0.6), fillcolor=255, resample=Image.Resampling.BILINEAR)
    img = img.filter(ImageFilter.GaussianBlur(0.4))
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def build_document(rng: random.Random,
                   kind_fn: KindFn) -> tuple[pymupdf.Document, list[PageWriter], DocTruth]:
    doc = pymupdf.open()
    truth = DocTruth(doc_id="", kind=kind_fn.__name__, title="")
    writers = kind_fn(doc, rng, truth)
    return doc, writers, truth


def _redact(truth: DocTruth, writers: list[PageWriter], red_rng: random.Random, tranche: int,
            bad_page: int) -> None:
    """Apply each page's redactions (``bad_page`` badly) and record them in ``truth``; in a
    later tranche the agency lifts some of those it made before."""
    for k, w in enumerate(writers):
        w.rng = red_rng
        if tranche > 1 and w.pending:  # a re-release: agency lifted some redactions
            keep = [p for p in w.pending if red_rng.random() < 0.6]
            for _rect, _, text in (p for p in w.pending if p not in keep):
                w.visible.append(text)
            w.pending = keep
        page_truth = PageTruth(redactions=w.apply(bad=k == bad_page))
        ex = getattr(w, "withheld_exemptions", None)
        if ex:
            page_truth.withheld_in_full = True
            page_truth.redactions = [Redaction([0, 0, PAGE.width, PAGE.height], "; ".join(ex),
                                               list(ex), False, "")]
        page_truth.visible_text = "\n".join(v for v in w.visible if v)
        truth.pages.append(page_truth)


def _stamp(doc: pymupdf.Document, truth: DocTruth, prefix: str, number: int, scanned: bool,
           red_rng: random.Random) -> int:
    """Bates-stamp the document's pages from ``number`` (scanning them first when
    ``scanned``); the next free number."""
    for index, page in enumerate(doc):
        bates = f"{prefix}{number:06d}"
        number += 1
        pt = truth.pages[index]
        pt.bates = bates
        pt.scanned = scanned
        if scanned:
            png = scan(page, red_rng)
            doc.delete_page(index)
            new = doc.new_page(index, width=PAGE.width, height=PAGE.height)
            new.insert_image(new.rect, stream=png)
            page = doc[index]
        stamp_bates(page, bates)  # digital Bates stamp, text even on scans
        pt.visible_text = (pt.visible_text + "\n" + bates).strip()
    return number


def produce(out: Path, seed: int, docs: int, prefix: str, start: int, layout: str,
            scanned_share: float, bad_share: float, tranche: int = 1,
            carry: list[tuple[int, str]] | None = None) -> list[DocTruth]:
    """Write one production tranche to `out`; return the truth for its documents."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    number = start
    truths: list[DocTruth] = []
    combined = pymupdf.open() if layout in ("pdf", "loadfile") else None
    plan: list[tuple[int, str] | None] = [None] * docs
    for i, (kind_seed, fn_name) in enumerate(carry or []):  # re-released documents
        plan[i] = (kind_seed, fn_name)
    for d in range(docs):
        planned = plan[d]
        if planned:
            doc_seed, fn_name = planned
            kind_fn = dict((k.__name__, k) for _, k, _ in KINDS)[fn_name]
        else:
            doc_seed = rng.randrange(1 << 30)
            kind_fn = rng.choices([k for _, k, _ in KINDS], [w for *_, w in KINDS])[0]
        # Same doc_seed -> same record; a different redaction seed per tranche.
        doc_rng = random.Random(doc_seed)
        redaction_share = bad_share if tranche == 1 else bad_share * 0.5
        doc, writers, truth = build_document(doc_rng, kind_fn)
        truth.meta["record_seed"] = doc_seed
        truth.tranche = tranche
        truth.doc_id = f"T{tranche}-DOC-{d + 1:04d}"
        doc_scanned = rng.random() < scanned_share
        red_rng = random.Random(f"{doc_seed}-{tranche}")
        # Bad redactions come a document at a time: someone used a drawing tool. A scan
        # burns boxes into the image, so a scanned document has none.
        bad_page = -1
        if not doc_scanned and red_rng.random() < redaction_share:
            bad_page = red_rng.randrange(len(writers))
        _redact(truth, writers, red_rng, tranche, bad_page)
        number = _stamp(doc, truth, prefix, number, doc_scanned, red_rng)
        truth.begbates, truth.endbates = truth.pages[0].bates, truth.pages[-1].bates
        if layout == "folder":
            name = f"{truth.begbates}.pdf"
            doc.save(out / name, garbage=3, deflate=True)
            truth.file = name
            for i, pt in enumerate(truth.pages):
                pt.file, pt.page_index = name, i
        else:  # "pdf" or "loadfile": combined is open
            into = cast("pymupdf.Document", combined)
            base = len(into)
            into.insert_pdf(doc)
            for i, pt in enumerate(truth.pages):
                pt.page_index = base + i
        truths.append(truth)
    if layout == "pdf":
        name = f"{prefix.strip('-_ ')}_production_{tranche:02d}.pdf"
        cast("pymupdf.Document", combined).save(out / name, garbage=3, deflate=True)
        for t in truths:
            t.file = name
            for pt in t.pages:
                pt.file = name
    elif layout == "loadfile":
        write_loadfile(out, combined, truths, prefix)
    return truths


def write_loadfile(out: Path, combined: pymupdf.Document, truths: list[DocTruth],
                   prefix: str) -> None:
    """A Concordance/Opticon volume: DATA/*.dat, DATA/*.opt, IMAGES/*.tif, TEXT/*.txt."""
    vol = "VOL001"
    (out / vol / "DATA").mkdir(parents=True, exist_ok=True)
    (out / vol / "IMAGES" / "IMG0001").mkdir(parents=True, exist_ok=True)
    (out / vol / "TEXT" / "TEXT0001").mkdir(parents=True, exist_ok=True)
    q, sep, nl = "\u00fe", "\x14", "\u00ae"
    fields = ["BEGBATES", "ENDBATES", "PAGECOUNT", "DOCTYPE", "TITLE", "FROM", "TO", "TEXTPATH"]
    dat_rows = [sep.join(q + f + q for f in fields)]
    opt_rows = []
    for t in truths:
        for k, pt in enumerate(t.pages):
            pix = combined[pt.page_index].get_pixmap(dpi=150, colorspace=pymupdf.csGRAY)
            img = Image.frombytes("L", (pix.width, pix.height), pix.samples).convert("1")
            rel = f"IMAGES\\IMG0001\\{pt.bates}.tif"
            img.save(out / vol / "IMAGES" / "IMG0001" / f"{pt.bates}.tif", compression="group4", dpi=(150, 150))
            opt_rows.append(f"{pt.bates},{vol},{rel},{'Y' if k == 0 else ''},,,{len(t.pages) if k == 0 else ''}")
            pt.file = rel.replace("\\", "/")
            pt.page_index = 0
        for pt in t.pages:  # page images burn every box in: nothing hides under them
            for r in pt.redactions:
                r.bad = False
        text_rel = f"TEXT\\TEXT0001\\{t.begbates}.txt"
        body = "\n\f".join(pt.visible_text for pt in t.pages)
        (out / vol / "TEXT" / "TEXT0001" / f"{t.begbates}.txt").write_text(body, encoding="utf-8")
        hidden = "; ".join(PERSONAL) if t.meta.get("from") else ""  # metadata is redacted too
        values = [t.begbates, t.endbates, str(len(t.pages)), t.kind, t.title, hidden, hidden, text_rel]
        dat_rows.append(sep.join(q + v.replace("\n", nl) + q for v in values))
        t.file = f"{vol}/DATA/{vol}.dat"
    (out / vol / "DATA" / f"{vol}.dat").write_text("\ufeff" + "\r\n".join(dat_rows) + "\r\n", encoding="utf-8")
    (out / vol / "DATA" / f"{vol}.opt").write_text("\r\n".join(opt_rows) + "\r\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--docs", type=int, default=40)
    ap.add_argument("--pages", type=int, default=0, help="approximate page target; overrides --docs")
    ap.add_argument("--prefix", default="ICE-FOIA-")
    ap.add_argument("--start", type=int, default=1)
    ap.add_argument("--layout", choices=["pdf", "folder", "loadfile"], default="pdf")
    ap.add_argument("--scanned-share", type=float, default=0.15)
    ap.add_argument("--bad-share", type=float, default=0.1,
                    help="share of documents with one page of bad redactions")
    ap.add_argument("--tranches", type=int, default=1)
    args = ap.parse_args(argv)
    docs = args.docs if not args.pages else max(1, round(args.pages / 2.6))
    all_truth, number, carry = [], args.start, None
    for tranche in range(1, args.tranches + 1):
        out = args.out if args.tranches == 1 else args.out / f"tranche_{tranche:02d}"
        truths = produce(out, args.seed + tranche - 1, docs, args.prefix, number, args.layout,
                         args.scanned_share, args.bad_share, tranche, carry)
        number += sum(len(t.pages) for t in truths)
        all_truth += truths
        # Next tranche re-releases about a fifth of this one's documents.
        carry = [(t.meta["record_seed"], t.kind) for t in truths if t.kind != "slip_sheet"][: max(1, docs // 5)]
    rereleases = []
    by_seed: dict[int, list[DocTruth]] = {}
    for t in all_truth:
        by_seed.setdefault(t.meta["record_seed"], []).append(t)
    for group in by_seed.values():
        if len(group) > 1:
            rereleases.append([t.doc_id for t in group])
    answer = {"prefix": args.prefix, "seed": args.seed, "layout": args.layout,
              "documents": [asdict(t) for t in all_truth], "rereleases": rereleases}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "truth.json").write_text(json.dumps(answer, indent=1))
    pages = sum(len(t.pages) for t in all_truth)
    reds = sum(len(p.redactions) for t in all_truth for p in t.pages)
    print(f"{len(all_truth)} documents, {pages} pages, {reds} redactions -> {args.out}")


if __name__ == "__main__":
    main()
