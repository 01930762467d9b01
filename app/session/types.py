"""The session API's own types: ids, review targets, and the fields of a challenge.

Ids are distinct types (a page id is not a redaction id) though both are SQLite row ids; a
review target is a ``(kind, id)`` pair. What the reads return are the core's records
(:class:`~app.review.state.TreeRow`, :class:`~app.search.index.Results`, …), re-exported by
:mod:`app.session` so a front end needs nothing else.
"""

from __future__ import annotations

from typing import Literal, NewType, TypedDict

PageId = NewType("PageId", int)
RedactionId = NewType("RedactionId", int)
DocumentId = NewType("DocumentId", int)
FindingId = NewType("FindingId", int)

TargetKind = Literal["redaction", "page", "document"]
Target = tuple[str, int]  # (TargetKind, its id): the core's review target
ReviewStatus = Literal["not_reviewed", "accept", "challenge", "dropped"]


class ChallengeFields(TypedDict, total=False):
    """What :meth:`Writer.set_review` may set on a target's challenge (any subset)."""

    grounds: list[str]
    status: str
    priority: str | None
    argument: str
    evidence_cite: str
    evidence_link: str
    evidence_file: str
    evidence_passage: str
