"""Stamp labels on scans read by shape (app.ocr.stampmatch): every code, cut labels, non-codes.

The page is made the way a scanner makes one: boxes burned in with white labels a few points
tall, rendered at 150 dpi in gray, blurred, and put back as an image-only page. The labels
are then found and read exactly as OCR does (no Tesseract needed: shape matching only).
"""

from __future__ import annotations

import io

import pymupdf
import pytest
from PIL import Image, ImageFilter

from app.ocr import boxcrop, engine
from app.ocr.stampmatch import PieceRead, match_label, settle
from app.redactions.stamps import canonical_codes

LABELS = ["(b)(1)", "(b)(2)", "(b)(3)", "(b)(4)", "(b)(5)", "(b)(6)", "(b)(7)(A)", "(b)(7)(B)",
          "(b)(7)(C)", "(b)(7)(D)", "(b)(7)(E)", "(b)(7)(F)", "(b)(8)", "(b)(9)",
          "(b)(6); (b)(7)(C)", "(b)(5); (b)(6)", "(b)(7)(E); (b)(7)(F)", "(b)(3), (b)(6)",
          "NON-RESPONSIVE", "PII"]


def _scanned_page(labels: list[str], size: float, *, long: bool = False, skew: float = 0.3,
                  one_bit: bool = False) -> pymupdf.Document:
    """``labels`` in boxes just wider than them (``long``: boxes across the text column),
    scanned at 150 dpi, turned by ``skew`` degrees; ``one_bit``: then dithered to 1 bit."""
    rows = [[(label, 468 if long else pymupdf.get_text_length(label, "helv", size) + 12)]
            for label in labels]
    return _scan(rows, size, skew=skew, one_bit=one_bit)


def _scan(rows: list[list[tuple[str, float]]], size: float, *, skew: float,
          one_bit: bool) -> pymupdf.Document:
    """A page of rows of boxes side by side, each (label, width), scanned as above."""
    src = pymupdf.open()
    page = src.new_page(width=612, height=792)
    y = 60.0
    for row in rows:
        page.insert_text((72, y + size), "x" * 40, fontsize=size)
        x = 72.0
        for label, width in row:
            page.add_redact_annot(pymupdf.Rect(x, y, x + width, y + size * 1.8), text=label,
                                  fontname="helv", fontsize=size, fill=(0, 0, 0),
                                  text_color=(1, 1, 1), cross_out=False)
            x += width
        y += size * 4
    page.apply_redactions()
    pix = page.get_pixmap(dpi=150, colorspace=pymupdf.csGRAY)
    img = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    img = img.rotate(skew, fillcolor=255, resample=Image.BILINEAR).filter(
        ImageFilter.GaussianBlur(0.4))
    if one_bit:  # a TIFF volume's page: the scan dithered to black and white
        img = img.convert("1")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    out = pymupdf.open()
    out.new_page(width=612, height=792).insert_image(pymupdf.Rect(0, 0, 612, 792),
                                                      stream=buf.getvalue())
    return out


def _regions(labels: list[str], size: float, **scan: float | bool) -> list:
    """Each box's region of the scanned page, top to bottom, with its label crop."""
    return _page_regions(_scanned_page(labels, size, **scan), len(labels))


def _page_regions(doc: pymupdf.Document, boxes_expected: int) -> list:
    page = doc[0]
    gray, zoom = engine.render_gray(page, 300)
    boxes = sorted(engine.dark_boxes(page, gray, zoom), key=lambda b: b[1])
    assert len(boxes) == boxes_expected
    pad = max(1, int(round(0.4 * zoom)))
    out = []
    for box in boxes:
        x0, y0, x1, y1 = engine._box_px(page, zoom, box, gray.shape, pad)
        sub = gray[y0:y1, x0 + pad:x1 - pad]
        out.append((sub, boxcrop.label_crop(sub)))
    return out


def _codes(shaped: tuple[str, object] | None) -> tuple[str, ...] | None:
    return tuple(canonical_codes(shaped[0])[0]) if shaped else None


def _read(labels: list[str], size: float,
          **scan: float | bool) -> list[tuple[str, tuple[str, ...] | None]]:
    """Each label as read alone, box by box."""
    regions = _regions(labels, size, **scan)
    return [(label, _codes(engine.label_by_shape(sub)))
            for label, (sub, _) in zip(labels, regions, strict=True)]


@pytest.mark.parametrize(("size", "least_right"), [(5.5, 0.9), (6.5, 1.0), (8.0, 1.0)])
def test_codes_are_read_and_other_labels_are_left_to_ocr(size: float, least_right: float) -> None:
    """From 6.5 pt every code is read; at 5.5 pt (a 150 dpi label 11 pixels tall) nearly all.
    A label that is not a code is never read as one, at any size."""
    right = codes_total = 0
    for label, codes in _read(LABELS, size):
        expected = tuple(canonical_codes(label)[0])
        if not expected:
            assert codes is None, (label, codes)
            continue
        codes_total += 1
        right += codes is not None and sorted(codes) == sorted(expected)
    assert right / codes_total >= least_right


