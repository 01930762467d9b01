"""A second production maker: redaction stamps in styles the shared generator never draws.

``../shared/corpus/make_production.py`` is one agency's redaction tool: black boxes with the
code in white Helvetica inside. Real agencies use every tool there is. This maker draws, with
an answer key in the same ``truth.json`` shape (plus, per redaction, the style it was drawn in):

- where the code is: inside the box, in the left or right margin of the box's line, one margin
  code for a whole redacted paragraph, just beside / above / below the box, or only a
  page-level legend ("Redacted pursuant to (b)(6), (b)(7)(C)");
- how it is written: "(b)(6); (b)(7)(C)", "(b) (6), (b) (7)(C)", "b6, b7C", "Ex. 7(E)",
  "Exemption 5", "FOIA (b)(6) (b)(7)(C)", lower-case subparts, upper-case "B7E";
- in which font (the Base-14 families in every weight, and DejaVu when the system has it),
  size (4-14 pt) and colour: white on black, black on gray, black or red text in an outlined
  box, red margin codes;
- with margin text that is *not* a code: pleading-paper line numbers, a header, "Page 2 of 5"
  and the Bates number;
- as a text-layer PDF, as an image-only PDF scan (gray, 200 or 300 dpi, skewed up to 1 degree)
  or as a Concordance/Opticon volume of 1-bit dithered TIFF pages at 150 or 300 dpi.

Styles are named; :data:`HELD_OUT` lists those kept out of tuning (their figures are reported
separately by ``benchmarks/stamp_styles.py``). Nothing here is imported by ``app/``.

Usage:  .venv/bin/python benchmarks/styles.py OUT [--layout text|scan|tiff] [--dpi 150]
        [--pages 20] [--seed 1] [--styles NAME ...]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
from dataclasses import asdict, dataclass
from pathlib import Path

import pymupdf
from PIL import Image, ImageFilter

PAGE_W, PAGE_H = 612.0, 792.0
LEFT, RIGHT = 96.0, 516.0  # the text column; margins either side hold codes and line numbers
WORDS = tuple(["the", "agency", "field", "office", "review", "officer", "request", "record", "case", "subject", "enforcement", "report", "weekly", "approval", "memo", "division", "program", "district", "counsel", "analysis", "removal", "operation", "priority", "detention", "public", "safety", "assessment", "procedure", "guidance", "schedule", "interview", "witness", "statement", "vehicle", "address", "account", "payment", "contract", "budget", "training", "policy", "directive", "supervisor", "contact", "meeting", "draft", "final", "decision"])
NAMES = ("Maria Alvarez", "John Okafor", "Daniel Reyes", "Priya Natarajan", "Kevin Walsh",
         "Li Wei", "Fatima Haddad", "Robert Kim", "Ana Souza", "Tom Brennan")
CODE_SETS = (["(b)(6)", "(b)(7)(C)"], ["(b)(5)"], ["(b)(7)(E)"], ["(b)(6)"], ["(b)(3)"],
             ["(b)(4)"], ["(b)(7)(A)"], ["(b)(7)(D)"], ["(b)(5)", "(b)(6)"], ["(b)(7)(C)"],
             ["(b)(1)"], ["(b)(7)(F)"], ["(b)(6)", "(b)(7)(C)", "(b)(7)(E)"], ["(b)(8)"])

# --- how codes are written ---------------------------------------------------------------


def _parts(code: str) -> tuple[str, str]:
    """'(b)(7)(C)' -> ('7', 'C'); '(b)(6)' -> ('6', '')."""
    inner = code.replace("(b)", "").strip("()").split(")(")
    return inner[0], inner[1] if len(inner) > 1 else ""


def write_codes(codes: list[str], notation: str) -> str:
    """The label an agency tool in ``notation`` prints for ``codes``."""
    parts = [_parts(c) for c in codes]
    if notation == "paren":
        return "; ".join(codes)
    if notation == "paren-comma-lower":
        return ",".join(f"(b)({n})" + (f"({s.lower()})" if s else "") for n, s in parts)
    if notation == "doj":
        return ", ".join(f"(b) ({n})" + (f"({s})" if s else "") for n, s in parts)
    if notation == "short":
        return ", ".join(f"b{n}{s}" for n, s in parts)
    if notation == "short-upper":
        return " ".join(f"B{n}{s}" for n, s in parts)
    if notation == "ex":
        return "Ex. " + ", ".join(f"{n}({s})" if s else n for n, s in parts)
    if notation == "exemption":
        items = [f"{n}({s})" if s else n for n, s in parts]
        if len(items) == 1:
            return f"Exemption {items[0]}"
        return "Exemptions " + ", ".join(items[:-1]) + " and " + items[-1]
    if notation == "foia":
        return "FOIA " + " ".join(codes)
    raise ValueError(notation)


# --- styles ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """One agency tool's look: box, where its code goes, how it is written, in what font."""

    name: str
    box: str  # "black" (white text) | "gray" (black text) | "outline" | "outline-red"
    place: str  # inside | margin-left | margin-right | margin-para | beside | above | below
    #             | legend
    notation: str
    font: str  # a Base-14 name, or "dejavu-sans" / "dejavu-serif" / "dejavu-mono"
    size: tuple[float, float]  # label font size range (pt)
    line_numbers: bool = False  # pleading-paper numbers in the left margin


