"""Where a stamp's code is printed: margins, paragraphs, beside, above/below, legends; what is
never a code; codes read on scans in faces other than Helvetica; labels not legible."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image, ImageFilter

from app.ocr import engine
from app.ocr.tokenread import read_label
from app.redactions import analyze_page

ROOT = Path(__file__).resolve().parents[1]


def _page() -> pymupdf.Page:
    return pymupdf.open().new_page(width=612, height=792)


def _text(page: pymupdf.Page, x: float, y: float, s: str, size: float = 10,
          font: str = "helv", color=(0, 0, 0)) -> float:
    page.insert_text((x, y), s, fontsize=size, fontname=font, color=color)
    return pymupdf.get_text_length(s, font, size)


def _box(page: pymupdf.Page, r, fill=(0, 0, 0), border=False) -> pymupdf.Rect:
    r = pymupdf.Rect(r)
    page.draw_rect(r, color=(0, 0, 0) if border else None, fill=fill, width=0.8)
    return r


def _reopen(page: pymupdf.Page) -> pymupdf.Page:
    return pymupdf.open("pdf", page.parent.tobytes())[0]


def _body(page: pymupdf.Page, y0: float = 80, lines: int = 20, skip: set[int] = frozenset(),
          numbers: bool = False) -> None:
    """Lines of ordinary text in a column from x=96, one every 15 pt, with pleading-paper
    line numbers in the left margin when asked."""
    for n in range(lines):
        y = y0 + 15 * n
        if numbers:
            _text(page, 30, y, str(n + 1), 9, "cour")
        if n not in skip:
            _text(page, 96, y, "the field office reviewed the request and the record of it")


def _row(n: int, y0: float = 80) -> tuple[float, float, float, float]:
    """The box withholding the whole of line ``n`` of :func:`_body`."""
    y = y0 + 15 * n
    return 95, y - 10, 480, y + 3


def test_margin_code_on_each_boxed_line_and_line_numbers_are_not_codes() -> None:
    page = _page()
    _body(page, skip={3, 4, 6, 8}, numbers=True)
    for n, label in ((3, "Ex. 7(E)"), (4, "(b) (5)"), (8, "b6")):
        r = _box(page, _row(n))
        _text(page, 90 - pymupdf.get_text_length(label, "helv", 8), r.y1 - 4, label, 8)
    # a boxed line, a line of text apart, with nothing in its margin but its line number
    # ("7" is not (b)(7))
    _box(page, _row(6))
    _text(page, 96, 790 - 30, "Page 6 of 9")
    _text(page, 440, 790 - 30, "ABC-000006")
    res = analyze_page(_reopen(page))
    got = [(round(r.bbox[1]), r.exemptions, r.label_place) for r in res.redactions]
    assert got == [(115, ("(b)(7)(E)",), "margin"), (130, ("(b)(5)",), "margin"),
                   (160, (), ""), (190, ("(b)(6)",), "margin")]


def test_one_margin_code_serves_every_row_of_its_paragraph() -> None:
    page = _page()
    _body(page, skip={2, 3, 4, 5, 9, 10})
    for n in (2, 3, 4, 5, 9, 10):
        _box(page, _row(n))
    _text(page, 40, 80 + 15 * 2 - 1, "FOIA (b)(5)", 7)  # on the first row of the first
    _text(page, 50, 80 + 15 * 10 - 1, "b7E", 8)  # on the last row of the second
    res = analyze_page(_reopen(page))
    assert [r.exemptions for r in res.redactions] == [("(b)(5)",)] * 4 + [("(b)(7)(E)",)] * 2
    assert {r.label_place for r in res.redactions} == {"margin"}


def test_codes_beside_above_and_below_go_to_their_own_box() -> None:
    page = _page()
    w = _text(page, 96, 100, "Sent by")
    a = _box(page, (96 + w + 3, 90, 96 + w + 60, 103))
    _text(page, a.x1 + 2, 100, "(b)(6)", 5)  # beside, on the line
    b = _box(page, (150, 130, 220, 143))
    _text(page, 160, 129, "b7C", 4.5)  # just above
    c = _box(page, (150, 152, 220, 165))
    _text(page, 160, 170, "Ex. 5", 4.5)  # just below
    res = analyze_page(_reopen(page))
    got = {round(r.bbox[1]): (r.exemptions, r.label_place) for r in res.redactions}
    assert got == {90: (("(b)(6)",), "beside"), 130: (("(b)(7)(C)",), "beside"),
                   152: (("(b)(5)",), "beside")}
    assert b and c


def test_gray_and_outlined_boxes_with_codes_outside_are_redactions() -> None:
    page = _page()
    _body(page, skip={2, 6})
    _box(page, _row(2), fill=(0.68, 0.68, 0.68))
    _text(page, 60, 80 + 30 - 1, "(b)(4)", 8)
    _box(page, _row(6), fill=(1, 1, 1), border=True)
    _text(page, 60, 80 + 90 - 1, "(b)(3)", 8, color=(0.8, 0, 0))
    # a coloured cell with nothing beside it is not a redaction
    _box(page, (96, 600, 300, 615), fill=(0.9, 0.9, 0.6))
    res = analyze_page(_reopen(page))
    assert [r.exemptions for r in res.redactions] == [("(b)(4)",), ("(b)(3)",)]


def test_page_legend_when_no_box_has_its_own_code() -> None:
    page = _page()
    _body(page, skip={1, 7})
    _box(page, _row(1))
    _box(page, (200, 80 + 15 * 7 - 10, 300, 80 + 15 * 7 + 3))
    _text(page, 96, 740, "Redacted pursuant to Exemptions 6 and 7(C)", 9, "tiro")
    res = analyze_page(_reopen(page))
    assert [(r.exemptions, r.label_place) for r in res.redactions] == [
        (("(b)(6)", "(b)(7)(C)"), "legend")] * 2
    # with one box labelled, the legend does not speak for the other
    page = _page()
    _body(page, skip={1, 7})
    r1 = _box(page, _row(1))
    _text(page, r1.x0 + 150, r1.y1 - 3, "(b)(5)", 7, color=(1, 1, 1))
    _box(page, (200, 80 + 15 * 7 - 10, 300, 80 + 15 * 7 + 3))
    _text(page, 96, 740, "Redacted pursuant to Exemptions 6 and 7(C)", 9, "tiro")
    res = analyze_page(_reopen(page))
    assert [(r.exemptions, r.label_place) for r in res.redactions] == [
        (("(b)(5)",), "inside"), ((), "")]


def _scan_label(label: str, face: str, size: float, dpi: int, one_bit: bool,
                seed: int = 0) -> np.ndarray:
    """A white-on-black stamp as a scanner sees it, then cut out and turned black on white
    as the OCR step does (:func:`app.ocr.boxcrop.label_crop`)."""
    from app.ocr.boxcrop import label_crop

    doc = pymupdf.open()
    page = doc.new_page(width=200, height=40)
    w = pymupdf.get_text_length(label, face, size)
    box = pymupdf.Rect(10, 10, 10 + w + 12, 12 + size * 1.4)
    page.draw_rect(box, color=None, fill=(0, 0, 0))
    page.insert_text((16, 10 + size * 1.1), label, fontname=face, fontsize=size, color=(1, 1, 1))
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    img = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    img = img.rotate(0.6, fillcolor=255, resample=Image.BILINEAR).filter(
        ImageFilter.GaussianBlur(0.5 * dpi / 200))
    if one_bit:
        img = img.convert("1").convert("L")
    img = img.resize((img.width * 300 // dpi, img.height * 300 // dpi), Image.BILINEAR)
    k = 300 / 72  # the box and a hair around it, as the OCR step cuts it
    gray = np.asarray(img)[int(box.y0 * k) - 2: int(box.y1 * k) + 3, int(box.x0 * k):
                           int(box.x1 * k) + 1]
    found = label_crop(gray)
    assert found is not None
    return found[0]


@pytest.mark.parametrize(("label", "face", "codes"), [
    ("b7E", "cobo", ("(b)(7)(E)",)),
    ("Ex. 5", "tiro", ("(b)(5)",)),
    ("(b)(6),(b)(7)(c)", "helv", ("(b)(6)", "(b)(7)(C)")),
    ("FOIA (b)(6) (b)(7)(C)", "tibo", ("(b)(6)", "(b)(7)(C)")),
    ("(b) (5), (b) (6)", "hebo", ("(b)(5)", "(b)(6)")),
    ("Exemption 4", "cour", ("(b)(4)",)),
])
def test_labels_read_in_other_faces_on_300_dpi_scans(label: str, face: str,
                                                     codes: tuple[str, ...]) -> None:
    from app.redactions.stamps import canonical_codes

    read = read_label(_scan_label(label, face, 8, 300, one_bit=True))
    assert read is not None, label
    assert tuple(canonical_codes(read.label)[0]) == codes


def test_noise_is_not_read_as_a_code() -> None:
    rng = np.random.default_rng(3)
    speckle = np.where(rng.random((24, 90)) < 0.3, 0, 255).astype(np.uint8)
    assert read_label(speckle) is None
    # words that are not codes, in a face the reader knows
    assert read_label(_scan_label("PRIVATE", "helv", 8, 300, one_bit=False)) is None
    # a Privacy Act code is read as itself, never as the FOIA code it resembles
    pa = read_label(_scan_label("(k)(2)", "helv", 8, 300, one_bit=False))
    assert pa is not None and pa.label == "(k)(2)"


def test_a_scanned_label_whose_code_cannot_be_read_says_so() -> None:
    """OCR read a box's label as noise: the box has no code, says "illegible", and is
    never given a part of the noise that happens to parse."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    img = Image.new("L", (1275, 1650), 255)
    img.paste(0, (300, 400, 520, 430))  # a burned-in black box, 150 dpi
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    page.insert_image(page.rect, stream=buf.getvalue())
    page = _reopen(page)
    x0, y0 = 300 * 72 / 150, 400 * 72 / 150
    noise = [(x0 + 10, y0 + 3, x0 + 40, y0 + 11, "b6,", 0, 0, 0),
             (x0 + 42, y0 + 3, x0 + 80, y0 + 11, "bIC", 0, 0, 1)]
    res = analyze_page(page, [], image_only=True, ocr_words=noise)
    assert [(r.exemptions, r.label_place) for r in res.redactions] == [((), "illegible")]
    clean = [(x0 + 10, y0 + 3, x0 + 80, y0 + 11, "b6, b7C", 0, 0, 0)]
    res = analyze_page(page, [], image_only=True, ocr_words=clean)
    assert [(r.exemptions, r.label_place) for r in res.redactions] == [
        (("(b)(6)", "(b)(7)(C)"), "inside")]


