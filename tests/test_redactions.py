"""Redaction analysis on small PDFs built here: boxes, stamps, bad redactions, traps."""

from __future__ import annotations

import io

import numpy as np
import pymupdf
import pytest
from PIL import Image

from app.redactions import analyze_page, is_image_only, reveal_hidden_text

SECRET = "Zebulon Quixote"


def new_page(doc: pymupdf.Document | None = None, **kw) -> pymupdf.Page:
    doc = doc if doc is not None else pymupdf.open()
    return doc.new_page(width=kw.get("width", 612), height=kw.get("height", 792))


def text(page: pymupdf.Page, x: float, y: float, s: str, size: float = 10, color=(0, 0, 0)):
    page.insert_text((x, y), s, fontsize=size, fontname="helv", color=color)
    w = pymupdf.get_text_length(s, "helv", size)
    return pymupdf.Rect(x - 1, y - size * 0.95, x + w + 1, y + size * 0.3)


def box(page: pymupdf.Page, r, fill=(0, 0, 0), color=None, width=1.0):
    page.draw_rect(pymupdf.Rect(r), color=color, fill=fill, width=width)


def label_in(page: pymupdf.Page, r, s: str, color=(1, 1, 1), size: float = 6):
    r = pymupdf.Rect(r)
    page.insert_text((r.x0 + 2, r.y1 - (r.height - size) / 2 - 1), s, fontsize=size,
                     fontname="helv", color=color)


def roundtrip(page: pymupdf.Page) -> pymupdf.Page:
    """Save and reopen, as a real production would be read."""
    data = page.parent.tobytes()
    return pymupdf.open("pdf", data)[0]


def good_redaction(page: pymupdf.Page, r, label: str) -> None:
    page.add_redact_annot(pymupdf.Rect(r), text=label, fontname="helv", fontsize=6,
                          fill=(0, 0, 0), text_color=(1, 1, 1), cross_out=False)
    page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE)


def black_png(w: int = 40, h: int = 12, value: int = 0) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (w, h), value).save(buf, format="PNG")
    return buf.getvalue()


def no_secret(analysis) -> None:
    assert SECRET not in repr(analysis)
    for part in SECRET.split():
        assert part not in repr(analysis)


# ----------------------------------------------------------------------------- good and bad


def test_applied_redaction_with_white_stamp() -> None:
    page = new_page()
    text(page, 72, 100, "From: ")
    r = text(page, 102, 100, SECRET)
    text(page, 72, 130, "Body text that stays.")
    good_redaction(page, r, "(b)(6); (b)(7)(C)")
    page = roundtrip(page)
    res = analyze_page(page)
    assert len(res.redactions) == 1
    red = res.redactions[0]
    assert red.source == "vector"
    assert red.exemptions == ("(b)(6)", "(b)(7)(C)")
    assert not red.bad and red.hidden_chars == 0 and not red.withheld_in_full
    assert pymupdf.Rect(red.bbox).contains(pymupdf.Rect(r) + (1, 1, -1, -1))
    words = page.get_text("words")
    assert {words[i][4] for i in res.stamp_words} == {"(b)(6);", "(b)(7)(C)"}
    assert not res.hidden_words
    assert 0 < res.redacted_share < 1


def test_bad_redaction_box_over_live_text() -> None:
    page = new_page()
    text(page, 72, 100, "Name:")
    r = text(page, 110, 100, SECRET)
    text(page, 72, 130, "Other text")
    box(page, r)
    label_in(page, r, "(b)(6)")
    page = roundtrip(page)
    res = analyze_page(page)
    assert len(res.redactions) == 1
    red = res.redactions[0]
    assert red.bad and red.hidden_chars == len(SECRET.replace(" ", ""))
    assert red.exemptions == ("(b)(6)",)
    assert red.label == "(b)(6)"
    words = page.get_text("words")
    assert sorted(words[i][4] for i in res.hidden_words) == sorted(SECRET.split())
    assert [words[i][4] for i in res.stamp_words] == ["(b)(6)"]
    no_secret(res)
    assert reveal_hidden_text(page, red.bbox) == SECRET