@pytest.mark.parametrize("one_bit", [False, True])
def test_labels_in_long_boxes_on_a_skewed_scan(one_bit: bool) -> None:
    """A box across the text column on a page turned by 0.6 degrees drops by its whole height
    from end to end: the light wedges at its ends, and on a 1-bit page the dithered grey along
    its edges, are not part of the label at its left."""
    labels = ["(b)(5)", "(b)(7)(E)", "(b)(6); (b)(7)(C)", "(b)(4)", "(b)(7)(A)"]
    read = _read(labels, 8.0, long=True, skew=0.6, one_bit=one_bit)
    assert [codes for _, codes in read] == [tuple(canonical_codes(lb)[0]) for lb in labels]


@pytest.mark.parametrize(("size", "skew"), [(5.0, 0.5), (5.5, 0.3)])
def test_a_page_settles_its_unsure_labels_by_its_clear_ones(size: float, skew: float) -> None:
    """On a dithered page of tiny labels, the boxes the shapes cannot be sure of are taken as
    the label the page's other boxes clearly read, when it is one they may be; a label read
    right on its own is never changed, and one-off labels do not make a pattern."""
    labels = (["(b)(6); (b)(7)(C)"] * 8 + ["(b)(8)", "(b)(7)(E)", "(b)(6)"]
              + ["(b)(6); (b)(7)(C)"] * 6 + ["(b)(7)(D)", "(b)(4)"])
    regions = _regions(labels, size, skew=skew, one_bit=True)
    alone = [_codes(engine.label_by_shape(sub, found)) for sub, found in regions]
    page = [_codes(r) for r in engine.labels_by_shape(regions)]
    want = [tuple(canonical_codes(label)[0]) for label in labels]
    right_alone = {i for i, codes in enumerate(alone) if codes == want[i]}
    right_page = {i for i, codes in enumerate(page) if codes == want[i]}
    assert right_alone <= right_page
    assert len(right_page) >= len(right_alone) + 2
    assert len(right_page) >= 0.8 * len(labels)


@pytest.mark.parametrize(("size", "one_bit"), [(6.5, True), (8.0, True), (8.0, False)])
def test_privacy_act_and_other_labels_are_never_made_exemption_codes(size: float,
                                                                     one_bit: bool) -> None:
    """"(k)(2)" is "(b)(2)" but for one letter: the Privacy Act codes, and labels that are no
    codes at all, are left to OCR, alone and on a page of many clear "(b)(6)" boxes."""
    others = ["(k)(2)", "(j)(2)", "(k)(5)", "(k)(6)", "PII", "NON-RESPONSIVE"]
    labels = ["(b)(6)"] * 6 + others
    regions = _regions(labels, size, one_bit=one_bit)
    for read in ([engine.label_by_shape(sub, found) for sub, found in regions],
                 engine.labels_by_shape(regions)):
        assert [_codes(r) for r in read[6:]] == [None] * len(others)
        assert sum(_codes(r) == ("(b)(6)",) for r in read[:6]) >= 5


def test_two_redactions_side_by_side_keep_both_labels() -> None:
    """Two boxes that touch are found as one; the shorter label is not a speck to drop."""
    rows = [[("(b)(6)", 200.0), ("(b)(7)(C)", 200.0)]]
    for size, skew, one_bit in [(8.0, 0.0, True), (8.0, 0.3, True), (7.0, 0.0, True),
                                (8.0, 0.3, False)]:
        regions = _page_regions(_scan(rows, size, skew=skew, one_bit=one_bit), 1)
        assert _codes(engine.label_by_shape(*regions[0])) == ("(b)(6)", "(b)(7)(C)")


def test_settle_takes_only_a_common_label_the_pieces_may_be() -> None:
    def cut(*pieces: tuple[str, float, tuple[str, ...]]) -> list[PieceRead | None]:
        return [PieceRead(code, score, -0.01, close) for code, score, close in pieces]

    six_7c = ("(b)(6)", "(b)(7)(C)")
    unsure = cut(("(b)(8)", 0.7, ("(b)(8)", "(b)(6)")),
                 ("(b)(7)(E)", 0.7, ("(b)(7)(E)", "(b)(7)(C)")))
    settled = settle((unsure, None), {six_7c: 5, ("(b)(5)",): 9})
    assert settled is not None and settled.codes == six_7c
    assert settle((unsure, None), {six_7c: 2}) is None  # not yet a pattern
    assert settle((unsure, None), {six_7c: 5, ("(b)(8)", "(b)(7)(C)"): 3}) is None  # two fit
    assert settle((unsure, None), {("(b)(4)", "(b)(7)(C)"): 9}) is None  # (b)(4) not close
    faint = cut(("(b)(8)", 0.3, ("(b)(8)", "(b)(6)")), ("(b)(7)(C)", 0.7, ("(b)(7)(C)",)))
    assert settle((faint, None), {six_7c: 9}) is None  # a piece that looks like no code
    clear = [PieceRead("(b)(6)", 0.8, 0.01, ("(b)(6)",)),
             PieceRead("(b)(7)(D)", 0.7, 0.2, ("(b)(7)(D)", "(b)(7)(C)"))]
    assert settle((clear, None), {six_7c: 9}) is None  # a code read clearly is kept
    assert settle((unsure, None), {six_7c: 9}, pieces=1) is None  # nor is a code dropped


def test_a_blank_crop_is_no_label() -> None:
    import numpy as np

    assert match_label(np.full((20, 120), 255, dtype=np.uint8)) is None
    assert match_label(np.zeros((20, 120), dtype=np.uint8)) is None
