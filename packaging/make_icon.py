"""Draw Vaughn's icon with PyMuPDF: resources/vaughn.svg and resources/vaughn.png (256 px).

A page of a production, one line blacked out and one line boxed in red (a redaction under
challenge). Run ``python packaging/make_icon.py`` to redraw them; both files are committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
SIZE = 256


def draw(page: pymupdf.Page) -> None:
    """Draw the icon on a 256 x 256 pt page."""
    navy, paper, ink, red = (0.11, 0.19, 0.33), (0.98, 0.98, 0.96), (0.55, 0.58, 0.63), (0.8, 0.1, 0.1)
    page.draw_rect(pymupdf.Rect(8, 8, 248, 248), color=None, fill=navy, radius=0.12)
    sheet = pymupdf.Rect(58, 34, 198, 222)
    page.draw_rect(sheet, color=None, fill=paper)
    for n, y in enumerate(range(60, 206, 20)):
        width = 104 if n % 3 != 2 else 70
        if n == 2:
            page.draw_rect(pymupdf.Rect(74, y - 6, 74 + 94, y + 7), color=None, fill=(0, 0, 0))
        elif n == 5:
            page.draw_rect(pymupdf.Rect(74, y - 6, 74 + 80, y + 7), color=None, fill=(0, 0, 0))
            page.draw_rect(pymupdf.Rect(68, y - 11, 74 + 86, y + 12), color=red, width=4)
        else:
            page.draw_line((74, y), (74 + width, y), color=ink, width=5)


def main() -> int:
    """Write the SVG and PNG next to each other in resources/."""
    out = ROOT / "resources"
    out.mkdir(exist_ok=True)
    doc = pymupdf.open()
    page = doc.new_page(width=SIZE, height=SIZE)
    draw(page)
    (out / "vaughn.svg").write_text(page.get_svg_image(text_as_path=True))
    page.get_pixmap(alpha=True, dpi=72).save(str(out / "vaughn.png"))
    print(f"wrote {out / 'vaughn.svg'} and {out / 'vaughn.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