def test_reveal_is_empty_for_a_good_redaction() -> None:
    page = new_page()
    r = text(page, 72, 100, SECRET)
    good_redaction(page, r, "(b)(6)")
    page = roundtrip(page)
    red = analyze_page(page).redactions[0]
    assert reveal_hidden_text(page, red.bbox) == ""


def test_black_text_drawn_on_top_of_black_box_is_hidden() -> None:
    """x-ray's rectangles_yes: the box comes first, black text after it, invisible."""
    page = new_page()
    r = pymupdf.Rect(100, 88, 200, 103)
    box(page, r)
    text(page, 102, 100, SECRET)
    page = roundtrip(page)
    red = analyze_page(page).redactions[0]
    assert red.bad and red.hidden_chars == 14


def test_white_text_on_top_is_a_stamp_not_hidden_text() -> None:
    page = new_page()
    r = pymupdf.Rect(100, 88, 200, 103)
    box(page, r)
    label_in(page, r, "FOIA (b)(5)")
    page = roundtrip(page)
    red = analyze_page(page).redactions[0]
    assert not red.bad and red.exemptions == ("(b)(5)",)


def test_red_stamp_in_box() -> None:
    page = new_page()
    r = text(page, 72, 100, SECRET)
    good_redaction(page, r, "")
    label_in(page, r, "b7C", color=(1, 0, 0))
    res = analyze_page(roundtrip(page))
    assert [x.exemptions for x in res.redactions] == [("(b)(7)(C)",)]


def test_doj_spacing_and_statute() -> None:
    page = new_page()
    r1 = text(page, 72, 100, "A long name to hide here")
    r2 = text(page, 72, 130, "A visa record to hide here too")
    good_redaction(page, r1, "(b) (6), (b) (7)(C)")
    good_redaction(page, r2, "(b)(3): 8 U.S.C. § 1202(f)")
    res = analyze_page(roundtrip(page))
    got = {x.exemptions: x.statute for x in res.redactions}
    assert got == {("(b)(6)", "(b)(7)(C)"): "", ("(b)(3)",): "8 U.S.C. § 1202(f)"}


def test_margin_stamp_covers_every_box_on_its_line() -> None:
    page = new_page()
    text(page, 12, 100, "(b)(6)", size=7)
    r1 = text(page, 72, 100, "Maria Lopez")
    text(page, 140, 100, "met")
    r2 = text(page, 170, 100, "Jose Cruz")
    text(page, 72, 130, "Another line without a stamp")
    r3 = text(page, 240, 130, "secret")
    for r in (r1, r2, r3):
        good_redaction(page, r, "")
    page = roundtrip(page)
    res = analyze_page(page)
    by_y = sorted(res.redactions, key=lambda x: (x.bbox[1], x.bbox[0]))
    assert [x.exemptions for x in by_y] == [("(b)(6)",), ("(b)(6)",), ()]
    words = page.get_text("words")
    assert [words[i][4] for i in res.stamp_words] == ["(b)(6)"]


def test_stamp_just_beside_the_box() -> None:
    page = new_page()
    r = text(page, 72, 100, "Operation Falcon")
    text(page, 72 + r.width + 4, 100, "b7E", size=7)
    good_redaction(page, r, "")
    res = analyze_page(roundtrip(page))
    assert res.redactions[0].exemptions == ("(b)(7)(E)",)


def test_box_without_stamp_has_no_exemptions() -> None:
    page = new_page()
    r = text(page, 72, 100, "Something withheld")
    good_redaction(page, r, "")
    res = analyze_page(roundtrip(page))
    assert res.redactions[0].exemptions == () and res.redactions[0].label == ""


