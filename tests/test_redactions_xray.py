"""x-ray's bad-redaction test PDFs (BSD-2, see tests/data/xray/NOTICE): verdicts as upstream."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from app.redactions import analyze_page

DATA = Path(__file__).parent / "data" / "xray"

# file -> number of bad redactions on page 1 (None: any positive number)
EXPECTED = {
    "rectangles_yes.pdf": 3,
    "rectangles_yes_2.pdf": 1,
    "bad_cross_hatched_redactions.pdf": None,
    "rectangles_no.pdf": 0,
    "rect_ordering_0.8.pdf": 0,
    "rect_ordering_4.1.pdf": 0,
    "no_bad_redactions.2.1.pdf": 0,
    "no_bad_redactions.7.1.pdf": 0,
    "ok_words.pdf": 0,
    "whitespace_redactions.pdf": 0,
}


@pytest.mark.parametrize(("name", "bad"), sorted(EXPECTED.items()))
def test_xray_verdict(name: str, bad: int | None) -> None:
    doc = pymupdf.open(DATA / name)
    res = analyze_page(doc[0])
    n = sum(1 for r in res.redactions if r.bad)
    if bad is None:
        assert n > 0
    else:
        assert n == bad


def test_xray_rectangles() -> None:
    """x-ray's RectTest: boxes are found on rectangles_yes, none on rectangles_no."""
    assert analyze_page(pymupdf.open(DATA / "rectangles_yes.pdf")[0]).redactions
    assert analyze_page(pymupdf.open(DATA / "rectangles_yes_2.pdf")[0]).redactions
    assert not analyze_page(pymupdf.open(DATA / "rectangles_no.pdf")[0]).redactions


def test_xray_hidden_counts() -> None:
    """rectangles_yes has 64 intersecting characters under 3 boxes (x-ray counts spaces too)."""
    res = analyze_page(pymupdf.open(DATA / "rectangles_yes.pdf")[0])
    hidden = sum(r.hidden_chars for r in res.redactions)
    assert 50 <= hidden <= 64