STYLES: dict[str, Style] = {s.name: s for s in (
    Style("inside-times", "black", "inside", "paren", "tiro", (6, 9)),
    Style("inside-courier-bold", "black", "inside", "short", "cobo", (6, 9)),
    Style("inside-gray-helv-bold", "gray", "inside", "ex", "hebo", (6, 9)),
    Style("inside-outline-times-bold", "outline", "inside", "doj", "tibo", (5, 8)),
    Style("inside-outline-red", "outline-red", "inside", "paren-comma-lower", "helv", (5, 8)),
    Style("margin-left-ex", "black", "margin-left", "ex", "helv", (7, 10), line_numbers=True),
    Style("margin-left-doj", "black", "margin-left", "doj", "tiro", (8, 11)),
    Style("margin-right-short", "black", "margin-right", "short-upper", "cour", (8, 12)),
    Style("margin-para-foia", "black", "margin-para", "foia", "helv", (6, 9),
          line_numbers=True),
    Style("beside-small", "black", "beside", "paren", "helv", (4, 6)),
    Style("above-tiny", "black", "above", "short", "helv", (4, 5.5)),
    Style("legend-exemption", "black", "legend", "exemption", "tiro", (9, 14)),
    Style("margin-left-gray", "gray", "margin-left", "paren", "helv", (7, 10)),
    Style("below-outline", "outline", "below", "ex", "helv", (4.5, 6)),
    Style("legend-gray-foia", "gray", "legend", "foia", "helv", (8, 11)),
    # held out of tuning (see HELD_OUT): other fonts, colours and places
    Style("inside-dejavu-serif", "black", "inside", "foia", "dejavu-serif", (5, 8)),
    Style("inside-gray-courier", "gray", "inside", "paren", "cour", (6, 9)),
    Style("margin-left-red-bold", "outline-red", "margin-left", "exemption", "hebo", (7, 10)),
    Style("below-italic", "outline", "below", "doj", "tiit", (4.5, 6)),
    Style("margin-para-mono", "gray", "margin-para", "short", "dejavu-mono", (7, 10),
          line_numbers=True),
)}
HELD_OUT = ("inside-dejavu-serif", "inside-gray-courier", "margin-left-red-bold",
            "below-italic", "margin-para-mono")
TUNED = tuple(n for n in STYLES if n not in HELD_OUT)

