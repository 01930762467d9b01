"""What a PDF file itself says about its records: top-level bookmarks and page-label ranges."""

from __future__ import annotations

from typing import Any


def bookmarks(doc: Any) -> dict[int, str]:
    """Page index -> title of the first top-level bookmark pointing at it."""
    out: dict[int, str] = {}
    try:
        toc = doc.get_toc()
    except Exception:
        return out
    for level, title, page, *_ in toc:
        if level == 1 and 1 <= page <= doc.page_count:
            out.setdefault(page - 1, str(title).strip() or f"page {page}")
    return out


def label_restarts(doc: Any) -> set[int]:
    """Page indices where the PDF's page labels start a new numbering at 1 (not page 0)."""
    try:
        rules = doc.get_page_labels()
    except Exception:
        return set()
    out = set()
    for rule in rules or []:
        start = int(rule.get("startpage", 0))
        if start > 0 and int(rule.get("firstpagenum", 1) or 1) == 1 and start < doc.page_count:
            out.add(start)
    return out
