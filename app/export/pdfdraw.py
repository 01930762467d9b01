"""A small paginating PDF writer on PyMuPDF: wrapped text, ruled tables and bar charts.

Used by the AO 187 exhibit list and the summary report. Letter pages, base-14 Helvetica (so
no font files are embedded); tables repeat their header on each page and grow rows to fit
wrapped cells; bar charts are plain vector rectangles. Saving goes through
:func:`app.export.sanitize.save_sanitized`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pymupdf

from app.export.sanitize import save_sanitized

FONTS = {False: ("helv", pymupdf.Font("helv")), True: ("hebo", pymupdf.Font("hebo"))}
BAR_COLOR = (0.20, 0.38, 0.62)
GRID = (0.55, 0.55, 0.55)


_PLAIN = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-",
                        "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                        "\u2026": "...", "\u00a0": " "})


def pdf_safe(text: str) -> str:
    """``text`` in the characters the base-14 fonts draw (dashes, quotes made plain; others
    outside Latin-1 become "?")."""
    text = (text or "").translate(_PLAIN)
    return text.encode("latin-1", "replace").decode("latin-1")


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points (long words are cut)."""
    font = FONTS[bold][1]
    text = pdf_safe(text)
    lines: list[str] = []
    for para in (text or "").split("\n"):
        line = ""
        for word in para.split(" "):
            trial = f"{line} {word}" if line else word
            if font.text_length(trial, size) <= width:
                line = trial
                continue
            if line:
                lines.append(line)
            while font.text_length(word, size) > width and len(word) > 1:
                cut = len(word)
                while cut > 1 and font.text_length(word[:cut], size) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines or [""]


class PdfWriter:
    """Top-to-bottom layout over as many pages as needed."""

    def __init__(self, *, landscape: bool = False, margin: float = 50) -> None:
        self.doc = pymupdf.open()
        rect = pymupdf.paper_rect("letter-l" if landscape else "letter")
        self.width: float = rect.width
        self.height: float = rect.height
        self.margin = margin
        self.page: pymupdf.Page | None = None
        self.y = 0.0
        self.new_page()

    @property
    def inner_width(self) -> float:
        """Width between the margins."""
        return self.width - 2 * self.margin

    def new_page(self) -> None:
        """Start a page."""
        self.page = self.doc.new_page(width=self.width, height=self.height)
        self.y = self.margin

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` points still fit on this one."""
        if self.y + height > self.height - self.margin:
            self.new_page()

    def text(self, text: str, *, size: float = 10, bold: bool = False, align: str = "left",
             gap: float = 2, color: Sequence[float] = (0, 0, 0)) -> None:
        """A wrapped paragraph."""
        name, font = FONTS[bold]
        for line in wrap(text, self.inner_width, size, bold):
            self.ensure(size * 1.25)
            x = self.margin
            if align != "left":
                spare = self.inner_width - font.text_length(line, size)
                x += spare / 2 if align == "center" else spare
            assert self.page is not None
            self.page.insert_text((x, self.y + size), line, fontname=name, fontsize=size,
                                  color=color)
            self.y += size * 1.25
        self.y += gap

    def space(self, points: float) -> None:
        """Vertical white space."""
        self.y += points

    def table(self, headers: Sequence[str], widths: Sequence[float],
              rows: Sequence[Sequence[str]], *, size: float = 8.5) -> None:
        """A ruled table; ``widths`` are shares of the inner width (they are normalised)."""
        total = sum(widths)
        cols = [w / total * self.inner_width for w in widths]
        pad = 3.0
        line_h = size * 1.2

        def draw_row(cells: Sequence[str], bold: bool) -> None:
            wrapped = [wrap(str(c), w - 2 * pad, size, bold) for c, w in zip(cells, cols,
                                                                              strict=True)]
            height = max(len(w) for w in wrapped) * line_h + 2 * pad
            if self.y + height > self.height - self.margin:
                self.new_page()
                if not bold:
                    draw_row(headers, True)
            assert self.page is not None
            x = self.margin
            name = FONTS[bold][0]
            for lines, w in zip(wrapped, cols, strict=True):
                rect = pymupdf.Rect(x, self.y, x + w, self.y + height)
                if bold:
                    self.page.draw_rect(rect, color=GRID, fill=(0.92, 0.92, 0.92), width=0.5)
                else:
                    self.page.draw_rect(rect, color=GRID, width=0.5)
                for i, line in enumerate(lines):
                    self.page.insert_text((x + pad, self.y + pad + (i + 1) * line_h - 2), line,
                                          fontname=name, fontsize=size)
                x += w
            self.y += height

        draw_row(headers, True)
        for row in rows:
            draw_row(row, False)
        self.y += 8

    def bar_chart(self, title: str, items: Sequence[tuple[str, float]], *,
                  value_format: str = "{:,.0f}", size: float = 8.5) -> None:
        """A horizontal bar chart: one labelled bar per item, scaled to the largest value."""
        self.text(title, size=11, bold=True, gap=4)
        if not items:
            self.text("(none)", size=size)
            return
        label_w = min(self.inner_width * 0.38,
                      max(FONTS[False][1].text_length(label, size) for label, _ in items) + 8)
        value_w = 60.0
        bar_max = self.inner_width - label_w - value_w
        top = max(v for _, v in items) or 1.0
        row_h = size * 1.7
        for label, value in items:
            self.ensure(row_h)
            assert self.page is not None
            label_lines = wrap(label, label_w - 6, size)
            self.page.insert_text((self.margin, self.y + size), label_lines[0],
                                  fontname="helv", fontsize=size)
            x0 = self.margin + label_w
            bar = pymupdf.Rect(x0, self.y + 1, x0 + max(0.5, bar_max * value / top),
                               self.y + row_h - 3)
            self.page.draw_rect(bar, color=None, fill=BAR_COLOR)
            self.page.insert_text((bar.x1 + 4, self.y + size), value_format.format(value),
                                  fontname="helv", fontsize=size)
            self.y += row_h
        self.y += 8

    def save(self, path: str | Path, *, title: str = "") -> None:
        """Number the pages, then save sanitised to ``path``."""
        count = len(self.doc)
        for i, page in enumerate(self.doc):
            text = f"Page {i + 1} of {count}"
            w = FONTS[False][1].text_length(text, 8)
            page.insert_text(((self.width - w) / 2, self.height - 24), text, fontname="helv",
                             fontsize=8, color=(0.3, 0.3, 0.3))
        save_sanitized(self.doc, path, title=title)