_DEJAVU = {"dejavu-sans": "DejaVuSans.ttf", "dejavu-serif": "DejaVuSerif.ttf",
           "dejavu-mono": "DejaVuSansMono.ttf"}
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/TTF"),
              Path("/usr/local/share/fonts"))
_font_cache: dict[str, tuple[str, pymupdf.Font, bytes | None]] = {}


def _font(name: str) -> tuple[str, pymupdf.Font, bytes | None]:
    """(name to insert_text with, the Font for measuring, the file to embed or None)."""
    if name in _font_cache:
        return _font_cache[name]
    if name not in _DEJAVU:
        found: tuple[str, pymupdf.Font, bytes | None] = (name, pymupdf.Font(name), None)
    else:
        found = ("helv", pymupdf.Font("helv"), None)  # no DejaVu here: Helvetica stands in
        for d in _FONT_DIRS:
            f = d / _DEJAVU[name]
            if f.is_file():
                data = f.read_bytes()
                found = (name.replace("-", ""), pymupdf.Font(fontbuffer=data), data)
                break
    _font_cache[name] = found
    return found


# --- drawing one page --------------------------------------------------------------------

BLACK, WHITE, RED, GRAY = (0, 0, 0), (1, 1, 1), (0.8, 0, 0), (0.68, 0.68, 0.68)


class _Painter:
    """Draws text and boxes on a page and remembers the answer key."""

    def __init__(self, page: pymupdf.Page, rnd: random.Random) -> None:
        self.page = page
        self.rnd = rnd
        self.redactions: list[dict] = []
        self.visible: list[str] = []
        self.embedded: set[str] = set()

    def text(self, x: float, y: float, s: str, font: str, size: float,
             color: tuple = BLACK) -> float:
        """Write ``s`` with its baseline at y; returns its width."""
        fname, f, data = _font(font)
        if data is not None and fname not in self.embedded:
            self.page.insert_font(fontname=fname, fontbuffer=data)
            self.embedded.add(fname)
        self.page.insert_text((x, y), s, fontname=fname, fontsize=size, color=color)
        return f.text_length(s, fontsize=size)

    def width(self, s: str, font: str, size: float) -> float:
        return _font(font)[1].text_length(s, fontsize=size)

    def box(self, rect: pymupdf.Rect, style: Style) -> None:
        if style.box == "black":
            self.page.draw_rect(rect, color=None, fill=BLACK, overlay=True)
        elif style.box == "gray":
            self.page.draw_rect(rect, color=None, fill=GRAY, overlay=True)
        else:
            self.page.draw_rect(rect, color=BLACK, fill=WHITE, width=0.8, overlay=True)

    def label_color(self, style: Style) -> tuple:
        return {"black": WHITE, "gray": BLACK, "outline": BLACK, "outline-red": RED}[style.box]


def _fit_inside(p: _Painter, label: str, style: Style, rect: pymupdf.Rect,
                size: float) -> float | None:
    """The largest size <= ``size`` (and >= 4 pt) at which the label fits in the box."""
    s = min(size, rect.height - 2)
    while s >= 4:
        if p.width(label, style.font, s) <= rect.width - 3:
            return s
        s -= 0.5
    return None


