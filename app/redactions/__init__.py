"""Redaction analysis: boxes, exemption stamps, bad redactions, pages withheld in full.

A pure library (PyMuPDF + numpy, no Qt, no I/O of its own) that the ingest pipeline calls once
per page via :func:`analyze_page`. Hidden text is only ever returned by
:func:`reveal_hidden_text`.
"""

from .analyze import (
    PageAnalysis,
    Redaction,
    Word,
    analyze_page,
    is_image_only,
    reveal_hidden_text,
)
from .stamps import CATEGORY_LABELS, EXEMPTIONS, canonical_codes

__all__ = [
    "CATEGORY_LABELS",
    "EXEMPTIONS",
    "PageAnalysis",
    "Redaction",
    "Word",
    "analyze_page",
    "canonical_codes",
    "is_image_only",
    "reveal_hidden_text",
]
