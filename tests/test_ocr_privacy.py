"""OCR never puts text hidden under a bad redaction into the page text."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from app.ingest.pipeline import ingest
from app.matter.store import Matter
from app.ocr import engine


@pytest.mark.skipif(not engine.ocr_available(), reason="OCR language data not installed")
def test_reocr_of_a_page_with_a_bad_redaction_keeps_the_hidden_text_out(
        matter: Matter, tmp_path: Path) -> None:
    from app.ocr.queue import reocr_page

    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 120), "The officer met HIDDENSURNAME at the field office", fontsize=12)
    word = next(w for w in page.get_text("words") if w[4] == "HIDDENSURNAME")
    page.draw_rect(pymupdf.Rect(word[:4]) + (-1, -1, 1, 1), color=None, fill=(0, 0, 0))
    page.insert_text((400, 770), "OCRP-000001")
    doc.save(tmp_path / "bad.pdf")
    ingest(matter, [tmp_path / "bad.pdf"])
    pid = matter.scalar("SELECT id FROM pages")
    assert "HIDDENSURNAME" not in matter.scalar("SELECT text FROM page_text")
    reocr_page(matter, pid, dpi=200)
    text = matter.scalar("SELECT text FROM page_text WHERE page_id = ?", (pid,))
    assert "officer" in text  # the page was read again...
    assert "HIDDENSURNAME" not in text  # ...without the words under the box
    assert matter.scalar("SELECT count(*) FROM page_text_fts WHERE page_text_fts MATCH "
                         "'hiddensurname'") == 0