def _vaughn(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_label_place_in_the_matter_and_the_cli(tmp_path: Path) -> None:
    from benchmarks.styles import make

    prod = make(tmp_path / "prod", layout="text", pages=8, seed=4,
                styles=("margin-left-doj", "legend-exemption", "inside-times"))
    matter = tmp_path / "m.vaughn"
    done = _vaughn("ingest", str(matter), str(prod), "--production", "P1")
    assert done.returncode == 0, done.stderr
    out = _vaughn("redactions", str(matter), "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    truth = json.loads((prod / "truth.json").read_text())
    want = [(p["bates"], r["bbox"], r["exemptions"], r["place"])
            for d in truth["documents"] for p in d["pages"] for r in p["redactions"]]
    place = {"margin-left": "margin"}
    assert len(rows) == len(want)
    for bates, bbox, codes, where in want:
        match = [r for r in rows if r["bates"] == bates
                 and max(abs(a - b) for a, b in zip(r["bbox"], bbox, strict=True)) < 1.0]
        assert len(match) == 1, (bates, bbox)
        assert (match[0]["exemptions"], match[0]["label_place"]) == (
            codes, place.get(where, where)), (bates, bbox)


@pytest.mark.skipif(not engine.ocr_available(), reason="no OCR language data")
def test_codes_in_the_margin_of_a_one_bit_tiff_volume(tmp_path: Path) -> None:
    """A 300 dpi dithered TIFF volume with codes printed in the margin: OCR reads them
    (beside the boxes, in any face) and every boxed line gets its code."""
    from benchmarks.styles import make

    prod = make(tmp_path / "vol", layout="tiff", pages=2, seed=2, dpi=300,
                styles=("margin-left-doj",))
    matter = tmp_path / "m.vaughn"
    assert _vaughn("ingest", str(matter), str(prod / "VOL001"), "--production",
                   "V1").returncode == 0
    done = _vaughn("ocr", str(matter))
    assert done.returncode in (0, 2), done.stderr
    rows = json.loads(_vaughn("redactions", str(matter), "--json").stdout)
    truth = json.loads((prod / "truth.json").read_text())
    want = [r for d in truth["documents"] for p in d["pages"] for r in p["redactions"]]
    right = sum(1 for t in want for r in rows
                if abs(r["bbox"][1] - t["bbox"][1]) < 4 and abs(r["bbox"][0] - t["bbox"][0]) < 4
                and r["exemptions"] == t["exemptions"])
    wrong = sum(1 for r in rows if r["exemptions"] and not any(
        abs(r["bbox"][1] - t["bbox"][1]) < 4 and r["exemptions"] == t["exemptions"]
        for t in want))
    assert wrong == 0
    assert right >= 0.8 * len(want)