def test_category_and_privacy_act_labels() -> None:
    page = new_page()
    r1 = text(page, 72, 100, "Some text withheld here in full")
    r2 = text(page, 72, 130, "Other text withheld too")
    good_redaction(page, r1, "Harm to Ongoing Matter")
    good_redaction(page, r2, "(k)(2)")
    res = analyze_page(roundtrip(page))
    assert sorted(x.exemptions for x in res.redactions) == [("(k)(2)",), ("Harm to Ongoing Matter",)]


def test_white_box_with_dark_border_and_stamp() -> None:
    page = new_page()
    text(page, 72, 100, "Before")
    r = pymupdf.Rect(120, 88, 200, 104)
    box(page, r, fill=(1, 1, 1), color=(0, 0, 0))
    label_in(page, r, "(b)(5)", color=(0, 0, 0))
    res = analyze_page(roundtrip(page))
    assert len(res.redactions) == 1 and res.redactions[0].exemptions == ("(b)(5)",)


def test_whiteout_over_text_is_bad() -> None:
    page = new_page()
    r = text(page, 72, 100, SECRET)
    box(page, r, fill=(1, 1, 1))
    res = analyze_page(roundtrip(page))
    assert len(res.redactions) == 1 and res.redactions[0].bad
    no_secret(res)


def test_dark_gray_box_counts() -> None:
    page = new_page()
    r = pymupdf.Rect(72, 88, 160, 103)
    box(page, r, fill=(0.25, 0.25, 0.25))
    label_in(page, r, "(b)(6)")
    res = analyze_page(roundtrip(page))
    assert res.redactions[0].exemptions == ("(b)(6)",)


# ----------------------------------------------------------------------------- annotations


def test_square_annotation_over_text_is_bad() -> None:
    page = new_page()
    r = text(page, 72, 100, SECRET)
    a = page.add_rect_annot(r)
    a.set_colors(stroke=(0, 0, 0), fill=(0, 0, 0))
    a.update()
    res = analyze_page(roundtrip(page))
    assert [(x.source, x.bad) for x in res.redactions] == [("annotation", True)]
    no_secret(res)


def test_unapplied_redact_annotation_with_overlay_text() -> None:
    page = new_page()
    r = text(page, 72, 100, SECRET)
    page.add_redact_annot(r, text="(b)(6)", fill=(0, 0, 0))
    res = analyze_page(roundtrip(page))
    red = res.redactions[0]
    assert red.source == "annotation" and red.exemptions == ("(b)(6)",)
    assert red.bad  # the text is still in the file: the redaction was never applied
    no_secret(res)


def test_black_highlight_is_a_box_yellow_is_not() -> None:
    page = new_page()
    r1 = text(page, 72, 100, SECRET)
    r2 = text(page, 72, 130, "Just emphasised")
    h = page.add_highlight_annot(r1)
    h.set_colors(stroke=(0, 0, 0))
    h.update()
    page.add_highlight_annot(r2)  # yellow
    res = analyze_page(roundtrip(page))
    assert len(res.redactions) == 1 and res.redactions[0].bad
    assert res.redactions[0].bbox[1] < 110


def test_image_xobject_box() -> None:
    page = new_page()
    r = text(page, 72, 100, SECRET)
    page.insert_image(r, stream=black_png())
    r2 = pymupdf.Rect(300, 200, 360, 215)
    page.insert_image(r2, stream=black_png())
    res = analyze_page(roundtrip(page))
    got = sorted((x.source, x.bad) for x in res.redactions)
    assert got == [("image", False), ("image", True)]
    no_secret(res)


def test_text_over_an_image_is_not_hidden() -> None:
    page = new_page()
    r = pymupdf.Rect(72, 88, 200, 104)
    page.insert_image(r, stream=black_png())
    label_in(page, r, "(b)(6)")
    res = analyze_page(roundtrip(page))
    assert [(x.source, x.bad, x.exemptions) for x in res.redactions] == [
        ("image", False, ("(b)(6)",))]


