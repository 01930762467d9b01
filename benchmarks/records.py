"""A maker of single-PDF productions in record styles other than the shared generator's.

Each file holds many records, Bates-stamped in one sequence, with an answer key (truth.json:
every record's first Bates number, type, date and title). Styles:

  tuning:   outlook (Outlook-printed e-mail threads, "-----Original Message-----"),
            memo (letterhead, MEMORANDUM FOR / FROM / DATE / SUBJECT, running head on later
            pages), sheet (landscape spreadsheet print-outs with "Page k of N" footers),
            slip ("Page withheld in full" placeholders, one per withheld page)
  held-out: letter (letterhead, date, "Dear ...:", "Sincerely," continuation headers),
            form (a form title and "Page k of N" on every page; fields)

Usage: python benchmarks/records.py OUT --seed 3 --docs 40 [--styles outlook,memo,sheet,slip]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import pymupdf

LETTER = pymupdf.paper_rect("letter")
TUNING = ("outlook", "memo", "sheet", "slip")
HELD_OUT = ("letter", "form")
KIND = {"outlook": "email", "memo": "memo", "sheet": "report", "slip": "slip_sheet",
        "letter": "letter", "form": "form"}
NAMES = ["Avery Stone", "Jordan Pike", "Casey Lam", "Morgan Hale", "Riley Shaw", "Quinn Ford",
         "Dana Wolfe", "Reese Tan", "Harper Voss", "Emery Cole", "Sage Moreno", "Blake Ortiz"]
_TEXT = ("the detention standards review found that facility staff documented each transfer "
         "request and the field office confirmed the schedule with local partners while the "
         "inspection team noted several gaps in the medical intake records and asked for "
         "corrective action plans within thirty days of the final report and the contract "
         "officer agreed to track every item in the quarterly compliance summary")
WORDS = _TEXT.split()
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


class Pager:
    """Writes lines top to bottom, starting new pages (with an optional running head)."""

    def __init__(self, doc: pymupdf.Document, rng: random.Random, *, landscape: bool = False,
                 head: list[str] | None = None, size: float = 10.5) -> None:
        self.doc, self.rng, self.size = doc, rng, size
        self.rect = pymupdf.Rect(0, 0, LETTER.height, LETTER.width) if landscape else LETTER
        self.head = head
        self.page: pymupdf.Page | None = None
        self.pages = 0
        self.new_page(first=True)

    def new_page(self, first: bool = False) -> None:
        self.page = self.doc.new_page(width=self.rect.width, height=self.rect.height)
        self.pages += 1
        self.y = 72.0
        if self.head and not first:
            for ln in self.head:
                self.line(ln.replace("{n}", str(self.pages)), keep=True)
            self.y += 10

    def line(self, text: str, size: float | None = None, x: float = 72.0,
             keep: bool = False) -> None:
        size = size or self.size
        if not keep and self.y + size > self.rect.height - 90:
            self.new_page()
        self.page.insert_text((x, self.y), text, fontsize=size, fontname="helv")
        self.y += size * 1.5

    def paragraph(self, words: int) -> None:
        text = " ".join(self.rng.choice(WORDS) for _ in range(words))
        text = text[0].upper() + text[1:] + "."
        per_line = int((self.rect.width - 144) / (self.size * 0.5))
        line = ""
        for w in text.split():
            if len(line) + len(w) + 1 > per_line:
                self.line(line)
                line = w
            else:
                line = f"{line} {w}".strip()
        self.line(line)
        self.y += self.size * 0.6


def _date(rng: random.Random) -> tuple[str, int, int, int]:
    y, m, d = rng.choice([2020, 2021, 2022, 2023]), rng.randint(1, 12), rng.randint(1, 28)
    return f"{y:04d}-{m:02d}-{d:02d}", y, m, d


def outlook(doc, rng) -> dict:
    iso, y, m, d = _date(rng)
    subject = rng.choice(["Site visit follow-up", "Transfer schedule", "Draft response",
                          "Contract modification", "Intake records", "Call notes"])
    p = Pager(doc, rng)
    for n in range(rng.randint(1, 3)):
        if n:
            p.line("-----Original Message-----")
        day = DAYS[rng.randrange(5)]
        hh = rng.randint(1, 12)
        p.line(f"From: {rng.choice(NAMES)}")
        p.line(f"Sent: {day}, {MONTHS[m - 1]} {d:02d}, {y} {hh}:{rng.randint(0, 59):02d} PM")
        p.line(f"To: {rng.choice(NAMES)}; {rng.choice(NAMES)}")
        p.line(f"Subject: {'RE: ' if n == 0 and rng.random() < 0.5 else ''}{subject}")
        p.y += 8
        for _ in range(rng.randint(1, 5)):
            p.paragraph(rng.randint(30, 90))
        p.line(rng.choice(NAMES))
        p.y += 12
    return {"kind": "email", "date": iso, "title": subject, "pages": p.pages}


def memo(doc, rng) -> dict:
    iso, y, m, d = _date(rng)
    subject = rng.choice(["Detention Standards Review", "Quarterly Compliance Summary",
                          "Transfer Request Procedures", "Medical Intake Corrective Actions"])
    p = Pager(doc, rng, head=[f"{subject}", "Page {n}"])
    p.line("U.S. Department of Homeland Security", size=12)
    p.line("Office of Detention Oversight", size=9)
    p.y += 10
    p.line(f"{MONTHS[m - 1]} {d}, {y}")
    p.y += 6
    p.line(f"MEMORANDUM FOR: {rng.choice(NAMES)}, Assistant Director")
    p.line(f"FROM: {rng.choice(NAMES)}, Deputy Director")
    p.line(f"SUBJECT: {subject}")
    p.y += 10
    for _ in range(rng.randint(3, 14)):
        p.paragraph(rng.randint(40, 110))
    return {"kind": "memo", "date": iso, "title": subject, "pages": p.pages}


def sheet(doc, rng) -> dict:
    title = rng.choice(["Facility Population Report", "Transfer Log", "Inspection Tracker"])
    office = rng.choice(["Houston", "Newark", "Tacoma", "El Paso", "Miami"])
    rows = rng.randint(20, 110)
    per = 24
    total = (rows + per - 1) // per
    for k in range(total):
        page = doc.new_page(width=LETTER.height, height=LETTER.width)
        page.insert_text((54, 60), f"{title} - {office}", fontsize=12, fontname="helv")
        page.insert_text((54, 80), "ID      Facility      Date      Count      Status",
                         fontsize=8, fontname="helv")
        for r in range(min(per, rows - k * per)):
            page.insert_text((54, 96 + r * 16),
                             f"{rng.randint(1000, 9999)}   {office} SPC   "
                             f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/2022   "
                             f"{rng.randint(1, 900)}   {rng.choice(['open', 'closed'])}",
                             fontsize=8, fontname="helv")
        page.insert_text((LETTER.height / 2 - 30, LETTER.width - 40), f"Page {k + 1} of {total}",
                         fontsize=8, fontname="helv")
    return {"kind": "report", "date": None, "title": f"{title} - {office}", "pages": total}


def slip(doc, rng) -> dict:
    page = doc.new_page(width=LETTER.width, height=LETTER.height)
    code = rng.choice(["(b)(5)", "(b)(6)", "(b)(7)(E)", "(b)(5), (b)(6)"])
    text = f"Page withheld in full pursuant to FOIA Exemption {code}"
    page.insert_text((120, 380), text, fontsize=13, fontname="helv")
    page.draw_rect(pymupdf.Rect(40, 40, LETTER.width - 40, LETTER.height - 60), color=(0, 0, 0))
    return {"kind": "slip_sheet", "date": None, "title": "Withheld in full", "pages": 1}


def letter(doc, rng) -> dict:
    iso, y, m, d = _date(rng)
    who = rng.choice(NAMES)
    last = who.split()[-1]
    p = Pager(doc, rng, head=[f"Mr. {last}", f"{MONTHS[m - 1]} {d}, {y}", "Page {n}"])
    p.line("U.S. Department of Homeland Security", size=12)
    p.line("500 12th Street SW, Washington, DC 20536", size=8)
    p.y += 12
    p.line(f"{MONTHS[m - 1]} {d}, {y}")
    p.y += 8
    p.line(f"Mr. {who}")
    p.line(f"{rng.randint(10, 999)} Main Street")
    p.line("Springfield, VA 22150")
    p.y += 8
    re_line = rng.choice(["FOIA Request 2022-ICFO-01234", "Your inquiry of last month",
                          "Detention facility inspection"])
    p.line(f"Re: {re_line}")
    p.y += 6
    p.line(f"Dear Mr. {last}:")
    for _ in range(rng.randint(3, 12)):
        p.paragraph(rng.randint(40, 100))
    p.line("Sincerely,")
    p.line(rng.choice(NAMES))
    return {"kind": "letter", "date": iso, "title": re_line, "pages": p.pages}


def form(doc, rng) -> dict:
    iso, y, m, d = _date(rng)
    number, name = rng.choice([("I-213", "Record of Deportable/Inadmissible Alien"),
                               ("I-247A", "Immigration Detainer - Notice of Action"),
                               ("G-639", "Freedom of Information Act Request")])
    total = rng.randint(1, 3)
    for k in range(total):
        page = doc.new_page(width=LETTER.width, height=LETTER.height)
        page.insert_text((72, 60), f"Form {number}  {name}", fontsize=11, fontname="helv")
        page.insert_text((72, 80), f"Date of action: {m:02d}/{d:02d}/{y}" if k == 0 else
                         "Continuation", fontsize=9, fontname="helv")
        for r in range(rng.randint(8, 22)):
            page.insert_text((72, 110 + r * 24), f"{r + 1 + k * 30}. Field: "
                             f"{' '.join(rng.choice(WORDS) for _ in range(6))}",
                             fontsize=9, fontname="helv")
        page.insert_text((LETTER.width - 160, LETTER.height - 50),
                         f"Form {number} Page {k + 1} of {total}", fontsize=8, fontname="helv")
    return {"kind": "form", "date": iso, "title": f"Form {number}", "pages": total}


MAKERS = {"outlook": outlook, "memo": memo, "sheet": sheet, "slip": slip, "letter": letter,
          "form": form}


def make(out: Path, seed: int, docs: int, styles: tuple[str, ...],
         prefix: str = "DHS-OIG-") -> dict:
    """Write OUT/production.pdf and OUT/truth.json; return the answer key."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    combined = pymupdf.open()
    records = []
    number = 1
    for _ in range(docs):
        style = rng.choice(styles)
        doc = pymupdf.open()
        rec = MAKERS[style](doc, random.Random(rng.randrange(1 << 30)))
        rec["style"] = style
        rec["begbates"] = f"{prefix}{number:07d}"
        for page in doc:
            bates = f"{prefix}{number:07d}"
            page.insert_text((page.rect.width - 150, page.rect.height - 20), bates, fontsize=9,
                             fontname="helv")
            number += 1
        rec["pages"] = len(doc)
        combined.insert_pdf(doc)
        records.append(rec)
    combined.save(out / "production.pdf", garbage=3, deflate=True)
    key = {"seed": seed, "styles": list(styles), "documents": records}
    (out / "truth.json").write_text(json.dumps(key, indent=1))
    return key


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--docs", type=int, default=40)
    ap.add_argument("--styles", default=",".join(TUNING))
    args = ap.parse_args(argv)
    styles = tuple(s.strip() for s in args.styles.split(",") if s.strip())
    unknown = [s for s in styles if s not in MAKERS]
    if unknown:
        print(f"unknown style(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    key = make(args.out, args.seed, args.docs, styles)
    print(f"{len(key['documents'])} records -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
