"""What the window reads of a page and of a target's review, as frozen dataclasses: a page with
its redactions (:func:`app.review.state.page_view`) and a target's latest challenge, tags, notes
and exhibit (:func:`app.review.state.review`). Read-only snapshots: a change goes through the
session's writer and the window reads them again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class RedactionData:
    """One redaction as the page view and the claims panel show it."""

    id: int
    bbox: Box  # where it shows on the rotated page
    label: str  # the stamp text as read ("" if none)
    label_place: str  # inside, margin, beside, legend, illegible or ""
    stamped: tuple[str, ...]  # the codes the stamp reads
    exemptions: tuple[str, ...]  # the codes in force: the reviewer's where set, else stamped
    reviewed: bool  # the reviewer set the codes
    statute: str
    bad: bool
    hidden_chars: int
    status: str  # the latest challenge's status, "not_reviewed" if none
    version: int = 0  # as read; pass back as ``expect`` (app/review/versions.py)


@dataclass(frozen=True)
class PageData:
    """One page: where it is, its size and rotation, its disposition, its redactions."""

    id: int
    bates: str
    page_index: int
    width: float
    height: float
    rotation: int
    document_id: int
    withheld_in_full: bool
    disposition: str | None  # the reviewer's, None where the analysis decides
    path: str  # the source file
    kind: str  # the source file's kind (pdf, image, ...)
    doc_begbates: str
    production: str
    needs_look: tuple[str, ...]  # why a human should look (a step stopped, codes not legible)
    redactions: tuple[RedactionData, ...]
    version: int = 0  # the page target's, as read (its disposition, tags, notes...)


@dataclass(frozen=True)
class Challenge:
    """A target's latest challenge."""

    id: int
    status: str
    grounds: tuple[str, ...]
    priority: str | None
    argument: str
    evidence_cite: str
    evidence_link: str
    evidence_file: str
    evidence_passage: str
    reviewer: str
    updated_at: str


@dataclass(frozen=True)
class Note:
    """A reviewer's note on a target."""

    id: int
    text: str
    reviewer: str
    updated_at: str


@dataclass(frozen=True)
class Exhibit:
    """The exhibit a document or page is marked as."""

    id: int
    number: str
    description: str
    status: str


@dataclass(frozen=True)
class Review:
    """A target's review: what the challenge panel shows."""

    kind: str  # redaction, page or document
    id: int
    challenge: Challenge | None
    tags: tuple[str, ...]
    notes: tuple[Note, ...] = field(default=())
    exhibit: Exhibit | None = None
    version: int = 0  # the target's, as read


def challenge_of(row: dict[str, Any], grounds: list[str]) -> Challenge:
    """A challenges row as a :class:`Challenge`."""
    return Challenge(int(row["id"]), str(row["status"]), tuple(grounds), row["priority"],
                     row["argument"], row["evidence_cite"], row["evidence_link"],
                     row["evidence_file"], row["evidence_passage"], row["reviewer"],
                     row["updated_at"])


def exhibit_of(row: dict[str, Any]) -> Exhibit:
    """An exhibits row as an :class:`Exhibit`."""
    return Exhibit(int(row["id"]), str(row["number"]), str(row["description"]),
                   str(row["status"]))
