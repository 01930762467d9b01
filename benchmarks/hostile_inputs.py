"""Hostile inputs made here (not by the shared generator), for benchmarks/hostile.py.

- ``dithered_volume``: a Concordance/Opticon volume of 1-bit TIFF pages at 150 dpi, dithered
  (Floyd-Steinberg), with long rows of black boxes carrying white labels in several styles,
  hatched and striped boxes (OCR reads stripes as long runs of capitals): the kind of volume
  whose OCR once never finished.
- ``stalling_text_pdf``: a text layer full of tokens that stalled a backtracking pattern (long
  runs of capitals, letter-digit alternations, near-miss Bates numbers and codes).
- ``drawings_pdf``: one page with a million filled rectangles among ordinary pages.
- ``corrupt_member_zip``: a zip whose deflated member's data is damaged, beside a good member.
- ``junk_zip``: 50,000 tiny files that are not production files, and one PDF.
"""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pymupdf
from PIL import Image, ImageFilter

LABELS = ["(b)(6)", "(b)(6); (b)(7)(C)", "b7E", "Ex. 5", "(b)(6),(b)(7)(c)",
          "FOIA (b)(6) (b)(7)(C)", "(b)(5)", "(b)(7)(E)"]
WORDS = ["the", "detainee", "was", "transferred", "to", "the", "field", "office", "after", "the", "review", "of", "the", "case", "file", "by", "the", "supervisory", "officer", "on", "duty", "with", "the", "approval", "of", "the", "assistant", "director"]  # noqa: SIM905