# ----------------------------------------------------------------------------- traps


def test_not_redactions_rules_headers_cells_frames_hatching() -> None:
    page = new_page()
    # table rules and an underline
    for y in (150, 170, 190):
        page.draw_line((72, y), (540, y), color=(0, 0, 0), width=0.8)
    page.draw_rect(pymupdf.Rect(72, 150, 540, 151.2), fill=(0, 0, 0), color=None)
    t = text(page, 80, 165, "Cell text")
    page.draw_line((t.x0, t.y1), (t.x1, t.y1), color=(0, 0, 0), width=0.5)
    # a dark filled header bar with white text on top
    box(page, (72, 100, 540, 118), fill=(0.1, 0.1, 0.3))
    text(page, 80, 113, "WEEKLY REPORT - FIELD OFFICE SUMMARY", color=(1, 1, 1))
    # light gray header cells, text on top
    box(page, (72, 200, 300, 220), fill=(0.85, 0.85, 0.85))
    text(page, 80, 214, "Subject")
    # unfilled rectangle around text, and a border frame
    page.draw_rect(pymupdf.Rect(72, 240, 300, 260), color=(0, 0, 0), width=1)
    text(page, 80, 254, "Boxed text")
    shape = page.new_shape()  # frame as one path: outer and inner rectangle, even-odd
    shape.draw_rect(pymupdf.Rect(320, 240, 540, 300))
    shape.draw_rect(pymupdf.Rect(322, 242, 538, 298))
    shape.finish(fill=(0, 0, 0), color=None, even_odd=True)
    shape.commit()
    # hatch pattern over text
    t = text(page, 80, 330, "Hatched but readable")
    shape = page.new_shape()
    for k in range(10):
        shape.draw_line((t.x0 + 10 * k, t.y1), (t.x0 + 10 * k + 10, t.y0))
    shape.finish(color=(0, 0, 0), width=0.5)
    shape.commit()
    # a logo-like filled curve
    page.draw_circle((500, 60), 20, color=None, fill=(0, 0, 0))
    res = analyze_page(roundtrip(page))
    assert res.redactions == ()
    assert not res.withheld_in_full and res.redacted_share == 0.0


def test_light_fill_under_text_is_a_highlight_not_a_redaction() -> None:
    page = new_page()
    box(page, (70, 88, 200, 104), fill=(1, 1, 0))
    text(page, 72, 100, "highlighted text")
    assert analyze_page(roundtrip(page)).redactions == ()


def test_whitespace_and_punctuation_under_box_is_not_bad() -> None:
    page = new_page()
    r = text(page, 72, 100, " , . ")
    box(page, (r.x0, r.y0, r.x0 + 40, r.y1))
    res = analyze_page(roundtrip(page))
    assert len(res.redactions) == 1 and not res.redactions[0].bad


def test_date_stamp_drawn_on_box_is_not_bad() -> None:
    """x-ray's no_bad_redactions.8.1: a redaction tool draws its date on the box."""
    page = new_page()
    r = pymupdf.Rect(72, 88, 140, 104)
    box(page, r)
    text(page, 74, 100, "03/23/2019", size=8)
    res = analyze_page(roundtrip(page))
    assert len(res.redactions) == 1 and not res.redactions[0].bad


def test_dates_under_a_box_drawn_over_them_are_bad() -> None:
    page = new_page()
    r = text(page, 72, 100, "03/12/1985")
    box(page, r)
    assert analyze_page(roundtrip(page)).redactions[0].bad


def test_clipped_box_does_not_cover_text() -> None:
    page = new_page()
    text(page, 72, 100, SECRET)
    # a black rectangle drawn over the text but clipped to an area away from it
    doc = page.parent
    xref = page.get_contents()[0]
    stream = doc.xref_stream(xref) + b"\nq 300 300 50 50 re W n 0 g 70 680 150 20 re f Q\n"
    doc.update_stream(xref, stream)
    res = analyze_page(roundtrip(page))
    assert all(not x.bad for x in res.redactions)