def draw_page(page: pymupdf.Page, rnd: random.Random, style: Style, bates: str,
              page_no: int, pages: int) -> dict:
    """Fill ``page`` in ``style``; returns its truth entry (without file fields)."""
    p = _Painter(page, rnd)
    body_font = rnd.choice(("tiro", "helv", "cour"))
    body_size = 10.5
    spacing = 22.0 if style.place in ("above", "below") else 15.0
    p.text(LEFT, 40, "UNCLASSIFIED//FOR OFFICIAL USE ONLY", "helv", 8)
    p.visible.append("UNCLASSIFIED//FOR OFFICIAL USE ONLY")
    legend_codes = rnd.choice(CODE_SETS)
    y = 78.0
    line_no = 0
    lines = 0
    max_lines = int((720 - y) / spacing)
    paragraph_left = 0
    para_codes: list[str] = []
    para_rows: list[pymupdf.Rect] = []
    while lines < max_lines:
        lines += 1
        line_no += 1
        baseline = y + body_size
        if style.line_numbers:
            p.text(30, baseline, str(line_no), "cour", 9)
        top, bottom = y + 0.5, y + body_size + 4
        if paragraph_left == 0 and rnd.random() < 0.12 and lines < max_lines - 2:
            paragraph_left = rnd.randint(2, 4)
            para_codes = rnd.choice(CODE_SETS) if style.place != "legend" else legend_codes
            para_rows = []
        if paragraph_left:
            # a whole line withheld: one box per line, full width of the column
            end = RIGHT - rnd.uniform(0, 30) if paragraph_left > 1 else rnd.uniform(250, 480)
            rect = pymupdf.Rect(LEFT - 1, top, end, bottom)
            codes = para_codes
            first = not para_rows
            para_rows.append(rect)
            paragraph_left -= 1
            _redact(p, rect, codes, style, rnd, first_of_paragraph=first, spacing=spacing)
            y += spacing
            continue
        x = LEFT
        words_line: list[str] = []
        placed = False
        while True:
            if not placed and rnd.random() < 0.08 and x < RIGHT - 140:
                name = rnd.choice(NAMES)
                w = p.width(name, body_font, body_size) + 4
                codes = rnd.choice(CODE_SETS) if style.place != "legend" else legend_codes
                rect = pymupdf.Rect(x - 1, top, x + w, bottom)
                extra = _redact(p, rect, codes, style, rnd, spacing=spacing)
                x += w + 4 + extra
                placed = True
                continue
            word = rnd.choice(WORDS)
            w = p.width(word, body_font, body_size)
            if x + w > RIGHT:
                break
            p.text(x, baseline, word, body_font, body_size)
            words_line.append(word)
            x += w + p.width(" ", body_font, body_size)
        p.visible.append(" ".join(words_line))
        y += spacing
    if style.place == "legend":
        legend = "Redacted pursuant to " + write_codes(legend_codes, style.notation)
        size = rnd.uniform(*style.size)
        p.text(LEFT, 742, legend, style.font, min(size, 11), BLACK)
    footer = f"Page {page_no} of {pages}"
    p.text(LEFT, 765, footer, "helv", 8)
    p.text(440, 765, bates, "helv", 9)
    p.visible += [footer, bates]
    return {"bates": bates, "withheld_in_full": False, "visible_text": "\n".join(p.visible),
            "redactions": p.redactions, "style": style.name}