def _page_drawing(page: pymupdf.Page, rnd: random.Random, bates: str) -> str:
    """Draw one page: text lines, rows of labelled boxes, a hatched box; its visible text."""
    lines = []
    y = 72.0
    while y < 720:
        kind = rnd.random()
        if kind < 0.45:  # a row of full-width boxes, one label each
            x = 72.0
            while x < 520:
                w = rnd.uniform(60, 200)
                rect = pymupdf.Rect(x, y - 9, min(540, x + w), y + 3)
                page.draw_rect(rect, color=(0, 0, 0), fill=(0, 0, 0))
                label = rnd.choice(LABELS)
                size = rnd.choice((5.0, 5.5, 6.0, 7.0))
                if pymupdf.get_text_length(label, fontsize=size) < rect.width - 4:
                    page.insert_text((rect.x0 + 2, y + 1), label, fontsize=size,
                                     color=(1, 1, 1))
                x = rect.x1 + rnd.uniform(4, 14)
        elif kind < 0.52:  # a hatched box
            rect = pymupdf.Rect(72, y - 9, 540, y + 3)
            page.draw_rect(rect, color=(0, 0, 0), width=0.8)
            for k in range(int(rect.width // 3)):
                xx = rect.x0 + 3 * k
                page.draw_line((xx, rect.y1), (min(rect.x1, xx + 12), rect.y0), width=0.6)
        elif kind < 0.6:  # a striped box: OCR reads it as one long run of capitals
            pitch = rnd.choice((1.6, 2.0, 2.4, 2.8))
            for k in range(int(460 // pitch)):
                xx = 72 + k * pitch
                page.draw_line((xx, y - 9), (xx, y), width=pitch * 0.45)
        else:
            text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(8, 13))).capitalize()
            page.insert_text((72, y), text, fontsize=10)
            lines.append(text)
        y += rnd.choice((14.0, 15.0, 16.0))
    page.insert_text((430, 770), bates, fontsize=9)
    lines.append(bates)
    return "\n".join(lines)


def dithered_volume(out: Path, pages: int = 19, dpi: int = 150, seed: int = 15) -> Path:
    """Write the volume under ``out`` (VOL001/DATA, IMAGES, TEXT) and return its root."""
    rnd = random.Random(seed)
    root = out / "VOL001"
    for sub in ("DATA", "IMAGES", "TEXT"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    q, sep = "\u00fe", "\x14"
    dat = [sep.join(q + f + q for f in ("BEGBATES", "ENDBATES", "TITLE", "TEXTPATH"))]
    opt = []
    n = 0
    while n < pages:
        count = min(pages - n, rnd.randint(1, 4))
        names = [f"HOST-{n + k + 1:06d}" for k in range(count)]
        texts = []
        for k, name in enumerate(names):
            doc = pymupdf.open()
            page = doc.new_page()
            texts.append(_page_drawing(page, rnd, name))
            pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
            doc.close()
            img = Image.frombytes("L", (pix.width, pix.height), pix.samples)
            img = img.rotate(rnd.uniform(-0.8, 0.8), fillcolor=255, resample=Image.BILINEAR)
            img = img.filter(ImageFilter.GaussianBlur(0.6))
            img = img.convert("1")  # Floyd-Steinberg dithering
            img.save(root / "IMAGES" / f"{name}.tif", compression="group4", dpi=(dpi, dpi))
            opt.append(f"{name},VOL001,IMAGES\\{name}.tif,{'Y' if k == 0 else ''},,,"
                       f"{count if k == 0 else ''}")
        (root / "TEXT" / f"{names[0]}.txt").write_text("\n\f".join(texts), encoding="utf-8")
        dat.append(sep.join(q + v + q for v in (names[0], names[-1], f"Report {names[0]}",
                                                f"TEXT\\{names[0]}.txt")))
        n += count
    (root / "DATA" / "VOL001.dat").write_text("\r\n".join(dat) + "\r\n", encoding="utf-8")
    (root / "DATA" / "VOL001.opt").write_text("\r\n".join(opt) + "\r\n", encoding="utf-8")
    return root


def stalling_text_pdf(path: Path) -> Path:
    """Pages whose text layer holds tokens that make backtracking patterns stall."""
    tokens = ["H" * 400, "A1" * 300, "ICE" * 200 + "!", "(b)" * 300, "0" * 500 + "..",
              "%" * 200 + "x", "Ex" * 300, "b6" * 400, "-" * 300 + "H" * 300]
    doc = pymupdf.open()
    for k in range(4):
        page = doc.new_page()
        y = 72
        for token in tokens:
            for start in range(0, len(token), 120):
                page.insert_text((36, y), token[start:start + 120], fontsize=4)
                y += 6
        page.insert_text((430, 770), f"STALL-{k + 1:06d}", fontsize=9)
    doc.save(path)
    doc.close()
    return path


def drawings_pdf(path: Path, rects: int = 1_000_000) -> Path:
    """Three pages; the second draws ``rects`` tiny filled rectangles."""
    doc = pymupdf.open()
    for k in range(3):
        page = doc.new_page()
        page.insert_text((72, 72), f"An ordinary page {k + 1} of the memorandum.", fontsize=11)
        page.insert_text((430, 770), f"DRAW-{k + 1:06d}", fontsize=9)
        if k == 1:
            ops = "\n".join(f"{50 + (i % 500)} {100 + (i // 500) % 600} 0.6 0.6 re f"
                            for i in range(rects))
            xref = doc.get_new_xref()
            doc.update_object(xref, "<<>>")
            doc.update_stream(xref, ("0 g\n" + ops).encode())
            refs = " ".join(f"{x} 0 R" for x in [*page.get_contents(), xref])
            doc.xref_set_key(page.xref, "Contents", f"[{refs}]")
    doc.save(path, deflate=True)
    doc.close()
    return path


def _small_pdf(path: Path) -> Path:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "A letter about the request.", fontsize=11)
    page.insert_text((430, 770), "ZIP-000001", fontsize=9)
    doc.save(path)
    doc.close()
    return path


def corrupt_member_zip(path: Path) -> Path:
    """A zip with a good PDF and a PDF whose deflate stream is damaged."""
    good = _small_pdf(path.with_suffix(".good.pdf"))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(good, "PROD/good.pdf")
        zf.write(drawings_pdf(path.with_suffix(".big.pdf"), rects=20_000), "PROD/damaged.pdf")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("PROD/damaged.pdf")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 200, start + 240):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    good.unlink()
    path.with_suffix(".big.pdf").unlink()
    return path


def junk_zip(path: Path, files: int = 50_000) -> Path:
    """``files`` tiny JSON files and one PDF."""
    pdf = _small_pdf(path.with_suffix(".pdf"))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for n in range(files):
            zf.writestr(f"export/meta/{n:06d}.json", f'{{"n": {n}}}')
        zf.write(pdf, "export/letter.pdf")
    pdf.unlink()
    return path