# ----------------------------------------------------------------------------- whole pages


@pytest.mark.parametrize(
    ("sheet", "codes"),
    [
        ("WITHHELD IN FULL PURSUANT TO (b)(5)", ("(b)(5)",)),
        ("Page withheld pursuant to (b)(6), (b)(7)(C)", ("(b)(6)", "(b)(7)(C)")),
        ("Deleted Page(s) - b6; b7C; b7E", ("(b)(6)", "(b)(7)(C)", "(b)(7)(E)")),
        ("Withheld in full", ()),
    ],
)
def test_slip_sheets(sheet: str, codes: tuple) -> None:
    page = new_page()
    text(page, 120, 396, sheet, size=14)
    text(page, 480, 770, "ICE-FOIA-000123", size=9)
    res = analyze_page(roundtrip(page))
    assert res.withheld_in_full and res.redacted_share == 1.0
    assert len(res.redactions) == 1
    red = res.redactions[0]
    assert red.withheld_in_full and red.source == "slip_sheet" and red.exemptions == codes
    assert red.bbox == (0, 0, 612, 792)
    assert "ICE-FOIA" not in red.label and sheet.split()[0] in red.label


def test_page_covered_by_one_box() -> None:
    page = new_page()
    text(page, 72, 100, SECRET)
    box(page, (0, 0, 612, 792))
    label_in(page, (250, 380, 400, 400), "(b)(5)", size=12)
    res = analyze_page(roundtrip(page))
    assert res.withheld_in_full and len(res.redactions) == 1
    red = res.redactions[0]
    assert red.source == "full_page" and red.withheld_in_full and red.exemptions == ("(b)(5)",)
    assert red.bad and red.hidden_chars == 14
    assert res.redacted_share == 1.0
    no_secret(res)


def test_rotated_page_reports_unrotated_coordinates() -> None:
    page = new_page()
    r = text(page, 72, 100, SECRET)
    good_redaction(page, r, "(b)(6)")
    page.set_rotation(90)
    page = roundtrip(page)
    red = analyze_page(page).redactions[0]
    assert abs(red.bbox[0] - r.x0) < 1.5 and abs(red.bbox[1] - r.y0) < 1.5
    assert red.exemptions == ("(b)(6)",)


# ----------------------------------------------------------------------------- raster


def scan_page(boxes: list[tuple[int, int, int, int]], rotate: int = 0,
              dpi: int = 150) -> pymupdf.Page:
    """An image-only page: a white 'scan' with black boxes, some text strokes and rules."""
    w, h = int(8.5 * dpi), 11 * dpi
    a = np.full((h, w), 255, np.uint8)
    s = dpi / 72
    for x0, y0, x1, y1 in boxes:
        a[int(y0 * s): int(y1 * s), int(x0 * s): int(x1 * s)] = 0
    a[int(300 * s): int(300 * s) + 2, int(72 * s): int(540 * s)] = 0  # a table rule
    for k in range(40):  # thin strokes like text
        x = int((72 + 6 * k) * s)
        a[int(400 * s): int(410 * s), x: x + 2] = 0
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="PNG")
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_image(page.rect, stream=buf.getvalue())
    if rotate:
        page.set_rotation(rotate)
    return roundtrip(page)


def test_raster_boxes_on_image_only_page() -> None:
    boxes = [(72, 100, 200, 112), (300, 100, 380, 110), (72, 500, 540, 560)]
    page = scan_page(boxes)
    assert is_image_only(page)
    res = analyze_page(page, image_only=True)
    got = sorted(tuple(round(v) for v in x.bbox) for x in res.redactions)
    assert len(got) == 3
    for g, b in zip(got, sorted(boxes), strict=True):
        assert all(abs(p - q) <= 2 for p, q in zip(g, b, strict=True))
    assert all(x.source == "raster" and x.exemptions == () for x in res.redactions)
    # without image_only nothing is rendered
    assert analyze_page(page).redactions == ()


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_raster_boxes_on_rotated_page(rotate: int) -> None:
    boxes = [(72, 100, 200, 112)]
    page = scan_page(boxes, rotate=rotate)
    res = analyze_page(page, image_only=True)
    assert len(res.redactions) == 1
    assert all(abs(p - q) <= 2 for p, q in zip(res.redactions[0].bbox, boxes[0], strict=True))