def _redact(p: _Painter, rect: pymupdf.Rect, codes: list[str], style: Style,
            rnd: random.Random, first_of_paragraph: bool = True, spacing: float = 15.0
            ) -> float:
    """Draw one box and its code where the style puts it; returns extra width used on the
    line (a code beside the box)."""
    p.box(rect, style)
    label = write_codes(codes, style.notation)
    size = rnd.uniform(*style.size)
    color = p.label_color(style)
    extra = 0.0
    place = style.place
    drawn = True
    if place == "inside":
        s = _fit_inside(p, label, style, rect, size)
        if s is None:  # too small a box for the label: the tool writes the shortest form
            label = write_codes(codes, "short")
            s = _fit_inside(p, label, style, rect, size)
        if s is None:
            drawn = False
        else:
            w = p.width(label, style.font, s)
            x = rect.x0 + (rect.width - w) / 2
            p.text(x, rect.y0 + (rect.height + 0.7 * s) / 2, label, style.font, s, color)
    elif place in ("margin-left", "margin-para"):
        if place == "margin-para" and not first_of_paragraph:
            drawn = True  # the paragraph's first line carries the code for all its lines
        else:
            s = size
            room = LEFT - (58 if style.line_numbers else 46)  # clear of the line numbers
            while p.width(label, style.font, s) > room and s > 4:
                s -= 0.5
            w = p.width(label, style.font, s)
            p.text(LEFT - 6 - w, rect.y0 + (rect.height + 0.7 * s) / 2, label, style.font, s,
                   RED if style.box == "outline-red" else BLACK)
    elif place == "margin-right":
        s = size
        while p.width(label, style.font, s) > PAGE_W - RIGHT - 14 and s > 4:
            s -= 0.5
        p.text(max(RIGHT + 8, rect.x1 + 6), rect.y0 + (rect.height + 0.7 * s) / 2, label,
               style.font, s, BLACK)
    elif place == "beside":
        extra = p.width(label, style.font, size) + 3
        p.text(rect.x1 + 2, rect.y1 - 3, label, style.font, size, BLACK)
    elif place in ("above", "below"):
        s = min(size, (spacing - rect.height) - 1.0)
        w = p.width(label, style.font, s)
        x = rect.x0 + max(0.0, (rect.width - w) / 2)
        y = rect.y0 - 1.0 if place == "above" else rect.y1 + 0.8 * s + 0.5
        p.text(x, y, label, style.font, s, BLACK)
    p.redactions.append({"bbox": [round(v, 2) for v in rect], "label": label if drawn else "",
                         "exemptions": list(codes), "bad": False, "place": place,
                         "style": style.name})
    return extra


# --- productions -------------------------------------------------------------------------


def _skewed(bbox: list[float], angle: float, w: float, h: float) -> list[float]:
    """The axis-aligned box around ``bbox`` rotated by ``angle`` degrees about the centre of a
    w x h page, as PIL's ``Image.rotate`` turns the picture (counter-clockwise on screen)."""
    a = math.radians(angle)
    cx, cy = w / 2, h / 2
    xs, ys = [], []
    for x, y in ((bbox[0], bbox[1]), (bbox[2], bbox[1]), (bbox[0], bbox[3]), (bbox[2], bbox[3])):
        dx, dy = x - cx, y - cy
        xs.append(cx + dx * math.cos(a) + dy * math.sin(a))
        ys.append(cy - dx * math.sin(a) + dy * math.cos(a))
    return [round(min(xs), 2), round(min(ys), 2), round(max(xs), 2), round(max(ys), 2)]


def _image(page: pymupdf.Page, dpi: int, angle: float, rnd: random.Random,
           one_bit: bool) -> Image.Image:
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    img = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    if angle:
        img = img.rotate(angle, fillcolor=255, resample=Image.BILINEAR)
    img = img.filter(ImageFilter.GaussianBlur(rnd.uniform(0.3, 0.7) * dpi / 200))
    return img.convert("1") if one_bit else img


