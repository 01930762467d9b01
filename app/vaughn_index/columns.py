"""Guessing which column of an imported Vaughn index holds which field, from its headers.

Header wording varies between agencies ("Bates Range", "Doc. No.", "Exemption(s) Claimed",
"Basis for Withholding"); each field has a few keywords, matched case-insensitively on the
header with punctuation folded to spaces. Only plain substring tests: no regex on cell text.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.errors import VaughnError

# Field -> keywords, most specific first. Order of FIELDS decides ties ("exemption
# justification" is a justification, not an exemption column).
FIELDS: dict[str, tuple[str, ...]] = {
    "pages_withheld_in_full": ("withheld in full", "wif", "withheld full"),
    "pages_withheld_in_part": ("withheld in part", "released in part", "wip", "rip",
                               "withheld part"),
    "pages_released": ("released in full", "pages released", "rif", "released full"),
    "justification": ("justification", "basis for withholding", "reason", "rationale",
                      "explanation", "harm"),
    "exemptions": ("exemption", "exempt", "foia code", "codes", "authority"),
    "bates": ("bates", "doc no", "document no", "document number", "range", "control no",
              "page range", "pages bates"),
    "date": ("date",),
    "description": ("description", "document type", "subject", "title"),
    "pages": ("pages", "page count", "no of pages", "number of pages"),
    "disposition": ("disposition", "released", "withheld", "status", "action taken"),
    "item": ("item", "entry", "index no", "no"),
}
REQUIRED = ("bates", "exemptions")
# The three page-count fields only take a header that speaks of pages ("Pages Withheld in
# Full"), so a disposition column headed "Released/Withheld" stays a disposition.
PAGE_FIELDS = frozenset({"pages_withheld_in_full", "pages_withheld_in_part", "pages_released"})


def _fold(header: str) -> str:
    chars = [c.lower() if c.isalnum() else " " for c in str(header or "")]
    return " " + " ".join("".join(chars).split()) + " "


def guess_columns(headers: Sequence[str]) -> dict[str, int]:
    """Map field name -> column index for the headers of a Vaughn index table.

    Each column goes to at most one field and each field to its first matching column.
    """
    mapping: dict[str, int] = {}
    used: set[int] = set()
    folded = [_fold(h) for h in headers]
    for field, words in FIELDS.items():
        for i, text in enumerate(folded):
            if i in used or field in mapping:
                continue
            if field in PAGE_FIELDS and "page" not in text:
                continue
            if any(f" {w} " in text or (len(w) > 3 and w in text) for w in words):
                mapping[field] = i
                used.add(i)
    return mapping


def require_columns(headers: Sequence[str], source: str) -> dict[str, int]:
    """The mapping, or a VaughnError naming the file and the fields that were not found."""
    mapping = guess_columns(headers)
    missing = [f for f in REQUIRED if f not in mapping]
    if missing:
        raise VaughnError(
            f"{source}: not a Vaughn index this can read: no column for "
            f"{' or '.join(missing)} (headers found: {', '.join(map(str, headers)) or 'none'})")
    return mapping