def test_ocr_words_label_raster_boxes() -> None:
    page = scan_page([(72, 100, 200, 112)])
    ocr = [(110, 101, 140, 111, "(b)(6)", 0, 0, 0), (72, 200, 120, 210, "Hello", 1, 0, 0)]
    res = analyze_page(page, image_only=True, ocr_words=ocr)
    assert res.redactions[0].exemptions == ("(b)(6)",)
    ocr_sheet = [(200, 390, 400, 405, "WITHHELD IN FULL (b)(5)", 0, 0, 0)]
    res = analyze_page(scan_page([]), image_only=True, ocr_words=ocr_sheet)
    assert res.withheld_in_full and res.redactions[0].exemptions == ("(b)(5)",)


def test_raster_full_page_box() -> None:
    page = scan_page([(0, 0, 612, 792)])
    res = analyze_page(page, image_only=True)
    assert res.withheld_in_full and res.redactions[0].source == "full_page"


def test_huge_page_render_is_capped() -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=18000, height=36000)
    box(page, (1000, 1000, 9000, 3000))
    res = analyze_page(roundtrip(page), image_only=True)
    assert len(res.redactions) == 1


# ----------------------------------------------------------------------------- robustness


def test_broken_page_gives_empty_analysis(monkeypatch) -> None:
    page = new_page()
    r = text(page, 72, 100, SECRET)
    good_redaction(page, r, "(b)(6)")
    page = roundtrip(page)

    def boom(*a, **k):
        raise RuntimeError("broken content stream")

    monkeypatch.setattr(pymupdf.Page, "get_cdrawings", boom)
    res = analyze_page(page)  # vector boxes lost, nothing raised
    assert res.redactions == ()
    monkeypatch.setattr(pymupdf.Page, "get_text", boom)
    assert analyze_page(page).redactions == ()


def test_words_argument_indices_are_used() -> None:
    page = new_page()
    text(page, 72, 100, "Keep")
    r = text(page, 110, 100, SECRET)
    box(page, r)
    page = roundtrip(page)
    words = page.get_text("words")
    res = analyze_page(page, words)
    assert {words[i][4] for i in res.hidden_words} == set(SECRET.split())
    assert "Keep" not in {words[i][4] for i in res.hidden_words}


def test_outlined_box_around_ocr_stamp_on_scan() -> None:
    dpi = 150
    s = dpi / 72
    a = np.full((11 * dpi, int(8.5 * dpi)), 255, np.uint8)
    x0, y0, x1, y1 = (int(v * s) for v in (100, 100, 180, 116))
    a[y0:y1, x0:x0 + 2] = a[y0:y1, x1 - 2:x1] = 0
    a[y0:y0 + 2, x0:x1] = a[y1 - 2:y1, x0:x1] = 0
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="PNG")
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_image(page.rect, stream=buf.getvalue())
    page = roundtrip(page)
    ocr = [(115, 103, 160, 113, "(b)(5)", 0, 0, 0)]
    res = analyze_page(page, image_only=True, ocr_words=ocr)
    assert len(res.redactions) == 1
    red = res.redactions[0]
    assert red.exemptions == ("(b)(5)",)
    assert all(abs(p - q) <= 2 for p, q in zip(red.bbox, (100, 100, 180, 116), strict=True))
    # an empty frame (no stamp) is a form field, not a redaction
    assert analyze_page(page, image_only=True).redactions == ()