def make(out: Path, *, layout: str = "text", styles: tuple[str, ...] = TUNED,
         pages: int = 20, seed: int = 1, dpi: int = 300, prefix: str = "STY") -> Path:
    """Write a production of ``pages`` pages cycling through ``styles`` under ``out``.

    layout "text": one text-layer PDF per document; "scan": image-only PDFs at ``dpi``
    (gray, skewed up to 1 degree); "tiff": a Concordance/Opticon volume VOL001 of 1-bit
    dithered TIFF pages at ``dpi``. Returns ``out``; the answer key is ``out/truth.json``.
    """
    rnd = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    docs: list[dict] = []
    root = out / "VOL001"
    dat_rows: list[list[str]] = []
    opt_rows: list[str] = []
    if layout == "tiff":
        for sub in ("DATA", "IMAGES", "TEXT"):
            (root / sub).mkdir(parents=True, exist_ok=True)
    n = 0
    doc_no = 0
    while n < pages:
        doc_no += 1
        count = min(pages - n, rnd.randint(1, 3))
        style = STYLES[styles[(doc_no - 1) % len(styles)]]
        src = pymupdf.open()
        truth_pages = []
        for k in range(count):
            bates = f"{prefix}-{n + k + 1:06d}"
            page = src.new_page(width=PAGE_W, height=PAGE_H)
            truth_pages.append(draw_page(page, rnd, style, bates, k + 1, count))
        first, last = truth_pages[0]["bates"], truth_pages[-1]["bates"]
        if layout == "text":
            name = f"{first}.pdf"
            src.save(out / name, garbage=3, deflate=True)
            for k, tp in enumerate(truth_pages):
                tp.update(file=name, page_index=k, scanned=False)
        elif layout == "scan":
            name = f"{first}.pdf"
            scan = pymupdf.open()
            for k, tp in enumerate(truth_pages):
                angle = rnd.uniform(-1.0, 1.0)
                img = _image(src[k], dpi, angle, rnd, one_bit=False)
                buf = io.BytesIO()
                img.save(buf, format="PNG")
                pg = scan.new_page(width=PAGE_W, height=PAGE_H)
                pg.insert_image(pg.rect, stream=buf.getvalue())
                for r in tp["redactions"]:
                    r["bbox"] = _skewed(r["bbox"], angle, PAGE_W, PAGE_H)
                tp.update(file=name, page_index=k, scanned=True, skew=round(angle, 3))
            scan.save(out / name, garbage=3, deflate=True)
            scan.close()
        elif layout == "tiff":
            for k, tp in enumerate(truth_pages):
                angle = rnd.uniform(-1.0, 1.0)
                img = _image(src[k], dpi, angle, rnd, one_bit=True)
                rel = f"IMAGES/{tp['bates']}.tif"
                img.save(root / rel, compression="group4", dpi=(dpi, dpi))
                for r in tp["redactions"]:
                    r["bbox"] = _skewed(r["bbox"], angle, PAGE_W, PAGE_H)
                tp.update(file=rel, page_index=0, scanned=True, skew=round(angle, 3))
                opt_rows.append(f"{tp['bates']},VOL001,IMAGES\\{tp['bates']}.tif,"
                                f"{'Y' if k == 0 else ''},,,{count if k == 0 else ''}")
            text_rel = f"TEXT/{first}.txt"
            (root / text_rel).write_text("\n\f".join(tp["visible_text"] for tp in truth_pages),
                                         encoding="utf-8")
            dat_rows.append([first, last, str(count), f"Record {doc_no}",
                             text_rel.replace("/", "\\")])
            name = "VOL001/DATA/VOL001.dat"
        else:
            raise ValueError(f"unknown layout {layout!r}")
        src.close()
        docs.append({"doc_id": f"STY-DOC-{doc_no:04d}", "begbates": first, "endbates": last,
                     "file": name, "style": style.name, "pages": truth_pages})
        n += count
    if layout == "tiff":
        q, sep = "\u00fe", "\x14"
        head = ["BEGBATES", "ENDBATES", "PAGECOUNT", "TITLE", "TEXTPATH"]
        lines = [sep.join(q + v + q for v in row) for row in [head, *dat_rows]]
        (root / "DATA" / "VOL001.dat").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
        (root / "DATA" / "VOL001.opt").write_text("\r\n".join(opt_rows) + "\r\n",
                                                  encoding="utf-8")
    truth = {"prefix": prefix, "seed": seed, "layout": layout, "dpi": dpi,
             "styles": {n: asdict(STYLES[n]) for n in styles}, "held_out": list(HELD_OUT),
             "documents": docs}
    (out / "truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--layout", choices=("text", "scan", "tiff"), default="text")
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--styles", nargs="+", default=list(TUNED),
                    help=f"style names (default: the tuned ones); all: {' '.join(STYLES)}")
    args = ap.parse_args(argv)
    make(args.out, layout=args.layout, styles=tuple(args.styles), pages=args.pages,
         seed=args.seed, dpi=args.dpi)
    print(f"wrote {args.out} ({args.layout}, {args.pages} pages)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
