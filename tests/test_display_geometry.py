"""Overlays land on the page as the reviewer sees it, rotated pages included."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from app.ingest.pipeline import ingest
from app.matter.store import Matter
from app.review.state import display_box, page_view


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_redaction_boxes_follow_the_page_rotation(matter: Matter, tmp_path: Path,
                                                  rotation: int) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 100), "The subject Maria Lopez was interviewed " * 2)
    page.add_redact_annot(pymupdf.Rect(140, 88, 230, 104), text="(b)(6)", fill=(0, 0, 0),
                          text_color=(1, 1, 1), fontsize=6)
    page.apply_redactions()
    page.set_rotation(rotation)
    path = tmp_path / f"rot{rotation}.pdf"
    doc.save(path)
    ingest(matter, [path])
    pid = matter.scalar("SELECT id FROM pages")
    stored = matter.query("SELECT x0, y0, x1, y1 FROM redactions")[0]
    view = page_view(matter, pid)
    shown = view.redactions[0].bbox
    check = pymupdf.open(path)[0]
    expected = pymupdf.Rect(stored["x0"], stored["y0"], stored["x1"], stored["y1"]) * (
        check.rotation_matrix)
    assert shown == pytest.approx(tuple(expected), abs=0.05)
    # and the box sits inside the rotated page the window renders
    assert 0 <= shown[0] < shown[2] <= view.width + 0.05
    assert 0 <= shown[1] < shown[3] <= view.height + 0.05


def test_display_box_is_identity_without_rotation() -> None:
    assert display_box((1, 2, 3, 4), 0, 612, 792) == (1, 2, 3, 4)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_exported_redaction_removes_text_on_rotated_pages(rotation: int) -> None:
    from app.export.sanitize import redact_boxes

    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 737), "SECRETNAME near the foot of the page")
    box = next(w for w in page.get_text("words") if w[4] == "SECRETNAME")[:4]
    page.set_rotation(rotation)
    assert redact_boxes(doc[0], [(box, "(b)(6)")]) == 1
    assert "SECRETNAME" not in doc[0].get_text()
    assert "near the foot" in doc[0].get_text()


@pytest.mark.parametrize("rotation", [90, 270])
def test_bad_box_near_the_foot_of_a_rotated_page_is_found(matter: Matter, tmp_path: Path,
                                                         rotation: int) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 100), "An ordinary paragraph of visible text on the page.")
    page.insert_text((72, 737), "HIDDENSURNAME signed the form")
    word = next(w for w in page.get_text("words") if w[4] == "HIDDENSURNAME")
    page.draw_rect(pymupdf.Rect(word[:4]) + (-1, -1, 1, 1), color=None, fill=(0, 0, 0))
    page.set_rotation(rotation)
    doc.save(tmp_path / "r.pdf")
    ingest(matter, [tmp_path / "r.pdf"])
    bad = matter.query("SELECT bad, hidden_chars FROM redactions")
    assert [(r["bad"], r["hidden_chars"]) for r in bad] == [(1, len("HIDDENSURNAME"))]
    assert "HIDDENSURNAME" not in matter.scalar("SELECT text FROM page_text")
